/* Quiz page: autosave each answer as it changes (CSRF token in a header), show the time left, and submit
   when time is up. Without this script the Save and Submit buttons do the same work. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var status = document.getElementById("save-status");
  var pending = {};
  var timers = {};

  function say(key) { if (status) { status.textContent = status.getAttribute("data-" + key) || ""; } }

  function valuesOf(fieldset) {
    var out = [];
    var name = "q-" + fieldset.getAttribute("data-question");
    fieldset.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.name !== name) { return; }
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { out.push(el.value); } }
      else { out.push(el.value); }
    });
    return out;
  }

  function save(fieldset) {
    if (!url) { return; }  // a preview keeps its answers in the page: nothing to save
    var qid = fieldset.getAttribute("data-question");
    var body = new FormData();
    body.append("question", qid);
    valuesOf(fieldset).forEach(function (v) { body.append("q-" + qid, v); });
    var flag = fieldset.querySelector("input[data-flag]");
    if (flag) {
      body.append("flag", flag.checked ? "1" : "0");
      var nav = form.querySelector(".quiz-nav-item[value='" + qid + "']");
      if (nav) { nav.classList.toggle("flagged", flag.checked); }
    }
    say("saving");
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": tokenInput ? tokenInput.value : "", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { code: response.status, data: data }; });
    }).then(function (result) {
      if (result.code === 409 && result.data.redirect) { window.location.assign(result.data.redirect); return; }
      if (!result.data.ok) { say("error"); return; }
      delete pending[qid];
      say("saved");
      if (Object.prototype.hasOwnProperty.call(result.data, "correct")) {
        fieldset.classList.toggle("right", result.data.correct);
        fieldset.classList.toggle("wrong", !result.data.correct);
      }
    }).catch(function () { pending[qid] = fieldset; say("offline"); });
  }

  form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
    var qid = fieldset.getAttribute("data-question");
    fieldset.addEventListener("change", function () { clearTimeout(timers[qid]); save(fieldset); });
    fieldset.addEventListener("input", function (event) {
      if (event.target.type === "text") {
        clearTimeout(timers[qid]);
        timers[qid] = setTimeout(function () { save(fieldset); }, 800);
      }
    });
  });

  window.addEventListener("online", function () {
    Object.keys(pending).forEach(function (qid) { save(pending[qid]); });
  });

  var timer = document.getElementById("timer");
  if (timer) {
    var left = parseInt(timer.getAttribute("data-seconds"), 10);
    var ends = Date.now() + left * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var m = Math.floor(s / 60);
      timer.textContent = m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
      if (s <= 60) { timer.classList.add("low"); }
      if (s === 0) {
        clearInterval(handle);
        var action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = "submit";
        form.appendChild(action);
        form.submit();
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
