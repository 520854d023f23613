"""Lists for a room: the alert ticker, the complaint stream, district bars and sensor states.

Each item says its severity in colour, icon and word, its district and its age, newest first.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from dash import html

from layouts.i18n import category_label, fmt_age, fmt_number, fmt_time_wib, t

SEVERITY_ICONS = {"danger": "bi-x-octagon-fill", "warning": "bi-exclamation-triangle-fill"}
STATE_ICONS = {
    "normal": "bi-check-circle-fill",
    "warning": "bi-exclamation-triangle-fill",
    "danger": "bi-x-octagon-fill",
    "offline": "bi-slash-circle",
}
KINDS = ("water_level", "rainfall", "pm25", "traffic_flow", "noise", "cctv")


def _age(now: datetime, moment: object, lang: str) -> str:
    if moment is None or pd.isna(moment):
        return "—"
    return fmt_age((pd.Timestamp(now) - pd.Timestamp(moment)).total_seconds(), lang)


def ticker_items(
    alerts: pd.DataFrame, complaints: pd.DataFrame, names: dict[str, str], now: datetime, lang: str
) -> list[html.Div]:
    """Live alerts first (danger before warning, newest first), then the newest complaints.

    A lead chip counts the alerts and a counter says which items show ("4-6 / 39"): assets/wall.js pages
    through the items, showing only those that fit whole, so none is cut."""
    items: list[html.Div] = []
    if alerts.empty:
        items.append(html.Div([html.I(className="bi bi-check-circle-fill"), t("no_alerts", lang)], className="tick ok"))
    else:
        items.append(
            html.Div(
                [html.B(fmt_number(len(alerts), lang)), t("alerts_title", lang)],
                className="tick tick-lead",
                **{"data-count": str(len(alerts))},
            )
        )
    order = {"danger": 0, "warning": 1}
    if not alerts.empty:
        alerts = alerts.assign(_o=alerts["severity"].map(order).fillna(2)).sort_values(
            ["_o", "opened_at"], ascending=[True, False]
        )
    for row in alerts.itertuples(index=False):
        items.append(
            html.Div(
                [
                    html.I(className=f"bi {SEVERITY_ICONS.get(row.severity, 'bi-info-circle')}"),
                    html.B(t(row.severity, lang)),
                    html.Span(str(row.title), className="tick-title"),
                    html.Span(names.get(row.district_code, row.district_code or t("city", lang)), className="where"),
                    html.Span(_age(now, row.opened_at, lang), className="age"),
                ],
                className=f"tick sev-{row.severity}" + (" acked" if row.status == "acknowledged" else ""),
            )
        )
    for row in complaints.itertuples(index=False):
        items.append(
            html.Div(
                [
                    html.I(className="bi bi-chat-square-text"),
                    html.Span(category_label(row.category, lang), className="tick-title"),
                    html.Span(row.district or "—", className="where"),
                    html.Span(_age(now, row.requested_at, lang), className="age"),
                ],
                className="tick complaint",
            )
        )
    items.append(html.Span(className="ticker-count", title=t("ticker_count", lang)))
    return items


def stream_items(complaints: pd.DataFrame, now: datetime, lang: str) -> list[html.Li]:
    """Newest complaints with category, district, status, SLA state and age."""
    out = []
    for row in complaints.itertuples(index=False):
        due = pd.Timestamp(row.due_at) if row.due_at is not None and not pd.isna(row.due_at) else None
        sla = "on_time"
        if row.status != "closed" and due is not None:
            sla = "due_late" if pd.Timestamp(now) >= due else "on_time"
        out.append(
            html.Li(
                [
                    html.Span(fmt_time_wib(pd.Timestamp(row.requested_at).to_pydatetime()), className="when"),
                    html.Span(category_label(row.category, lang), className="what"),
                    html.Span(row.district or "—", className="where"),
                    html.Span(t(row.status, lang), className=f"status st-{row.status}"),
                    html.Span(t("stream_" + sla, lang), className=f"sla {sla}"),
                    html.Span(_age(now, row.requested_at, lang), className="age"),
                ],
                className="stream-item",
            )
        )
    return out


def district_bars(frame: pd.DataFrame, lang: str) -> list[html.Div]:
    """Open complaints per kecamatan as bars (longest first), labelled with the count and rate per 10,000."""
    top = max(1, int(frame["open"].max())) if not frame.empty else 1
    rows = []
    for row in frame.sort_values("open", ascending=False).itertuples(index=False):
        rows.append(
            html.Div(
                [
                    html.Span(row.name, className="bar-label"),
                    html.Span(
                        html.Span(style={"width": f"{100 * row.open / top:.1f}%"}, className="bar-fill"),
                        className="bar-track",
                    ),  # fmt: skip
                    html.Span(fmt_number(row.open, lang), className="bar-value"),
                    html.Span(fmt_number(row.per_10k, lang, 1), className="bar-rate"),
                ],
                className="bar-row",
                **{"data-district": row.code},
            )
        )
    return rows


def sensor_kind_table(states: pd.DataFrame, lang: str) -> html.Table:
    """Counts of sensors per kind and state; a zero is dimmed so the eye finds what is not normal."""
    head = html.Tr(
        [html.Th("")]
        + [
            html.Th([html.I(className=f"bi {STATE_ICONS[s]}"), " ", t(s, lang)], className=f"st-{s}")
            for s in STATE_ICONS
        ]  # fmt: skip
    )
    counts = (
        states.groupby(["kind", "state"]).size().unstack(fill_value=0)
        if not states.empty
        else pd.DataFrame(columns=list(STATE_ICONS))
    )
    rows = []
    for kind in [k for k in KINDS if k in counts.index]:
        cells = []
        for state in STATE_ICONS:
            n = int(counts.loc[kind].get(state, 0))
            cells.append(html.Td(fmt_number(n, lang), className=f"st-{state}" + (" zero" if n == 0 else "")))
        rows.append(html.Tr([html.Th(t("kind_" + kind, lang)), *cells]))
    return html.Table([html.Thead(head), html.Tbody(rows)], className="kind-table")


def attention_items(states: pd.DataFrame, names: dict[str, str], lang: str, limit: int = 14) -> list[html.Li]:
    """Sensors in danger, then warning, then offline, each with its value, district and age."""
    if states.empty:
        return []
    order = {"danger": 0, "warning": 1, "offline": 2}
    need = states[states["state"].isin(order)].copy()
    if need.empty:
        return [html.Li([html.I(className="bi bi-check-circle-fill"), t("all_sensors_normal", lang)], className="ok")]
    need["_o"] = need["state"].map(order)
    out = []
    for row in need.sort_values(["_o", "age_s"]).head(limit).itertuples(index=False):
        if pd.isna(row.value):
            value = "—"
        elif row.kind == "cctv":  # a camera reports 1 (picture) or 0 (no picture), not a measure
            value = t("cctv_up" if row.value >= 0.5 else "cctv_down", lang)
        else:
            value = f"{fmt_number(row.value, lang, 0 if abs(row.value) >= 100 else 1)} {row.unit}"
        out.append(
            html.Li(
                [
                    html.I(className=f"bi {STATE_ICONS[row.state]}"),
                    html.B(t(row.state, lang)),
                    html.Span(row.name, className="what"),
                    html.Span(names.get(row.district_code, "—"), className="where"),
                    html.Span(value, className="value"),
                    html.Span(fmt_age(None if pd.isna(row.age_s) else row.age_s, lang), className="age"),
                ],
                className=f"attention-item st-{row.state}",
            )
        )
    return out
