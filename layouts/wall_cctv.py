"""/wall/cctv: a grid of the city's cameras, each with its latest picture, name, age and online state.

Choose cameras by district (the slot's district), by incident (?incident=ID: the nearest cameras), by list
(?cameras=cctv-001,cctv-004) or let all cameras rotate page by page (?rotate=seconds, ?per_page=4..16).
An offline camera is drawn as offline, with no picture at all; a snapshot that fails to load or stops
refreshing is covered too, so the wall never shows a frozen image as if it were live. Snapshots refresh
at each camera's own interval in the browser (clientside), MJPEG streams play in an <img>, HLS streams in
a <video> through the vendored hls.js.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import dcc, html

from layouts import ids
from layouts.i18n import fmt_age, t
from layouts.offline_assets import HLS_JS
from layouts.wall_screens import ScreenContext, WallScreen, register_screen, slot_id

PER_PAGE_CHOICES = (4, 6, 9, 12, 16)
DEFAULT_PER_PAGE = 12
DEFAULT_ROTATE_S = 20
MIN_ROTATE_S = 10


def media_kind(stream_url: str | None, snapshot_url: str | None) -> str:
    """How a browser can show the camera: 'hls', 'mjpeg', 'snapshot', or 'none' (e.g. an RTSP-only camera)."""
    stream = stream_url.strip().lower() if isinstance(stream_url, str) else ""
    path = stream.split("?", 1)[0]
    if stream.startswith(("http://", "https://", "/")):
        if path.endswith(".m3u8"):
            return "hls"
        if path.endswith((".mjpg", ".mjpeg", ".cgi")) or "mjpeg" in stream or "mjpg" in stream:
            return "mjpeg"
    return "snapshot" if isinstance(snapshot_url, str) and snapshot_url.strip() else "none"


def cctv_screen_url(
    cameras: list[str] | None = None, incident: int | None = None, district: str | None = None, lang: str = "id"
) -> str:
    """The CCTV screen showing given cameras or an incident's nearest ones (for incident tiles to link to)."""
    query: dict[str, str] = {}
    if cameras:
        query["cameras"] = ",".join(cameras)
    if incident is not None:
        query["incident"] = str(int(incident))
    if district:
        query["district"] = district
    if lang != "id":
        query["lang"] = lang
    return "/wall/cctv" + (f"?{urlencode(query)}" if query else "")


def cctv_screen(ctx: ScreenContext) -> html.Div:
    """The empty grid; a 1 s pulse drives the clientside picture refresh, the wall tick the camera states."""
    words = {
        "data-age": t("cctv_age", ctx.lang),
        "data-hls": HLS_JS,
    }
    return html.Div(
        [
            dcc.Interval(id=slot_id(ids.WALL_CCTV_PULSE, ctx), interval=1000),
            dcc.Store(id=slot_id(ids.WALL_CCTV_JS, ctx)),
            html.Div(id=slot_id(ids.WALL_CCTV_HEAD, ctx), className="cctv-head"),
            html.Div(id=slot_id(ids.WALL_CCTV_GRID, ctx), className="cctv-grid n12"),
        ],
        className="screen cctv-screen",
        **words,
    )


def _media(cam: dict, kind: str, lang: str) -> html.Img | html.Video | html.Div:
    interval = str(int(cam.get("snapshot_interval_s") or 10))
    if kind == "hls":
        return html.Video(className="cctv-media", muted=True, autoPlay=True, controls=False,
                          **{"data-kind": "hls", "data-src": cam["stream_url"]})  # fmt: skip
    if kind == "mjpeg":
        return html.Img(src=cam["stream_url"], className="cctv-media", alt=cam["name"],
                        **{"data-kind": "mjpeg", "data-src": cam["stream_url"]})  # fmt: skip
    if kind == "snapshot":
        data = {"data-kind": "snapshot", "data-src": cam["snapshot_url"], "data-interval": interval}
        return html.Img(src=cam["snapshot_url"], className="cctv-media", alt=cam["name"], **data)
    return html.Div([html.I(className="bi bi-camera-video-off"), t("cctv_stream_unplayable", lang)],
                    className="cctv-placeholder")  # fmt: skip


def camera_tile(cam: dict, lang: str) -> html.Div:
    """One camera: its picture (or a clear OFFLINE card), name, state word and picture age."""
    online = cam.get("state") != "offline"
    kind = media_kind(cam.get("stream_url"), cam.get("snapshot_url"))
    if online:
        body = [
            _media(cam, kind, lang),
            html.Div([html.I(className="bi bi-image"), t("cctv_no_image", lang)], className="cctv-cover failed"),
            html.Div([html.I(className="bi bi-hourglass-split"), t("cctv_delayed", lang)], className="cctv-cover late"),
        ]
        age = t("cctv_live", lang) if kind in ("hls", "mjpeg") else ""
        badge = html.Span([html.I(className="bi bi-record-circle"), t("online", lang)], className="cctv-badge online")
    else:
        body = [
            html.Div(
                [
                    html.I(className="bi bi-camera-video-off"),
                    html.B(t("cctv_offline", lang)),
                    html.Span(f"{t('cctv_last_signal', lang)} {fmt_age(cam.get('age_s'), lang)}"),
                ],
                className="cctv-offline-card",
            )
        ]
        age = ""
        badge = html.Span(
            [html.I(className="bi bi-x-octagon-fill"), t("offline", lang)], className="cctv-badge offline"
        )
    caption = html.Div(
        [html.Span(cam["name"], className="cctv-name"), badge, html.Span(age, className="cctv-age")],
        className="cctv-caption",
    )
    distance = cam.get("distance_m")
    if distance is not None and distance == distance:
        caption.children.insert(1, html.Span(f"{int(distance)} m", className="cctv-distance"))
    return html.Div(
        [html.Div(body, className="cctv-frame"), caption],
        className=f"cctv-tile {'online' if online else 'offline'}",
        **{"data-camera": cam["id"], "data-state": "online" if online else "offline", "data-kind": kind},
    )


def grid_class(per_page: int) -> str:
    return f"cctv-grid n{per_page}"


def head(title: str, online: int, total: int, page: int, pages: int, lang: str) -> list:
    """The line above the grid: what is shown, how many cameras are online, which page."""
    parts = [
        html.Span(title, className="cctv-mode"),
        html.Span(f"{online}/{total} {t('cameras', lang)} {t('online', lang).lower()}", className="cctv-count"),
    ]
    if pages > 1:
        parts.append(html.Span(t("cctv_page", lang).format(page=page, pages=pages), className="cctv-pageno"))
    return parts


register_screen(WallScreen(name="cctv", title_key="screen_cctv", build=cctv_screen, feeds=("sensors.cctv",),
                           order=45))  # fmt: skip
