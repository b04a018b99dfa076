// Copy buttons: a button with data-copy="ID" copies the text of the element ID. Without
// this script the buttons stay hidden (app.css) and the text can be selected by hand.
// One listener on the document, so it also serves a page shown in place of a pending one.
(function () {
  "use strict";
  document.documentElement.classList.add("can-copy");

  function announce(button) {
    var status = button.parentNode.querySelector("[data-copy-status]");
    var label = button.getAttribute("data-copied");
    if (status) {
      status.textContent = label;
    }
    var original = button.textContent;
    button.textContent = label;
    window.setTimeout(function () {
      button.textContent = original;
      if (status) {
        status.textContent = "";
      }
    }, 2000);
  }

  // Without the clipboard API (a page served over plain HTTP): select the text and copy it.
  function copyBySelection(target, button) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (document.execCommand("copy")) {
      announce(button);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(target.textContent.trim()).then(
        function () { announce(button); },
        function () { copyBySelection(target, button); }
      );
    } else {
      copyBySelection(target, button);
    }
  });
})();
