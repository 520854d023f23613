"""Figures of the federation room, built from frames (never queried here): the members' map and the daily
City Score of each member on its own local days."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from layouts.i18n import fmt_number, t

MEASURES = {  # column -> (better, decimals, suffix)
    "score": ("higher", 2, ""),
    "connected_pct": ("higher", 0, " %"),
    "sla_pct": ("higher", 0, " %"),
    "open_per_10k": ("lower", 1, ""),
}
STALE_GREY = "#7b8598"
NEVER_GREY = "#2b3342"
NEVER_AT, STALE_AT, FRESH_FROM = 0.02, 0.08, 0.14
# Colour-blind safe, bad -> good, above two grey bands: silent members, then stale ones (last figures).
BAND_SCALE = [
    [0.0, NEVER_GREY], [0.05, NEVER_GREY], [0.05, STALE_GREY], [0.11, STALE_GREY],
    [0.11, "#d55e00"], [0.57, "#e69f00"], [1.0, "#009e73"],
]  # fmt: skip
OUTLINES_ROUTE = "/federation/outlines/<which>.geojson"  # served by dashboard/federation_routes.py
OUTLINE_URLS = {which: OUTLINES_ROUTE.replace("<which>", which) for which in ("members", "context")}
TILE_PX = 512  # MapLibre's world is 512 px wide at zoom 0
# Offline: no tiles; the "white-bg" style fetches nothing, and the members' provinces give the place.


def escape(text: object) -> str:
    """Names come from other rooms: Plotly reads <b>, <a href> in text, so angle brackets are escaped."""
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def fit_zoom(bounds: tuple[float, float, float, float] | None, viewport: tuple[int, int]) -> tuple[dict, float]:
    """Centre and zoom that show every member in a map pane of about 55% x 80% of the viewport."""
    if bounds is None:
        return {"lat": -2.5, "lon": 118.0}, 3.6
    west, south, east, north = bounds
    width, height = max(320, viewport[0] * 0.55), max(240, viewport[1] * 0.8)
    lon_span = max(east - west, 0.05) * 1.12
    lat_span = max(north - south, 0.05) * 1.12
    zoom_x = math.log2(width * 360 / (TILE_PX * lon_span))
    zoom_y = math.log2(height * 170 / (TILE_PX * lat_span))  # near the equator a degree of latitude ~ longitude
    return {"lat": (south + north) / 2, "lon": (west + east) / 2}, round(min(zoom_x, zoom_y) * 4) / 4


def _hover(row: dict, measure: str, lang: str) -> str:
    better, decimals, suffix = MEASURES[measure]
    value = row.get(measure)
    shown = "—" if value is None or pd.isna(value) else fmt_number(float(value), lang, decimals) + suffix
    state = t("fed_stale", lang) if row["stale"] else t("fed_fresh", lang)
    return f"<b>{escape(row['name'])}</b><br>{t(f'fed_{measure}', lang)}: {shown}<br>{state} · {row['zone_label']}"


def members_map(
    board: pd.DataFrame,
    outlines: str | dict,
    context: str | dict,
    measure: str,
    lang: str,
    viewport: tuple[int, int],
    bounds: tuple[float, float, float, float] | None,
) -> dict:
    """Members coloured by `measure`; stale members grey with their last figures in the hover, members that
    never answered dark; the provinces they lie in drawn as faint lines for place.

    The outlines are GeoJSON or, on the wall, the URL the browser fetches them from once. A plain figure dict:
    plotly's graph objects deep-copy GeoJSON on every build (~0.7 s for 100 members)."""
    better, decimals, suffix = MEASURES[measure]
    font = max(14, round(viewport[0] / 110))
    z, ticks = _scaled(board, measure, better, lang, decimals, suffix)
    colorbar = {
        "title": {"text": t(f"fed_{measure}", lang), "side": "right"}, "thickness": font, "tickfont": {"size": font},
        "tickvals": [v for v, _ in ticks], "ticktext": [label for _, label in ticks],
        "x": 0.99, "xanchor": "right", "len": 0.8, "bgcolor": "rgba(7,11,20,0.7)",
    }  # fmt: skip
    data = [
        {
            "type": "choroplethmap", "geojson": outlines, "locations": board["code"].to_numpy(), "z": z,
            "zmin": 0, "zmax": 1, "colorscale": BAND_SCALE, "colorbar": colorbar,
            "marker": {"line": {"color": "#f4f7fb", "width": 1.2}},
            "hovertext": [_hover(r, measure, lang) for r in board.to_dict("records")], "hoverinfo": "text",
        }
    ]  # fmt: skip
    centre, zoom = fit_zoom(bounds, viewport)
    layers = [{"source": context, "type": "line", "color": "#3d4d6b", "line": {"width": 1}, "below": "traces"}]
    layout = {
        "map": {"style": "white-bg", "center": centre, "zoom": zoom, "layers": layers},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "paper_bgcolor": "#070b14",
        "font": {"color": "#f4f7fb", "size": font},
        "showlegend": False,
        "uirevision": measure,
    }
    return {"data": data, "layout": layout}


def _scaled(
    board: pd.DataFrame, measure: str, better: str, lang: str, decimals: int, suffix: str
) -> tuple[list[float], list[tuple[float, str]]]:
    """One trace for every member (several choropleth traces on one outline URL do not draw): live values
    mapped into the colour band [FRESH_FROM, 1], stale members onto the grey band, silent ones onto the dark one.
    The colour bar's ticks name real values, and the two grey bands as what they mean."""
    has = board["has_figures"].fillna(False).astype(bool).to_numpy()
    stale = board["stale"].astype(bool).to_numpy()
    values = pd.to_numeric(board[measure], errors="coerce").to_numpy(dtype=float)
    live = values[has & ~stale & ~pd.isna(values)]
    low, high = (float(live.min()), float(live.max())) if len(live) else (0.0, 1.0)
    span = (high - low) or 1.0

    def position(value: float) -> float:
        share = (value - low) / span
        return FRESH_FROM + (1 - FRESH_FROM) * (1 - share if better == "lower" else share)

    z = [
        NEVER_AT if not h else STALE_AT if s or pd.isna(v) else position(v)
        for h, s, v in zip(has, stale, values, strict=True)
    ]
    ticks = [(STALE_AT, t("fed_stale", lang)), (NEVER_AT, t("fed_no_figures", lang))]
    if len(live):
        steps = sorted({low, (low + high) / 2, high})
        ticks += [(position(v), fmt_number(v, lang, decimals) + suffix) for v in steps]
    return z, ticks


def score_history(history: pd.DataFrame, lang: str) -> go.Figure:
    """One line per member: its daily City Score over its own local days; the target (1.0) as a dashed line."""
    fig = go.Figure()
    for (_code, name), frame in history.groupby(["code", "name"], sort=True):
        fig.add_trace(
            go.Scatter(
                x=frame["day"].to_numpy(),
                y=pd.to_numeric(frame["score"], errors="coerce").to_numpy(),
                mode="lines+markers",
                name=escape(name),
                hovertemplate="%{x}: %{y:.2f}<extra>%{fullData.name}</extra>",
            )
        )
    fig.add_hline(y=1.0, line_dash="dash", line_color="#8a9bb5")
    fig.update_layout(
        margin={"l": 48, "r": 12, "t": 12, "b": 40},
        height=420,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.18},
        yaxis={"title": {"text": t("fed_score", lang)}},
        xaxis={"title": {"text": t("fed_local_day", lang)}, "tickformat": "%d/%m"},  # no month names
    )
    return fig
