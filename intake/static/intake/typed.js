// Nothing a person types is lost when their session ends under a form (issue 27).
// What a form sends is kept in this tab's sessionStorage (never sent anywhere, gone
// when the tab closes) until the next page says what became of it:
// - a page saying nothing was saved because the session had ended ([data-typed-kept])
//   keeps it to be put back on the form's page, once the person is logged in again;
// - the login and second-factor pages ([data-signing-in]) keep it as it is;
// - any other page means the form was answered (saved, or shown again with its errors
//   by the server): it is forgotten, so nothing is ever put back after a save.
// Nothing is sent by the script: the person checks what was put back and sends it once.
(function () {
  "use strict";
  var PENDING = "intake:typed-pending";
  var RESTORE = "intake:typed-restore";
  var store;
  try {
    store = window.sessionStorage;
    store.getItem(PENDING);
  } catch (error) {
    return; // storage off: forms work as before
  }
  var here = window.location.pathname + window.location.search;

  function read(key) {
    try {
      return JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function keepable(field) {
    var type = (field.type || "").toLowerCase();
    return field.name && !field.disabled && field.name !== "csrfmiddlewaretoken" &&
      ["hidden", "password", "file", "submit", "button"].indexOf(type) === -1;
  }

  function fill(form, fields) {
    var filled = false;
    fields.forEach(function (pair) {
      var field = form.elements.namedItem(pair[0]);
      if (!field || field.length !== undefined && field.tagName !== "SELECT") {
        return; // gone, or a group of radio buttons: not put back
      }
      if (field.type === "checkbox") {
        field.checked = pair[1] === true;
      } else {
        field.value = pair[1];
      }
      field.dispatchEvent(new Event("change", {bubbles: true}));
      filled = true;
    });
    return filled;
  }

  var pending = read(PENDING);
  if (document.querySelector("[data-typed-kept]")) {
    if (pending) {
      store.setItem(RESTORE, JSON.stringify(pending));
    }
    store.removeItem(PENDING);
  } else if (!document.querySelector("[data-signing-in]")) {
    store.removeItem(PENDING);
    var restore = read(RESTORE);
    store.removeItem(RESTORE);
    if (restore && restore.page === here) {
      var form = document.querySelectorAll("main form[method=post]")[restore.form || 0];
      var words = document.querySelector("[data-typed-restored]");
      if (form && fill(form, restore.fields || []) && words) {
        var notice = document.createElement("div");
        notice.className = "alert alert-info";
        notice.setAttribute("role", "status");
        notice.textContent = words.getAttribute("data-typed-restored");
        words.replaceWith(notice);
      }
    }
  }

  if (document.querySelector("[data-signing-in]")) {
    return; // the login and second-factor forms are never kept
  }
  var forms = Array.prototype.slice.call(document.querySelectorAll("main form[method=post]"));
  forms.forEach(function (form, index) {
    if (form.querySelector("input[type=password]")) {
      return; // a login form: never kept
    }
    form.addEventListener("submit", function () {
      var fields = [];
      Array.prototype.forEach.call(form.elements, function (field) {
        if (keepable(field) && ["radio"].indexOf(field.type) === -1) {
          fields.push([field.name, field.type === "checkbox" ? field.checked : field.value]);
        }
      });
      store.setItem(PENDING, JSON.stringify({page: here, form: index, fields: fields}));
    });
  });
})();
