// Progressive enhancement for forms; without it every field shows and the server checks.
(function () {
  "use strict";
  // GOV.UK error summary: move focus to it, so that a screen reader reads the problems first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  // Outcome and month closed only matter for a closed request: show them only then.
  var status = document.querySelector("select[name=status], select[name=to_status]");
  var closedOnly = ["div_id_outcome", "div_id_closed_month"].map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  if (!status || !closedOnly.length) {
    return;
  }
  function update() {
    closedOnly.forEach(function (field) {
      var hasError = field.querySelector(".is-invalid") !== null;
      field.hidden = status.value !== "closed" && !hasError;
    });
  }
  status.addEventListener("change", update);
  update();
})();
