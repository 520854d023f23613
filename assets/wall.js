/* The wall in the browser: the city's clock (WIB, WITA or WIT), map double-buffering, "reconnecting" mark, playlist rotation.
 * Everything here polls the DOM by id/class, so it survives Dash re-rendering the page, keeps no
 * growing state, and never reloads the page. */
(function () {
  "use strict";
  var ns = (window.dash_clientside = window.dash_clientside || {});
  var DAYS = { id: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"], en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] };
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  ns.wall = {
    /* The city's clock (its pack's zone, written on the clock element; no daylight saving in Indonesia),
     * whatever zone the wall PC is set to. */
    clock: function (_n, params) {
      var lang = (params && params.lang) || "id";
      var el = document.getElementById("wall-clock");
      var hours = el ? Number(el.getAttribute("data-offset-hours") || 7) : 7;
      var label = (el && el.getAttribute("data-zone")) || "WIB";
      var d = new Date(Date.now() + hours * 3600 * 1000);
      return (DAYS[lang] || DAYS.id)[d.getUTCDay()] + " " + pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) +
        " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " " + label;
    }
  };

  /* A new map loads into the hidden frame; when it has loaded it becomes the front one and the old map is
   * unloaded, so only one map lives in memory between rebuilds. */
  document.addEventListener("load", function (e) {
    var f = e.target;
    var src = f && f.tagName === "IFRAME" ? f.getAttribute("src") : null;
    if (!src || src === "about:blank" || !f.classList.contains("map-frame")) { return; }
    var siblings = f.parentElement ? f.parentElement.querySelectorAll("iframe.map-frame") : [];
    for (var i = 0; i < siblings.length; i++) {
      if (siblings[i] !== f) {
        siblings[i].classList.remove("front");
        siblings[i].classList.add("back");
        if (siblings[i].getAttribute("src")) { siblings[i].setAttribute("src", "about:blank"); }
      }
    }
    f.classList.remove("back");
    f.classList.add("front");
  }, true);

  /* Reconnecting: the heartbeat changes on every good refresh; when it stops, say so (figures stay). */
  var beat = { text: null, at: Date.now(), gap: 15000 };
  function watchHeartbeat(root, now) {
    var el = document.getElementById("wall-heartbeat");
    if (!el) { return; }
    if (el.textContent !== beat.text) {
      /* the gap between good refreshes, learnt from the beats; it falls at most by half per beat, so two
         quick beats at start-up (first render, then the first tick) do not make a normal gap look like a loss */
      if (beat.text !== null) { beat.gap = Math.max(1000, beat.gap / 2, Math.min(120000, now - beat.at)); }
      beat.text = el.textContent;
      beat.at = now;
    }
    root.classList.toggle("is-reconnecting", now - beat.at > 3 * beat.gap + 5000);
  }

  /* The playlist: slots are all rendered; only the visible one changes. */
  var play = { idx: 0, elapsed: 0, paused: false, last: Date.now(), takeover: false, sent: "", root: null };

  function slotsOf(root) {
    return Array.prototype.slice.call(root.querySelectorAll(".wall-slot[data-dwell]:not(.wall-takeover)"));
  }

  function pushPosition(n) {
    var pos = { current: play.idx, next: n > 1 ? (play.idx + 1) % n : play.idx, takeover: play.takeover };
    var key = JSON.stringify(pos);
    if (key !== play.sent && ns.set_props) { play.sent = key; ns.set_props("wall-position", { data: pos }); }
  }

  function show(root, i) {
    var slots = slotsOf(root);
    if (!slots.length) { return; }
    play.idx = ((i % slots.length) + slots.length) % slots.length;
    play.elapsed = 0;
    slots.forEach(function (s, k) { s.classList.toggle("active", k === play.idx); });
    root.setAttribute("data-current", String(play.idx));
    pushPosition(slots.length);
  }

  function act(action) {
    var root = document.querySelector(".wall.playlist");
    if (!root) { return; }
    if (action === "pause") { play.paused = !play.paused; root.classList.toggle("paused", play.paused); }
    if (action === "next") { show(root, play.idx + 1); }
    if (action === "prev") { show(root, play.idx - 1); }
  }

  document.addEventListener("keydown", function (e) {
    if (!document.querySelector(".wall.playlist")) { return; }
    var map = { " ": "pause", Spacebar: "pause", ArrowRight: "next", ArrowLeft: "prev", PageDown: "next", PageUp: "prev" };
    if (map[e.key]) { e.preventDefault(); act(map[e.key]); }
  });
  document.addEventListener("click", function (e) {
    var btn = e.target && e.target.closest ? e.target.closest(".wall-ctl[data-action]") : null;
    if (btn) { act(btn.getAttribute("data-action")); }
  });
  document.addEventListener("pointerdown", function () {
    var root = document.querySelector(".wall.kiosk");
    if (!root) { return; }
    root.classList.add("show-controls");
    clearTimeout(play.hide);
    play.hide = setTimeout(function () { root.classList.remove("show-controls"); }, 6000);
  });

  function tickPlaylist(root, now) {
    var dt = now - play.last;
    play.last = now;
    if (root !== play.root) { play.root = root; play.sent = ""; play.paused = false; play.takeover = false; show(root, 0); }
    var slots = slotsOf(root);
    if (!slots.length) { return; }
    var takeoverSlot = root.querySelector(".wall-takeover");
    var alert = root.querySelector(".wall-takeover [data-alert]");
    play.takeover = !!alert;
    if (takeoverSlot) { takeoverSlot.classList.toggle("active", play.takeover); }
    root.classList.toggle("taken-over", play.takeover);
    pushPosition(slots.length);
    if (play.takeover) { return; }
    var dwell = 1000 * (parseFloat(slots[play.idx].getAttribute("data-dwell")) || 30);
    if (!play.paused) { play.elapsed += dt; }
    if (play.elapsed >= dwell) { show(root, play.idx + 1); }
    var fill = root.querySelector(".wall-progress-fill");
    if (fill) { fill.style.transform = "scaleX(" + Math.max(0, 1 - play.elapsed / dwell).toFixed(4) + ")"; }
  }

  setInterval(function () {
    var root = document.getElementById("wall-root");
    var now = Date.now();
    if (!root) { play.root = null; play.last = now; return; }
    watchHeartbeat(root, now);
    if (root.classList.contains("playlist")) { tickPlaylist(root, now); } else { play.last = now; }
  }, 200);
})();
