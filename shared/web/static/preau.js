// Progressive enhancement only: every page works without this script, and nothing here is
// needed to read a page, follow a link or send a form. The CSP allows no inline script, so
// behaviour hangs off classes and data attributes, never onclick attributes.
"use strict";

(function () {
  var root = document.documentElement;
  root.classList.add("js");

  // Phone menu: fold the main navigation behind a "Menu" button on narrow screens.
  function foldMenu() {
    var nav = document.getElementById("menu");
    if (!nav || nav.querySelector(".nav-toggle")) return;
    var list = nav.querySelector("ul");
    if (!list) return;
    list.id = list.id || "menu-liens";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nav-toggle";
    button.setAttribute("aria-controls", list.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Menu";
    nav.insertBefore(button, list);
    nav.classList.add("collapsed");
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("collapsed") === false;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    nav.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !nav.classList.contains("collapsed")) {
        nav.classList.add("collapsed");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }

  // Error summary: bring it into view and give it focus, so screen readers announce it.
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  // Forms: prevent double submits (the server is idempotent anyway) by disabling the button
  // once the form is on its way.
  function guardSubmits() {
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (!(form instanceof HTMLFormElement) || form.dataset.sending || e.defaultPrevented) return;
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      // After the event: a later listener may still cancel the submission (a form's own script).
      window.setTimeout(function () {
        if (e.defaultPrevented) return;
        form.dataset.sending = "1";
        for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
      }, 0);
    });
    // Coming back with the browser's back button shows the page as it was: enable again.
    window.addEventListener("pageshow", function () {
      var forms = document.querySelectorAll("form[data-sending]");
      for (var i = 0; i < forms.length; i++) {
        delete forms[i].dataset.sending;
        var buttons = forms[i].querySelectorAll("button");
        for (var j = 0; j < buttons.length; j++) buttons[j].disabled = false;
      }
    });
  }

  function start() {
    foldMenu();
    focusErrors();
    guardSubmits();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
