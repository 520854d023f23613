"""Pure builders for the operator's console: detail panels, the incident card, maps and the timeline.

They take plain values and small frames; they never query.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
from dash import html

from data.city import zone
from data.geography import city_map_view
from layouts import ids
from layouts.figure_text import plot_texts
from layouts.i18n import category_label, fmt_number, fmt_time_wib, t

SEVERITY_COLOUR = {"danger": "#d62828", "warning": "#f4a100"}
STATE_CLASS = {"late": "ops-state-late", "due_soon": "ops-state-soon", "on_time": "ops-state-ok", "met": "ops-state-ok"}
MEMBER_STYLE = {
    "complaint": ("#1d4ed8", "circle"),
    "water_level": ("#d62828", "circle"),
    "rainfall": ("#0891b2", "circle"),
    "cctv": ("#111827", "circle"),
}
INCIDENT_MAP_FIT_PX = 320  # the incident map is 380 px tall (assets/ops.css): the rest is margin for the legend
EQUATOR_M = 40_075_016.686


def _row(label: str, value: object) -> html.Div:
    return html.Div([html.Span(label, className="ops-k"), html.Span(str(value), className="ops-v")], className="ops-kv")


SYSTEM_ACTOR = "system"
SYSTEM_NOTES = (  # the notes data.alerts writes as the system, and the words that say them in each language
    (re.compile(r"^condition cleared$"), "ops_note_cleared"),
    (re.compile(r"^eased to (?P<level>warning|danger): (?P<rest>.*)$", re.S), "ops_note_eased"),
    (re.compile(r"^sungai kembali normal, tidak ada laporan baru$"), "ops_note_river_normal"),
    (re.compile(r"^sungai di bawah batas bahaya, tidak ada laporan baru$"), "ops_note_river_below"),
    (re.compile(r"^(?P<n>\d+) → #(?P<to>\d+)$"), "ops_note_moved"),
    (re.compile(r"^\+(?P<n>\d+)$"), "ops_note_joined"),
    (re.compile(r"^Banjir: (?P<place>.+)$", re.S), "ops_note_flood"),
)


def system_note(note: str, lang: str) -> str:
    """A note the system wrote, in the reader's language (anything else as written)."""
    for pattern, key in SYSTEM_NOTES:
        found = pattern.match(note)
        if found:
            fields = found.groupdict()
            if "level" in fields:
                fields["level"] = t(fields["level"], lang).lower()
            return t(key, lang).format(**fields)
    return note


def audit_list(frame: pd.DataFrame, lang: str, now: datetime | None = None) -> html.Div:
    """The log book, newest first: when, who (the system in the reader's language), what, note."""
    items = [
        html.Li(
            [
                html.Span(fmt_time_wib(r.at, with_date=True, now=now), className="ops-audit-at"),
                html.Strong(
                    f" {t('ops_actor_system', lang) if r.actor == SYSTEM_ACTOR else r.actor} ",
                    className="ops-audit-actor",
                ),
                html.Span(t(f"audit_{r.action}", lang)),
                html.Span(
                    f" — {system_note(r.note, lang) if r.actor == SYSTEM_ACTOR else r.note}"
                    if isinstance(r.note, str) and r.note
                    else ""
                ),
            ],
            className=f"ops-audit-{r.action}",
        )
        for r in frame.itertuples()
    ]
    return html.Div([html.H3(t("ops_audit", lang)), html.Ul(items, className="ops-audit")])


def alert_detail(
    alert: dict, audit: pd.DataFrame, district_name: str, lang: str, now: datetime | None = None
) -> html.Div:
    rows = [
        _row(t("ops_severity", lang), t(alert["severity"], lang)),
        _row(t("status", lang), t(alert["status"], lang)),
        _row(t("district", lang), district_name),
        _row(t("ops_opened", lang), fmt_time_wib(alert["opened_at"], with_date=True, now=now)),
    ]
    if alert.get("value") is not None and not pd.isna(alert["value"]):
        rows.append(_row(t("ops_value", lang), fmt_number(alert["value"], lang, 1)))
    if alert.get("threshold") is not None and not pd.isna(alert["threshold"]):
        label = "ops_usual" if alert.get("kind") == "spike" else "ops_limit"  # a spike's threshold is the usual count
        rows.append(_row(t(label, lang), fmt_number(alert["threshold"], lang, 1)))
    if alert.get("sensor_id"):
        rows.append(_row(t("ops_sensor", lang), alert["sensor_id"]))
    if isinstance(alert.get("detail"), str):
        rows.append(html.P(alert["detail"], className="ops-detail-text"))
    return html.Div(
        [
            html.H2(alert["title"], className=f"ops-detail-title ops-sev-{alert['severity']}"),
            *rows,
            audit_list(audit, lang, now),
        ],
        className="ops-detail",
        id=ids.ops_alert(alert["id"]),
    )


