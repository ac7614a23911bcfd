/* Live console: ticks the clock every second and refreshes the MSEL, team silence and responses
 * from console.json every few seconds (the server releases due injects on each poll). */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-poll");
  var interval = parseInt(root.getAttribute("data-interval") || "5000", 10);
  var elapsed = parseInt(root.getAttribute("data-elapsed") || "0", 10);
  var running = root.getAttribute("data-running") === "true";
  var status = null;
  var elapsedOut = document.getElementById("clock-elapsed");
  var wallOut = document.getElementById("clock-wall");
  var timer = null;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function showClock() {
    var s = Math.max(0, elapsed);
    elapsedOut.textContent = Math.floor(s / 3600) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
    wallOut.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
  setInterval(function () { if (running) { elapsed += 1; } showClock(); }, 1000);
  showClock();

  function openDetails(container) {
    var open = [];
    container.querySelectorAll("details[open]").forEach(function (d) {
      var row = d.closest("[id]");
      if (row) { open.push(row.id); }
    });
    return open;
  }

  function replace(id, html) {
    var container = document.getElementById(id);
    if (!container || container.getAttribute("data-html") === html) { return; }
    var open = openDetails(container);
    container.innerHTML = html;
    container.setAttribute("data-html", html);
    open.forEach(function (rowId) {
      var row = document.getElementById(rowId);
      var details = row && row.querySelector("details");
      if (details) { details.open = true; }
    });
    window.KakehashiExercises.localizeTimes(container);
  }

  function typing() {
    var adhoc = document.getElementById("adhoc");
    if (!adhoc) { return false; }
    return Array.prototype.some.call(adhoc.querySelectorAll("input[type=text], input:not([type]), textarea"),
      function (el) { return el.value.trim() !== ""; });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (status !== null && data.status !== status && !typing()) { window.location.reload(); return; }
        status = data.status;
        elapsed = data.elapsed;
        running = data.running;
        document.getElementById("clock-scenario").textContent = data.scenario_label || "—";
        replace("console-msel", data.msel);
        replace("console-teams", data.teams);
        replace("console-responses", data.responses);
      })
      .catch(function () { /* keep the last view; try again next time */ })
      .then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { if (document.hidden) { schedule(); } else { poll(); } }, interval);
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  poll();
})();
