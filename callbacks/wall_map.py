"""The map of a wall slot, rebuilt only when what it draws changed, loaded into the hidden frame and swapped.

The map is its own page (GET /maps/wall), not an iframe srcdoc: a srcdoc frame inherits the app's CSP,
which forbids folium's inline scripts; the map page allows exactly its own scripts by hash.

What it draws (district values, sensor states, recent complaints) comes from the screens' shared cache
(`recent`: between data changes a tick costs a cache hit); when that content is the same, nothing is
rebuilt. Popups carry values and ages, so the map is also renewed every few minutes.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from dash import MATCH, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import Response, request

from callbacks.cache import recent
from callbacks.changes import changed_parts, signature
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import district_figures, sensor_figures, should_refresh, slot_district, slot_lang
from data.memo import SETTLED_TTL_S, Unkeyed
from data.queries.sensors import hourly_trend
from data.queries.wall import district_names, district_shapes, recent_complaint_points
from layouts import ids
from layouts.i18n import lang_of
from layouts.maps import MEASURES, MapOptions, build_map_html
from layouts.wall_screens import slot_id, slot_params_id

RENEW_EVERY_S = 300
MAP_DOMAINS = ("complaints", "observations", "alerts", "sensors")
MAP_FRAME_PATH = "/maps/wall"  # under /maps/, which needs the wall permission (data/auth/access.py)


def content_signature(districts, sensors, points, bucket: int) -> str:  # noqa: ANN001 - small frames
    """What the map draws, reduced to a hash: values per district, each sensor's state, the heat points."""
    return signature(
        districts[["code", "open", "late", "per_10k", "alerts"]].to_csv(index=False),
        "" if sensors.empty else sensors[["id", "state"]].to_csv(index=False),
        f"{len(points)}:{points.tail(1).to_csv(index=False) if len(points) else ''}",
        bucket,
    )


def map_figures(district: str | None) -> tuple:
    """What the map draws: district values, sensor states, recent complaint points (shared, cached)."""
    engine, moment = runtime().engine, now()
    points = recent(("complaints",), recent_complaint_points, engine, Unkeyed(moment), district=district)
    return district_figures(), sensor_figures(), points


def map_frame_page(district: str | None, measure: str, lang: str, interactive: bool) -> str:
    """The map's whole HTML page for the slot's district, built from the current figures."""
    rt = runtime()
    moment = now()
    districts, sensors, points = map_figures(district)
    shapes = recent((), district_shapes, rt.engine, ttl_s=SETTLED_TTL_S)
    districts = districts.merge(shapes, on="code", how="left")
    ids_ = sensors["id"].tolist() if not sensors.empty else []
    trends = hourly_trend(rt.engine, ids_, moment - timedelta(hours=24), moment + timedelta(hours=1))
    sparks = {sid: group["mean"].round(2).tolist() for sid, group in trends.groupby("sensor_id")}
    options = MapOptions(
        measure=measure,
        lang=lang,
        tile_url=rt.settings.tile_url,
        tile_attribution=rt.settings.tile_attribution,
        focus_district=district,
        interactive=interactive,
    )
    return build_map_html(districts, sensors, points, options, sparks)


def map_page(district: str | None, measure: str, lang: str, interactive: bool) -> str:
    """~2 s of folium at 500 sensors: built once per data change for every screen showing this map."""
    return recent(MAP_DOMAINS, map_frame_page, district, measure, lang, interactive)


def map_frame() -> Response:
    """GET /maps/wall: the map page, with a CSP that allows exactly its own inline scripts (by hash)."""
    args = request.args
    district = args.get("district") or None
    if district and district not in district_names(runtime().engine):
        return Response(f"unknown district {district!r}", status=404, mimetype="text/plain")
    measure = args.get("measure") if args.get("measure") in MEASURES else "per_10k"
    lang, interactive = lang_of(args.get("lang")), args.get("kiosk") != "1"
    page = map_page(district, measure, lang, interactive)
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = frame_csp(page)
    return response


def frame_csp(page: str) -> str:
    """script-src 'self' plus the sha256 of each inline script of this very page, nothing else."""
    hashes = []
    for body in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, flags=re.DOTALL | re.IGNORECASE):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return (
        f"default-src 'self'; script-src 'self' {' '.join(sorted(set(hashes)))}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {_tile_origin(runtime().settings.tile_url)}; font-src 'self' data:; "
        "frame-ancestors 'self'; base-uri 'self'; object-src 'none'"
    )


def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def render_map(tick: int | None, params: dict, state: dict, position: dict | None) -> tuple:
    """A new address for the hidden frame when what the map draws changed; nothing otherwise."""
    params = params or {}
    by_params = ctx.triggered_id == slot_params_id(params.get("slot"))
    if tick and not by_params and not should_refresh(params.get("slot"), position):
        raise PreventUpdate
    moment = now()
    lang, district = slot_lang(params), slot_district(params)
    measure = (state or {}).get("measure") or "per_10k"
    bucket = int(moment.timestamp() // RENEW_EVERY_S)
    key = repr((measure, district, lang, bucket))
    districts, sensors, points = map_figures(district)  # a cache hit between data changes
    drawn = content_signature(districts, sensors, points, bucket)
    new_state = {**(state or {}), "key": key}
    if not changed_parts([drawn], [state["signature"]] if state and state.get("signature") else None):
        if state and state.get("key") == key:
            raise PreventUpdate
        return no_update, no_update, new_state
    query = {"lang": lang, "measure": measure, "v": drawn[:16]}
    if district:
        query["district"] = district
    if params.get("kiosk"):
        query["kiosk"] = "1"
    src = f"{MAP_FRAME_PATH}?{urlencode(query)}"
    n = int((state or {}).get("n", 0)) + 1
    new_state.update(signature=drawn, n=n)
    return (src, no_update, new_state) if n % 2 else (no_update, src, new_state)


def register(app: Dash) -> None:
    app.server.add_url_rule(MAP_FRAME_PATH, "wall_map_frame", map_frame)
    guarded_callback(
        app,
        "wall",
        Output(slot_id(ids.WALL_MAP_A, MATCH), "src"),
        Output(slot_id(ids.WALL_MAP_B, MATCH), "src"),
        Output(slot_id(ids.WALL_MAP_STATE, MATCH), "data"),
        Input(ids.WALL_TICK, "n_intervals"),
        Input(slot_params_id(MATCH), "data"),
        State(slot_id(ids.WALL_MAP_STATE, MATCH), "data"),
        State(ids.WALL_POSITION, "data"),
    )(render_map)