def _district_layers(geojson: dict) -> list[dict]:
    return [{"source": geojson, "type": "line", "color": "#64748b", "line": {"width": 1}}]


def alerts_map(frame: pd.DataFrame, geojson: dict, lang: str) -> go.Figure:
    """Alerts with a place, coloured by severity; acknowledged ones hollow so the unowned stand out."""
    fig = go.Figure()
    placed = frame.dropna(subset=["lat", "lon"])
    for severity, part in placed.groupby("severity"):
        acked = part["status"] != "open"
        fig.add_trace(
            go.Scattermap(
                lat=part["lat"].to_numpy(),
                lon=part["lon"].to_numpy(),
                mode="markers",
                marker={"size": (18 if severity == "danger" else 13), "color": SEVERITY_COLOUR.get(severity, "#555"),
                        "opacity": acked.map({True: 0.45, False: 1.0}).to_numpy()},
                text=plot_texts(part["title"]),
                customdata=part["id"].to_numpy(),
                hovertemplate="%{text}<extra></extra>",
                name=t(severity, lang),
            )
        )  # fmt: skip
    fig.update_layout(
        map={"style": "white-bg", **city_map_view(600, 480), "layers": _district_layers(geojson)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.8)"},
        uirevision="ops-alerts",
    )
    return fig


def _circle(lat: float, lon: float, radius_m: float, n: int = 72) -> tuple[list[float], list[float]]:
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * math.cos(math.radians(lat)))
    angles = [2 * math.pi * i / n for i in range(n + 1)]
    return [lat + dlat * math.sin(a) for a in angles], [lon + dlon * math.cos(a) for a in angles]


def fit_zoom(lat: float, extent_m: float, px: int = INCIDENT_MAP_FIT_PX) -> float:
    """The zoom at which a circle of radius `extent_m` around `lat` spans `px` pixels (MapLibre's 512-px tiles)."""
    metres_per_px_at_zoom_0 = EQUATOR_M * math.cos(math.radians(lat)) / 512
    return round(math.log2(metres_per_px_at_zoom_0 * px / (2 * max(extent_m, 50.0))), 2)


def incident_map(card: dict, geojson: dict, lang: str) -> go.Figure:
    """One incident on one map: its radius, the reports (grouped), the gauges and the nearest cameras."""
    inc = card["incident"]
    fig = go.Figure()
    clat, clon = _circle(inc["lat"], inc["lon"], inc["radius_m"])
    fig.add_trace(go.Scattermap(lat=clat, lon=clon, mode="lines", line={"color": "#d62828", "width": 2},
                                name=f"{t('ops_radius', lang)} {fmt_number(inc['radius_m'] / 1000, lang, 1)} km",
                                hoverinfo="skip"))  # fmt: skip
    complaints = card["complaints"].dropna(subset=["lat", "lon"])
    if len(complaints):
        fig.add_trace(
            go.Scattermap(
                lat=complaints["lat"].to_numpy(), lon=complaints["lon"].to_numpy(), mode="markers",
                marker={"size": 11, "color": MEMBER_STYLE["complaint"][0]},
                text=plot_texts("#" + complaints["id"].astype(str) + " " + complaints["description"].fillna("")),
                hovertemplate="%{text}<extra></extra>", name=t("ops_reports", lang),
            )
        )  # fmt: skip
    for kind, part in card["sensors"].groupby("kind"):
        colour = MEMBER_STYLE.get(kind, ("#475569", "circle"))[0]
        label = t("ops_cameras", lang) if kind == "cctv" else t(f"ops_gauges_{kind}", lang)
        fig.add_trace(
            go.Scattermap(
                lat=part["lat"].to_numpy(), lon=part["lon"].to_numpy(), mode="markers",
                marker={"size": 15 if kind != "cctv" else 12, "color": colour},
                text=plot_texts(part["name"]), hovertemplate="%{text}<extra></extra>", name=label,
            )
        )  # fmt: skip
    farthest = pd.concat([card["complaints"]["distance_m"], card["sensors"]["distance_m"]]).max()
    extent = max(inc["radius_m"], 0.0 if pd.isna(farthest) else float(farthest)) * 1.05  # whole circle, all members
    fig.update_layout(
        map={"style": "white-bg", "center": {"lat": inc["lat"], "lon": inc["lon"]},
             "zoom": fit_zoom(inc["lat"], extent), "layers": _district_layers(geojson)},
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"},
        uirevision=f"incident-{inc['id']}",
    )  # fmt: skip
    return fig


