/* Player room: polls feed.json with If-None-Match (304 when nothing changed) and shows new injects
 * and the team's responses without a reload, keeping whatever the player is typing. */
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room || !window.fetch) { return; }
  var url = room.getAttribute("data-poll");
  var etag = room.getAttribute("data-etag");
  var token = room.getAttribute("data-poll-token");
  var interval = parseInt(room.getAttribute("data-interval") || "5000", 10);
  var list = document.getElementById("injects");
  var announce = document.getElementById("room-announce");
  // What the page was rendered with: the first poll that differs (e.g. the run has started since)
  // must update the room, not just be remembered.
  var status = room.getAttribute("data-status");
  var accepting = room.getAttribute("data-accepting") === "true";
  var timer = null;

  function keepInput(oldNode, newNode) {
    oldNode.querySelectorAll("textarea, input:not([type=hidden]), select").forEach(function (el) {
      if (!el.id) { return; }
      var twin = newNode.querySelector("#" + CSS.escape(el.id));
      if (twin) { twin.value = el.value; }
    });
  }

  function render(item) {
    var li = document.createElement("li");
    li.id = "inject-" + item.id;
    li.className = "inject";
    li.setAttribute("data-key", item.key);
    li.innerHTML = item.html;
    return li;
  }

  function update(data) {
    if (data.accepting !== accepting) { window.location.reload(); return; }  // response forms come or go
    status = data.status;
    accepting = data.accepting;
    var badge = document.querySelector("#room-status-badge .badge");
    if (badge) { badge.textContent = data.status_label; }
    var situation = document.getElementById("situation");
    if (situation.getAttribute("data-html") !== data.situation) {  // a 200 answer means something changed
      situation.innerHTML = data.situation;
      situation.setAttribute("data-html", data.situation);
    }
    var fresh = [];
    var focused = document.activeElement && document.activeElement.id;
    data.injects.forEach(function (item, index) {
      var existing = document.getElementById("inject-" + item.id);
      var node = existing;
      if (!existing) {
        node = render(item);
        node.classList.add("new");
        fresh.push(node);
      } else if (existing.getAttribute("data-key") !== item.key) {
        node = render(item);
        keepInput(existing, node);
        existing.replaceWith(node);
      }
      if (list.children[index] !== node) { list.insertBefore(node, list.children[index] || null); }
    });
    document.getElementById("no-injects").hidden = data.injects.length > 0;
    document.getElementById("log-entries").innerHTML = data.log;
    if (focused && document.getElementById(focused) && document.activeElement.id !== focused) {
      document.getElementById(focused).focus();
    }
    window.KakehashiExercises.localizeTimes(room);
    if (fresh.length) {
      announce.textContent = fresh.length === 1
        ? fresh[0].querySelector("h3").textContent.trim()
        : fresh.map(function (n) { return n.querySelector("h3").textContent.trim(); }).join(" · ");
    }
  }

  function poll() {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    if (token) { headers["X-Poll-Token"] = token; }
    fetch(url, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (r) {
        if (r.status === 304 || !r.ok) { return null; }
        etag = r.headers.get("ETag") || etag;
        return r.json();
      })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(schedule);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { if (document.hidden) { schedule(); } else { poll(); } }, interval);
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
  schedule();
})();
