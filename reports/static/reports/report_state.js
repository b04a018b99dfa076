// While a report is queued or being made, ask for its page every few seconds; the
// first answer that is no longer pending is the finished page, so show it as it is
// rather than load it a second time. (A <meta> refresh would restart screen readers
// every time; an inline script would break the Content-Security-Policy.)
(function () {
  "use strict";
  var marker = document.querySelector("[data-report-pending]");
  if (!marker) {
    return;
  }
  var every = 2000;

  function show(html) {
    // Scripts of a parsed document never run: the ones this page loaded stay in use.
    var next = new DOMParser().parseFromString(html, "text/html");
    document.title = next.title;
    document.body.replaceWith(document.adoptNode(next.body));
    document.dispatchEvent(new Event("report:shown"));  // e.g. chart.js scrolls the new chart
    // Tell screen readers the page changed, as a page load would.
    var heading = document.querySelector("main h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function check() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok || response.redirected) {
          // Logged out, or an error: let the browser load and show that page itself.
          window.location.reload();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        if (html.indexOf("data-report-pending") === -1) {
          show(html);
        } else {
          window.setTimeout(check, every);
        }
      })
      .catch(function () { window.setTimeout(check, every * 3); });
  }
  window.setTimeout(check, every);
})();
