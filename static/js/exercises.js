/* Exercises: shared progressive enhancement (no inline script; CSP-safe).
 * - <time data-local datetime="…"> shows the reader's local HH:MM instead of UTC
 * - forms with data-confirm ask before submitting */
(function () {
  "use strict";

  function localizeTimes(root) {
    (root || document).querySelectorAll("time[data-local]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        el.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        el.title = when.toLocaleString();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  window.KakehashiExercises = { localizeTimes: localizeTimes };
  localizeTimes(document);
})();
