// While a report is queued or being made, ask for its page every few seconds and
// reload once when it is no longer pending. (A <meta> refresh would restart screen
// readers every time; an inline script would break the Content-Security-Policy.)
(function () {
  "use strict";
  var marker = document.querySelector("[data-report-pending]");
  if (!marker) {
    return;
  }
  var every = 2000;
  function check() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (html.indexOf("data-report-pending") === -1) {
          window.location.reload();
        } else {
          window.setTimeout(check, every);
        }
      })
      .catch(function () { window.setTimeout(check, every * 3); });
  }
  window.setTimeout(check, every);
})();
