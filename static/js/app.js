// Behaviour every page shares, loaded (not deferred) from base.html: it only marks the
// document as scripted and listens on the document, so it needs no DOM yet.
// - The top bar's "Menu" button opens and closes the navigation on narrow screens (without
//   JavaScript the navigation simply wraps and stays visible).
// - data-confirm="question" on a form (or a submit button) asks before it is sent;
//   dismissing the dialog sends nothing.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (menu) menu.classList.toggle("open", open);
      return;
    }
    var button = event.target.closest && event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
