"""One complaint's detail for analysts: its fields, the timeline of its status changes, and its place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from layouts import ids
from layouts.i18n import category_label, fmt_time_wib, t

FIELDS = (
    ("id", "col_id"),
    ("category", "category"),
    ("status", "status"),
    ("channel", "channel"),
    ("agency", "agency"),
    ("district", "district"),
    ("subdistrict", "subdistrict"),
    ("address", "col_address"),
    ("description", "col_description"),
    ("requested_at", "col_requested_at"),
    ("due_at", "col_due_at"),
    ("closed_at", "col_closed_at"),
    ("source_id", "col_source_id"),
    ("reporter_name", "col_reporter_name"),
    ("reporter_phone", "col_reporter_phone"),
)


def _value(key: str, value: Any, lang: str) -> str:  # noqa: ANN401 - any column's value
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return fmt_time_wib(value, with_date=True)
    if key == "category":
        return category_label(str(value), lang)
    if key == "status":
        return t(str(value), lang)
    if key == "channel":
        return t(f"channel_{value}", lang)
    return str(value)


def location_figure(lat: float, lon: float, geojson: dict, lang: str) -> go.Figure:
    """The complaint as a dot over the kecamatan outlines (no tiles, so it works offline)."""
    fig = go.Figure(
        go.Scattermap(lat=[lat], lon=[lon], mode="markers", marker={"size": 16, "color": "#b3261e"}, hoverinfo="skip")
    )
    fig.update_layout(
        map={
            "style": "white-bg",
            "center": {"lat": lat, "lon": lon},
            "zoom": 12.5,
            "layers": [{"source": geojson, "type": "line", "color": "#5f6b76", "line": {"width": 1.5}}],
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=300,
        separators=",." if lang == "id" else ".,",
    )
    return fig


def record_detail(detail: dict, geojson: dict, lang: str) -> html.Div:
    """Fields (personal ones only when the query returned them), timeline, map."""
    rows = [
        html.Tr([html.Th(t(label, lang)), html.Td(_value(key, detail.get(key), lang))])
        for key, label in FIELDS
        if key in detail
    ]
    steps = [
        html.Li(
            [
                html.Strong(t(step["status"], lang)),
                html.Span(f" · {fmt_time_wib(step['changed_at'], with_date=True)}"),
                html.Div(step["note"], className="analyst-muted") if step.get("note") else None,
            ]
        )
        for step in detail.get("history", [])
    ]
    lat, lon = detail.get("lat"), detail.get("lon")
    place = (
        dcc.Graph(
            figure=location_figure(lat, lon, geojson, lang), config={"displaylogo": False}, id=ids.ANALYST_DETAIL_MAP
        )
        if lat is not None and lon is not None
        else html.P(t("an_no_location", lang), className="analyst-muted")
    )
    return html.Div(
        [
            html.Table(html.Tbody(rows), className="analyst-detail-table", id=ids.ANALYST_DETAIL_FIELDS),
            html.Div(
                [
                    html.H3(t("an_timeline", lang)),
                    html.Ol(steps or [html.Li("—")], className="analyst-timeline", id=ids.ANALYST_DETAIL_TIMELINE),
                    place,
                ]
            ),
        ],
        className="analyst-detail",
    )
