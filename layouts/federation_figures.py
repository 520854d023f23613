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
SCALE = [[0.0, "#d55e00"], [0.5, "#e69f00"], [1.0, "#009e73"]]  # colour-blind safe, bad -> good
STALE_GREY = "#5b6678"
NEVER_GREY = "#2b3342"
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


def _hover(row: pd.Series, measure: str, lang: str) -> str:
    better, decimals, suffix = MEASURES[measure]
    value = row.get(measure)
    shown = "—" if value is None or pd.isna(value) else fmt_number(float(value), lang, decimals) + suffix
    state = t("fed_stale", lang) if row["stale"] else t("fed_fresh", lang)
    return f"<b>{escape(row['name'])}</b><br>{t(f'fed_{measure}', lang)}: {shown}<br>{state} · {row['zone_label']}"


def members_map(
    board: pd.DataFrame,
    outlines: dict,
    context: dict,
    measure: str,
    lang: str,
    viewport: tuple[int, int],
    bounds: tuple[float, float, float, float] | None,
) -> go.Figure:
    """Members coloured by `measure`; stale members grey with their last figures in the hover, members that
    never answered dark; the provinces they lie in drawn as faint lines for place."""
    better, _, _ = MEASURES[measure]
    font = max(14, round(viewport[0] / 110))
    fresh = board[~board["stale"].astype(bool) & board["has_figures"].fillna(False).astype(bool)]
    stale = board[board["stale"].astype(bool) & board["has_figures"].fillna(False).astype(bool)]
    never = board[~board["has_figures"].fillna(False).astype(bool)]
    fig = go.Figure()
    for frame, colour in ((stale, STALE_GREY), (never, NEVER_GREY)):
        if len(frame):
            fig.add_trace(
                go.Choroplethmap(
                    geojson=outlines,
                    locations=frame["code"].to_numpy(),
                    z=[1] * len(frame),
                    colorscale=[[0, colour], [1, colour]],
                    showscale=False,
                    marker_line_color="#a9b6c9",
                    marker_line_width=1,
                    hovertext=[_hover(r, measure, lang) for _, r in frame.iterrows()],
                    hoverinfo="text",
                )
            )
    if len(fresh):
        values = pd.to_numeric(fresh[measure], errors="coerce").to_numpy(dtype=float)
        fig.add_trace(
            go.Choroplethmap(
                geojson=outlines,
                locations=fresh["code"].to_numpy(),
                z=values,
                colorscale=SCALE if better == "higher" else SCALE[::-1],
                marker_line_color="#f4f7fb",
                marker_line_width=1.5,
                hovertext=[_hover(r, measure, lang) for _, r in fresh.iterrows()],
                hoverinfo="text",
                colorbar={
                    "title": {"text": t(f"fed_{measure}", lang), "side": "right"},
                    "thickness": font,
                    "tickfont": {"size": font},
                    "x": 0.99,
                    "xanchor": "right",
                    "len": 0.7,
                    "bgcolor": "rgba(7,11,20,0.6)",
                },
            )
        )
    centre, zoom = fit_zoom(bounds, viewport)
    fig.update_layout(
        map={
            "style": "white-bg",
            "center": centre,
            "zoom": zoom,
            "layers": [
                {"source": context, "type": "line", "color": "#3d4d6b", "line": {"width": 1}, "below": "traces"}
            ],
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor="#070b14",
        font={"color": "#f4f7fb", "size": font},
        showlegend=False,
        uirevision=measure,
    )
    return fig


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
        xaxis={"title": {"text": t("fed_local_day", lang)}},
    )
    return fig
