"""/wall/cctv callbacks: which cameras, their states (server, each wall tick) and their pictures (browser, 1 s).

The server decides what is online; the browser only refreshes pictures of visible online tiles at each
camera's interval, covers a tile whose picture failed or is overdue, and shows each picture's age.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import MATCH, Dash, Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks.cache import recent
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import should_refresh, slot_district, slot_lang
from data.cctv import camera_page, cameras, incident_point, nearest_cameras
from data.memo import Unkeyed
from layouts import ids
from layouts.i18n import t
from layouts.wall_cctv import (
    DEFAULT_PER_PAGE,
    DEFAULT_ROTATE_S,
    MIN_ROTATE_S,
    PER_PAGE_CHOICES,
    camera_tile,
    grid_class,
    head,
)
from layouts.wall_screens import slot_id, slot_params_id

CLIENTSIDE = """
function(n) {
    const now = Date.now();
    const screen = document.querySelector('.cctv-screen');
    const ageWords = screen ? screen.dataset.age : '{n} s';
    const loadHls = function(done) {
        if (window.Hls) { done(); return; }
        let tag = document.getElementById('cctv-hls-js');
        if (!tag) {
            tag = document.createElement('script');
            tag.id = 'cctv-hls-js';
            tag.src = screen ? screen.dataset.hls : '';
            document.head.appendChild(tag);
        }
        tag.addEventListener('load', done);
    };
    document.querySelectorAll('.cctv-tile.online').forEach(function(tile) {
        const media = tile.querySelector('.cctv-media');
        if (!media) { return; }
        const kind = media.dataset.kind;
        const src = media.dataset.src;
        if (media.dataset.bound !== src) {
            media.dataset.bound = src;
            media.dataset.requestedAt = String(now);
            const ok = function() { tile.dataset.loadedAt = String(Date.now()); tile.classList.remove('failed'); };
            media.onload = ok;
            media.onplaying = ok;
            media.onerror = function() { tile.classList.add('failed'); };
            if (kind === 'snapshot' && media.complete && media.naturalWidth > 0) { ok(); }
            if (kind === 'hls') {
                if (media.canPlayType('application/vnd.apple.mpegurl')) { media.src = src; }
                else {
                    loadHls(function() {
                        if (!window.Hls || !window.Hls.isSupported()) { tile.classList.add('failed'); return; }
                        const hls = new window.Hls();
                        hls.on(window.Hls.Events.ERROR, function(e, d) {
                            if (d.fatal) { tile.classList.add('failed'); }
                        });
                        hls.loadSource(src);
                        hls.attachMedia(media);
                    });
                }
            }
        }
        if (kind !== 'snapshot') { return; }
        const every = 1000 * (parseInt(media.dataset.interval, 10) || 10);
        const visible = tile.offsetParent !== null;
        if (visible && now - parseInt(media.dataset.requestedAt || '0', 10) >= every) {
            media.dataset.requestedAt = String(now);
            media.src = src + (src.indexOf('?') >= 0 ? '&' : '?') + '_t=' + now;
        }
        const loaded = parseInt(tile.dataset.loadedAt || '0', 10);
        const age = tile.querySelector('.cctv-age');
        if (loaded && age) { age.textContent = ageWords.replace('{n}', Math.round((now - loaded) / 1000)); }
        tile.classList.toggle('late', visible && (!loaded ? now - parseInt(media.dataset.requestedAt, 10) > 3 * every
                                                          : now - loaded > 3 * every));
    });
    return n;
}
"""


def _int(values: list[str] | None, default: int) -> int:
    try:
        return int((values or [""])[0])
    except ValueError:
        return default


def choose(params: dict | None, search: str | None) -> dict:
    """The screen's choice from the slot and the page's query: cameras list, incident, district, paging."""
    query = parse_qs((search or "").lstrip("?"))
    per_page = _int(query.get("per_page"), DEFAULT_PER_PAGE)
    per_page = min(PER_PAGE_CHOICES, key=lambda c: abs(c - per_page))
    chosen = [c.strip() for c in ",".join(query.get("cameras", [])).split(",") if c.strip()]
    incident = query.get("incident", [""])[0].strip()
    return {
        "per_page": per_page,
        "rotate_s": max(MIN_ROTATE_S, _int(query.get("rotate"), DEFAULT_ROTATE_S)),
        "cameras": chosen,
        "incident": int(incident) if incident.isdigit() else (incident or None),
        "district": slot_district(params),
    }


def render_grid(_tick: int | None, params: dict | None, search: str | None, position: dict | None) -> tuple:
    """Tiles for the chosen cameras (a page of them when rotating), with the head line and grid size."""
    if not should_refresh((params or {}).get("slot"), position):
        raise PreventUpdate
    lang = slot_lang(params)
    rt = runtime()
    moment = now()
    choice = choose(params, search)
    if choice["incident"] is not None:
        point = incident_point(rt.engine, choice["incident"]) if isinstance(choice["incident"], int) else None
        if point is None:
            message = t("cctv_unknown_incident", lang).format(id=choice["incident"])
            return [message], [], grid_class(choice["per_page"]) + " empty"
        frame = nearest_cameras(rt.engine, point[0], point[1], choice["per_page"], moment)
        title = t("cctv_incident", lang).format(id=choice["incident"])
    else:
        frame = recent(("observations", "sensors"), cameras, rt.engine, Unkeyed(moment), choice["district"])
        if choice["cameras"]:
            frame = frame[frame["id"].isin(choice["cameras"])]
            title = t("cctv_chosen", lang)
        else:
            title = t("cctv_all", lang)
    if frame.empty:
        return [t("cctv_none", lang)], [], grid_class(choice["per_page"]) + " empty"
    online, total = int(frame["online"].sum()), len(frame)
    page_no = int(moment.timestamp() // choice["rotate_s"])
    shown, page, pages = camera_page(frame, choice["per_page"], page_no)
    tiles = [camera_tile(cam, lang) for cam in shown.to_dict("records")]
    return head(title, online, total, page, pages, lang), tiles, grid_class(choice["per_page"])


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "wall",
        Output(slot_id(ids.WALL_CCTV_HEAD, MATCH), "children"),
        Output(slot_id(ids.WALL_CCTV_GRID, MATCH), "children"),
        Output(slot_id(ids.WALL_CCTV_GRID, MATCH), "className"),
        Input(ids.WALL_TICK, "n_intervals"),
        State(slot_params_id(MATCH), "data"),
        State(ids.URL, "search"),
        State(ids.WALL_POSITION, "data"),
    )(render_grid)
    app.clientside_callback(
        CLIENTSIDE,
        Output(slot_id(ids.WALL_CCTV_JS, MATCH), "data"),
        Input(slot_id(ids.WALL_CCTV_PULSE, MATCH), "n_intervals"),
    )


__all__ = ["choose", "register", "render_grid"]
