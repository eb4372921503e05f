/* Sargs — small progressive enhancements; every page works without them. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  /* buttons that change something irreversible ask first */
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  /* a purpose picker shows the page for the new purpose at once */
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
