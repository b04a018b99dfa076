// A chart wider than its box scrolls inside it; open it on the report month (and the
// months before it) rather than on the first months of the record. Runs on load, when
// a pending report's page shows the finished report in place, and when the window is
// resized while the chart is still at its start.
(function () {
  "use strict";

  function showReportMonth(event) {
    document.querySelectorAll(".chart").forEach(function (box) {
      var bar = box.querySelector(".chart-bar-current");
      if (!bar || box.scrollWidth <= box.clientWidth) {
        return;
      }
      if (event && event.type === "resize" && box.scrollLeft > 0) {
        return;  // scrolled already, perhaps by the reader: leave it where it is
      }
      var boxLeft = box.getBoundingClientRect().left;
      var barRight = bar.getBoundingClientRect().right - boxLeft + box.scrollLeft;
      // The report month near the right edge, with a bar's width of room after it.
      box.scrollLeft = Math.max(0, barRight - box.clientWidth + bar.getBoundingClientRect().width * 2);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showReportMonth);
  } else {
    showReportMonth();
  }
  document.addEventListener("report:shown", showReportMonth);
  // A phone turned sideways, or a window narrowed, can make the chart scroll.
  window.addEventListener("resize", showReportMonth);
})();
