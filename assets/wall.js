/* The wall in the browser: the city's clock (WIB, WITA or WIT), map double-buffering, "reconnecting" mark, playlist rotation.
 * Everything here polls the DOM by id/class, so it survives Dash re-rendering the page, keeps no
 * growing state, and never reloads the page. */
(function () {
  "use strict";
  var ns = (window.dash_clientside = window.dash_clientside || {});
  var DAYS = { id: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"], en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] };
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* A moment as the city's wall clock reads it (its pack's zone, written on the clock element; no daylight saving
   * in Indonesia), whatever zone the wall PC is set to: read it with the getUTC* methods. */
  function cityDate(ms) {
    var el = document.getElementById("wall-clock");
    var hours = el ? Number(el.getAttribute("data-offset-hours") || 7) : 7;
    return new Date(ms + hours * 3600 * 1000);
  }

  ns.wall = {
    clock: function (_n, params) {
      var lang = (params && params.lang) || "id";
      var el = document.getElementById("wall-clock");
      var label = (el && el.getAttribute("data-zone")) || "WIB";
      var d = cityDate(Date.now());
      return (DAYS[lang] || DAYS.id)[d.getUTCDay()] + " " + pad(d.getUTCDate()) + "/" + pad(d.getUTCMonth() + 1) +
        " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " " + label;
    }
  };

  /* Whether a frame holds a map: a load that failed (server restarting, an error answer) leaves the browser's
   * error page or a message, which must never replace the map on screen. */
  function holdsMap(frame) {
    try { return !!(frame.contentDocument && frame.contentDocument.querySelector(".folium-map")); } catch (e) { return false; }
  }

  /* A new map loads into the hidden frame; when it has loaded it becomes the front one and the old map is
   * unloaded, so only one map lives in memory between rebuilds. */
  document.addEventListener("load", function (e) {
    var f = e.target;
    var src = f && f.tagName === "IFRAME" ? f.getAttribute("src") : null;
    if (!src || src === "about:blank" || !f.classList.contains("map-frame") || !holdsMap(f)) { return; }
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

  /* Reconnecting: the heartbeat changes on every good refresh and reads "warming" while the server is still
   * computing its figures (callbacks/warm.py); when it stops or warms, say so and since when the figures on
   * screen are ("data terakhir 17:42"). Failed refreshes never touch the panels, so the last figures stay. */
  var beat = { text: null, at: Date.now(), gap: 15000, good: null };
  function watchHeartbeat(root, now) {
    var el = document.getElementById("wall-heartbeat");
    if (!el) { return; }
    var warming = el.textContent === "warming";
    if (el.textContent !== beat.text) {
      /* the gap between good refreshes, learnt from the beats; it falls at most by half per beat, so two
         quick beats at start-up (first render, then the first tick) do not make a normal gap look like a loss;
         the beat that ends an outage is no measure of the normal gap */
      var lost = root.classList.contains("is-reconnecting");
      if (beat.text !== null && !lost) { beat.gap = Math.max(1000, beat.gap / 2, Math.min(120000, now - beat.at)); }
      beat.text = el.textContent;
      beat.at = now;
      if (beat.text && !warming) { beat.good = now; }
    }
    var marked = warming || now - beat.at > 3 * beat.gap + 5000;
    var since = root.querySelector(".reconnecting-since");
    if (marked && since) {
      var d = beat.good === null ? null : cityDate(beat.good);
      var text = d ? since.getAttribute("data-words") + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " \u00b7 " : "";
      if (since.textContent !== text) { since.textContent = text; }
    }
    root.classList.toggle("is-reconnecting", marked);
  }

  /* The playlist: slots are all rendered; only the visible one changes. */
  var play = { idx: 0, elapsed: 0, paused: false, last: Date.now(), takeover: false, sent: "", root: null,
               shown: loadShown() };

  /* alerts already shown (id -> ms on screen), kept for the browser tab so a reload does not replay them;
     only the newest few are kept */
  function loadShown() {
    try { return JSON.parse(window.sessionStorage.getItem("wall-takeover-shown") || "{}") || {}; } catch (e) { return {}; }
  }
  function rememberShown() {
    var keys = Object.keys(play.shown);
    if (keys.length > 50) { keys.slice(0, keys.length - 50).forEach(function (k) { delete play.shown[k]; }); }
    try { window.sessionStorage.setItem("wall-takeover-shown", JSON.stringify(play.shown)); } catch (e) { /* private mode */ }
  }

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
    var id = alert ? alert.getAttribute("data-alert") : null;
    var limit = 1000 * (parseFloat(takeoverSlot && takeoverSlot.getAttribute("data-takeover-s")) || 60);
    /* each new danger alert takes the wall over once, for a bounded time; then the rotation resumes and the
       alert stays as a banner until someone acknowledges it (it then leaves the takeover query) */
    if (id && play.shown[id] === undefined) { play.shown[id] = 0; rememberShown(); }
    if (id && play.shown[id] < limit) { play.shown[id] += dt; if (play.shown[id] >= limit) { rememberShown(); } }
    play.takeover = !!id && play.shown[id] < limit;
    if (takeoverSlot) { takeoverSlot.classList.toggle("active", play.takeover); }
    root.classList.toggle("taken-over", play.takeover);
    root.classList.toggle("alert-banner", !!id && !play.takeover);
    pushPosition(slots.length);
    if (play.takeover) { return; }
    var dwell = 1000 * (parseFloat(slots[play.idx].getAttribute("data-dwell")) || 30);
    if (!play.paused) { play.elapsed += dt; }
    if (play.elapsed >= dwell) { show(root, play.idx + 1); }
    var fill = root.querySelector(".wall-progress-fill");
    if (fill) { fill.style.transform = "scaleX(" + Math.max(0, 1 - play.elapsed / dwell).toFixed(4) + ")"; }
  }

  /* Boxes of items that show whole items only: from the box's current first item, as many as fit; the rest are
   * hidden. The ticker turns its page every TICKER_PAGE_MS and says which items show ("4-6 / 39"). */
  var TICKER_PAGE_MS = 7000;
  function fitFrom(box, items, start, reserve) {
    var room = box.clientWidth - reserve;
    var gap = parseFloat(window.getComputedStyle(box).columnGap) || 0;
    var used = 0;
    var shown = 0;
    items.forEach(function (el) { el.style.display = "none"; });
    for (var k = 0; k < items.length - start; k++) {
      var el = items[start + k];
      el.style.display = "";
      var w = el.offsetWidth + (shown ? gap : 0);
      if (shown && used + w > room) { el.style.display = "none"; break; }
      used += w;
      shown += 1;
    }
    return shown;
  }

  function pageTickers(now) {
    var boxes = document.querySelectorAll(".wall-slot.active .wall-ticker");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var items = Array.prototype.slice.call(box.querySelectorAll(".tick:not(.tick-lead)"));
      var lead = box.querySelector(".tick-lead");
      var count = box.querySelector(".ticker-count");
      if (!items.length) { continue; }
      var start = Number(box.getAttribute("data-start") || 0);
      var turned = Number(box.getAttribute("data-turned") || 0);
      if (now - turned > TICKER_PAGE_MS) {
        start = turned ? Number(box.getAttribute("data-next") || 0) : 0;
        box.setAttribute("data-turned", String(now));
      }
      if (start >= items.length) { start = 0; }
      var gap = parseFloat(window.getComputedStyle(box).columnGap) || 0;
      var reserve = (lead ? lead.offsetWidth + gap : 0) + (count ? count.offsetWidth + gap : 0);
      var shown = fitFrom(box, items, start, reserve);
      box.setAttribute("data-start", String(start));
      box.setAttribute("data-next", String(start + shown >= items.length ? 0 : start + shown));
      if (count) {
        var text = shown >= items.length ? String(items.length) :
          (start + 1) + (shown > 1 ? "\u2013" + (start + shown) : "") + " / " + items.length;
        if (count.textContent !== text) { count.textContent = text; }
      }
    }
  }

  /* The header's feed chips: stale ones first (the server orders them), those that do not fit summarised "+3". */
  function fitChips() {
    var box = document.getElementById("wall-health");
    if (!box) { return; }
    var chips = Array.prototype.slice.call(box.querySelectorAll(".feed-chip:not(.feed-more)"));
    var more = box.querySelector(".feed-more");
    if (!chips.length || !more) { return; }
    more.style.display = "";
    var shown = fitFrom(box, chips, 0, more.offsetWidth + 8);
    var hidden = chips.slice(shown);
    if (!hidden.length) { more.style.display = "none"; return; }
    var text = "+" + hidden.length;
    if (more.textContent !== text) { more.textContent = text; }
    more.setAttribute("title", hidden.map(function (c) { return c.textContent; }).join("\n"));
  }

  /* Lists show whole rows only: a row the panel has no room for is hidden, never cut in half (4K, small tablets). */
  function fitRows() {
    var lists = document.querySelectorAll(".wall-slot.active .wall-stream, .wall-slot.active .wall-sensor-attention");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i];
      var rows = Array.prototype.slice.call(list.children);
      rows.forEach(function (r) { r.style.display = ""; });
      var bottom = list.getBoundingClientRect().top + list.clientHeight + 1;
      rows.forEach(function (r, k) { if (k > 0 && r.getBoundingClientRect().bottom > bottom) { r.style.display = "none"; } });
    }
  }

  /* Plotly sizes text in pixels: give the wall's charts the wall's type size (0.95 vw, at least 18 px), so a
   * chart reads from the same distance at 1080p and at 4K. */
  function scalePlots() {
    if (!window.Plotly) { return; }
    var want = Math.max(18, Math.round(window.innerWidth * 0.0095));
    var plots = document.querySelectorAll(".wall-slot.active .js-plotly-plot");
    for (var i = 0; i < plots.length; i++) {
      var full = plots[i]._fullLayout;
      if (full && full.font && full.font.size !== want) { window.Plotly.relayout(plots[i], { "font.size": want }); }
    }
  }

  setInterval(function () {
    var root = document.getElementById("wall-root");
    var now = Date.now();
    if (!root) { play.root = null; play.last = now; return; }
    watchHeartbeat(root, now);
    pageTickers(now);
    fitChips();
    fitRows();
    scalePlots();
    if (root.classList.contains("playlist")) { tickPlaylist(root, now); } else { play.last = now; }
  }, 200);
})();