def incident_timeline(card: dict, lang: str) -> go.Figure:
    """Reports, alerts and the room's actions on one time axis (the city's zone)."""
    lanes = [
        (t("ops_reports", lang), card["complaints"]["requested_at"], "#" + card["complaints"]["id"].astype(str)),
        (t("ops_alerts", lang), card["alerts"]["opened_at"], card["alerts"]["title"]),
        (
            t("ops_audit", lang),
            card["audit"]["at"],
            card["audit"]["actor"].map(lambda a: t("ops_actor_system", lang) if a == SYSTEM_ACTOR else a)
            + ": "
            + card["audit"]["action"].map(lambda a: t(f"audit_{a}", lang)),
        ),
    ]
    fig = go.Figure()
    city_zone = zone()
    for lane, times, text in lanes:
        wib = pd.to_datetime(times) + pd.Timedelta(city_zone.offset)
        fig.add_trace(go.Scatter(x=wib.to_numpy(), y=[lane] * len(wib), mode="markers", text=plot_texts(text),
                                 marker={"size": 11},
                                 hovertemplate=f"%{{x|%d/%m %H:%M}} {city_zone.label} · %{{text}}<extra></extra>",
                                 showlegend=False))  # fmt: skip
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 30}, height=170, xaxis={"tickformat": "%H:%M"},
                      plot_bgcolor="#f8fafc", paper_bgcolor="rgba(0,0,0,0)")  # fmt: skip
    return fig


def _sensor_counts(gauges: pd.DataFrame, lang: str) -> str:
    """'2 water_level · 8 rainfall' in words: the list itself is on the map, one hover away."""
    counts = gauges.groupby("kind").size()
    return " · ".join(f"{fmt_number(n, lang)} {t(f'ops_gauges_{kind}', lang)}" for kind, n in counts.items()) or "—"


def incident_summary(card: dict, lang: str, now: datetime | None = None) -> html.Div:
    inc = card["incident"]
    sensors = card["sensors"]
    cams = sensors[sensors["kind"] == "cctv"]
    gauges = sensors[sensors["kind"] != "cctv"]
    return html.Div(
        [
            html.H2(
                inc["title"], className=f"ops-detail-title ops-sev-{inc['severity']}", id=ids.ops_incident(inc["id"])
            ),
            html.Div(
                [
                    _row(t("status", lang), t(inc["status"], lang)),
                    _row(t("ops_opened", lang), fmt_time_wib(inc["opened_at"], with_date=True, now=now)),
                    _row(t("agency", lang), inc["agency"] or "—"),
                    _row(
                        t("ops_reports", lang), f"{len(card['complaints'])} ({card['events']} {t('ops_events', lang)})"
                    ),
                    _row(t("ops_sensors_joined", lang), _sensor_counts(gauges, lang)),
                ],
                className="ops-kv-grid",
            ),
            html.Div(
                [html.H3(t("ops_cameras", lang))]
                + [
                    html.A(
                        f"{r.name} · {fmt_number(r.distance_m, lang)} m",
                        href=r.stream_url or r.snapshot_url or "#",
                        target="_blank",
                        className="ops-camera",
                    )
                    for r in cams.itertuples()
                ],
                className="ops-cameras",
            ),  # fmt: skip
        ]
    )


def complaint_file(file: dict, district_name: str, lang: str, now: datetime | None = None) -> html.Div:
    c = file["complaint"]
    state = file["sla_state"]
    history = [
        html.Li(
            f"{fmt_time_wib(r.changed_at, with_date=True, now=now)} · {t(r.status, lang)}"
            + (f" · {r.actor}" if isinstance(r.actor, str) else "")
            + (f" — {r.note}" if isinstance(r.note, str) else "")
        )
        for r in file["history"].itertuples()
    ]
    stages = [
        html.Li(
            [
                html.Span(t(f"stage_{s['stage']}", lang), className="ops-stage-name"),
                html.Span(f"{t('ops_due', lang)} {fmt_time_wib(s['due_at'], with_date=True, now=now)}"),
                html.Span(t(s["state"], lang), className=f"ops-state {STATE_CLASS.get(s['state'], '')}"),
            ],
            className="ops-stage",
        )
        for s in file["stages"]
    ]
    return html.Div(
        [
            html.H2(
                f"{t('ops_complaint', lang)} #{c['id']} · {category_label(c['category'], lang)}",
                className="ops-detail-title",
            ),
            html.Span(t(state, lang), className=f"ops-state {STATE_CLASS.get(state, '')}", id=ids.OPS_COMPLAINT_STATE),
            _row(t("district", lang), district_name),
            _row(t("agency", lang), c.get("agency") or "—"),
            _row(t("ops_requested", lang), fmt_time_wib(c["requested_at"], with_date=True, now=now)),
            _row(t("ops_due", lang), fmt_time_wib(c["due_at"], with_date=True, now=now)),
            html.P(c.get("description") or "", className="ops-detail-text"),
            html.H3(t("ops_stages", lang)),
            html.Ul(stages, className="ops-stages"),
            html.H3(t("ops_history", lang)),
            html.Ul(history, className="ops-history"),
            audit_list(file["audit"], lang, now),
        ]
    )
