"""Operator's console callbacks: read small frames from data.alerts, act through its lifecycle functions.

Every action names who did it (the operator field) and lands in the audit trail; a refused action
(no name, already resolved) shows why and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import g

from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data.alerts import lifecycle
from data.alerts.console import complaint_file, complaints_by_sla, incident_card
from data.alerts.queries import alert_by_id, alert_counts, alerts_for_console, audit_trail, incidents_for_console
from data.alerts.titles import incident_title, localise_titles, localised_alert
from data.geography import district_collection, districts
from layouts import ids, ops_parts
from layouts.i18n import category_label, fmt_number, fmt_time_wib, lang_of, t
from layouts.ops import ALL

ACTIVE = ("open", "acknowledged")
WITH_RESOLVED = ("open", "acknowledged", "resolved")


def _places() -> dict[str, tuple[str, float, float]]:
    """Each kecamatan's name and centre (districts() is cached per city pack, so this is cheap)."""
    return {d.code: (d.name, d.centroid_lat, d.centroid_lon) for d in districts()}


def district_name(code: str | None) -> str:
    return _places().get(code or "", (code or "—",))[0]


def _actor(operator: str | None) -> str | None:
    """Who acts: the signed-in person when there is one (accountable), else the console's name field."""
    principal = g.get("city_principal")
    if principal is not None and getattr(principal, "kind", "") == "person":
        return principal.name
    return operator


def _chosen(value: str | None) -> str | None:
    """A select's value as a filter: None for "all" (or nothing chosen)."""
    return None if value in (None, "", ALL) else value


def _lang(params: dict | None) -> str:
    return lang_of((params or {}).get("lang"))


def _selected_id(rows: list | None) -> int | None:
    return int(rows[0]["id"]) if rows else None


def refresh_alerts(
    _tick: int | None, severity: str, status: str, kind: str, district: str, _changed: int, params: dict
) -> tuple:
    lang, moment, engine = _lang(params), now(), runtime().engine
    frame = alerts_for_console(
        engine, moment, statuses=WITH_RESOLVED if status == "with_resolved" else ACTIVE, severity=_chosen(severity),
        district=_chosen(district), kind=_chosen(kind), resolved_since=moment - timedelta(hours=24),
    )  # fmt: skip
    frame = localise_titles(engine, frame, lang)  # in the operator's language, with today's figures
    places = _places()
    centre = frame["district_code"].map(lambda c: places.get(c, (None, None, None)))
    frame["lat"] = frame["lat"].fillna(centre.map(lambda p: p[1]))
    frame["lon"] = frame["lon"].fillna(centre.map(lambda p: p[2]))
    rows = pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "severity": frame["severity"],
            "severity_label": frame["severity"].map(lambda s: t(s, lang)),
            "status_label": frame["status"].map(lambda s: t(s, lang)),
            "title": frame["title"],
            "district": frame["district_code"].map(district_name),
            "opened": frame["opened_at"].map(lambda at: fmt_time_wib(at, with_date=True, now=moment)),
        }
    ).to_dict("records")
    counts = alert_counts(engine, moment)
    incidents = len(incidents_for_console(engine, moment))
    badges = [
        _badge("danger", t("danger", lang), counts["danger"]),
        _badge("warning", t("warning", lang), counts["warning"]),
        _badge("unack", t("ops_unacknowledged", lang), counts["unacknowledged"]),
        _badge("incidents", t("ops_open_incidents", lang), incidents),
    ]
    clock = fmt_time_wib(moment, with_date=True, now=moment)
    return rows, ops_parts.alerts_map(frame, district_collection(), lang), badges, clock


def _badge(key: str, label: str, value: int) -> object:
    return html.Div(
        [html.Span(str(value), className="ops-count-n", id=ids.ops_count(key)), html.Span(label)],
        className=f"ops-count ops-count-{key}" + (" is-zero" if value == 0 else ""),
    )


def show_alert(rows: list | None, _changed: int, params: dict) -> object:
    alert_id, lang = _selected_id(rows), _lang(params)
    if alert_id is None:
        return html.P(t("ops_choose", lang), className="ops-muted")
    alert = alert_by_id(runtime().engine, alert_id)
    if alert is None:
        return html.P(t("ops_not_found", lang), className="ops-muted")
    trail = audit_trail(runtime().engine, alert_id=alert_id)
    alert = localised_alert(runtime().engine, alert, lang)
    return ops_parts.alert_detail(alert, trail, district_name(alert["district_code"]), lang, now())


def _feedback(ok: bool, text: str) -> object:
    return html.Div(text, className="ops-feedback-ok" if ok else "ops-feedback-error")


def act_on_alert(_ack: int, _resolve: int, rows: list | None, operator: str, note: str, changed: int, params: dict):  # noqa: ANN201
    alert_id, lang = _selected_id(rows), _lang(params)
    if alert_id is None:
        return _feedback(False, t("ops_choose", lang)), no_update, no_update
    action = lifecycle.acknowledge_alert if ctx.triggered_id == ids.OPS_ACK else lifecycle.resolve_alert
    word = "ops_done_ack" if ctx.triggered_id == ids.OPS_ACK else "ops_done_resolve"
    try:
        operator = _actor(operator)
        action(runtime().engine, alert_id, operator, note, now())
    except ValueError as exc:
        return _feedback(False, f"{t('ops_error', lang)}: {exc}"), no_update, no_update
    return (
        _feedback(True, f"{t(word, lang)} #{alert_id} {t('ops_by', lang)} {operator.strip()}"),
        (changed or 0) + 1,
        "",
    )


def refresh_incidents(_tick: int | None, _changed: int, params: dict) -> list[dict]:
    lang, moment = _lang(params), now()
    frame = incidents_for_console(runtime().engine, moment, statuses=WITH_RESOLVED)
    frame = frame[(frame["status"] != "resolved") | (frame["resolved_at"] >= moment - timedelta(hours=24))]
    return pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "status_label": frame["status"].map(lambda s: t(s, lang)),
            "title": [incident_title(x, k, lang) for x, k in zip(frame["title"], frame["kind"], strict=True)],
            "agency": frame["agency"].fillna("—"),
            "opened": frame["opened_at"].map(lambda at: fmt_time_wib(at, with_date=True, now=moment)),
        }
    ).to_dict("records")


def show_incident(rows: list | None, _changed: int, params: dict) -> object:
    incident_id, lang = _selected_id(rows), _lang(params)
    if incident_id is None:
        return html.P(t("ops_choose", lang), className="ops-muted")
    card = incident_card(runtime().engine, incident_id)
    if card is None:
        return html.P(t("ops_not_found", lang), className="ops-muted")
    card["alerts"] = localise_titles(runtime().engine, card["alerts"], lang)
    card["incident"]["title"] = incident_title(card["incident"]["title"], card["incident"]["kind"], lang)
    return html.Div(
        [
            ops_parts.incident_summary(card, lang, now()),
            dcc.Graph(figure=ops_parts.incident_map(card, district_collection(), lang), className="ops-incident-map",
                      config={"displayModeBar": False}),
            html.H3(t("ops_timeline", lang)),
            dcc.Graph(figure=ops_parts.incident_timeline(card, lang), config={"displayModeBar": False}),
            ops_parts.audit_list(card["audit"], lang, now()),
        ]
    )  # fmt: skip


def act_on_incident(  # noqa: ANN201
    _ack: int, _resolve: int, _assign: int, rows: list | None, operator: str, note: str, agency: str, changed: int,
    params: dict,
):  # fmt: skip
    incident_id, lang = _selected_id(rows), _lang(params)
    if incident_id is None:
        return _feedback(False, t("ops_choose", lang)), no_update, no_update
    engine, moment, operator = runtime().engine, now(), _actor(operator)
    try:
        if ctx.triggered_id == ids.OPS_INCIDENT_ASSIGN:
            lifecycle.assign_incident(engine, incident_id, agency, operator, note, moment)
            word = "ops_done_assign"
        elif ctx.triggered_id == ids.OPS_INCIDENT_ACK:
            lifecycle.acknowledge_incident(engine, incident_id, operator, note, moment)
            word = "ops_done_ack"
        else:
            lifecycle.resolve_incident(engine, incident_id, operator, note, moment)
            word = "ops_done_resolve"
    except ValueError as exc:
        return _feedback(False, f"{t('ops_error', lang)}: {exc}"), no_update, no_update
    return (
        _feedback(True, f"{t(word, lang)} #{incident_id} {t('ops_by', lang)} {operator.strip()}"),
        (changed or 0) + 1,
        "",
    )


def refresh_sla(_tick: int | None, state: str, district: str, _changed: int, params: dict) -> list[dict]:
    lang, moment = _lang(params), now()
    frame = complaints_by_sla(runtime().engine, moment, district=_chosen(district), state=_chosen(state))
    return pd.DataFrame(
        {
            "id": frame["id"].astype(str),
            "sla_state": frame["sla_state"],
            "sla_label": frame["sla_state"].map(lambda s: t(s, lang)),
            "category_label": frame["category"].map(lambda c: category_label(c, lang)),
            "district": frame["district_code"].map(district_name),
            "agency": frame["agency"].fillna("—"),
            "due": frame["due_at"].map(lambda at: fmt_time_wib(at, with_date=True, now=moment)),
        }
    ).to_dict("records")


def _complaint_id(rows: list | None, typed: int | None) -> int | None:
    if ctx.triggered_id == ids.OPS_COMPLAINT_ID and typed:
        return int(typed)
    return _selected_id(rows) or (int(typed) if typed else None)


def show_complaint(rows: list | None, typed: int | None, _changed: int, params: dict) -> object:
    complaint_id, lang = _complaint_id(rows, typed), _lang(params)
    if complaint_id is None:
        return html.P(t("ops_choose", lang), className="ops-muted")
    moment = now()
    file = complaint_file(runtime().engine, complaint_id, moment)
    if file is None:
        return html.P(f"{t('ops_not_found', lang)}: #{fmt_number(complaint_id, lang)}", className="ops-muted")
    return ops_parts.complaint_file(file, district_name(file["complaint"]["district_code"]), lang, moment)


def assign_complaint(  # noqa: ANN201
    _n: int, rows: list | None, typed: int | None, operator: str, agency: str, note: str, changed: int, params: dict
):
    complaint_id, lang = _complaint_id(rows, typed), _lang(params)
    if complaint_id is None:
        return _feedback(False, t("ops_choose", lang)), no_update, no_update
    try:
        operator = _actor(operator)
        lifecycle.assign_complaint(runtime().engine, complaint_id, agency, operator, note, now())
    except ValueError as exc:
        return _feedback(False, f"{t('ops_error', lang)}: {exc}"), no_update, no_update
    text = f"{t('ops_done_assign', lang)} #{complaint_id} → {agency} {t('ops_by', lang)} {operator.strip()}"
    return _feedback(True, text), (changed or 0) + 1, ""


def register(app: Dash) -> None:
    params, changed = State(ids.OPS_PARAMS, "data"), Input(ids.OPS_CHANGED, "data")
    tick = Input(ids.OPS_TICK, "n_intervals")
    guarded_callback(
        app, "ops",
        Output(ids.OPS_ALERT_GRID, "rowData"), Output(ids.OPS_ALERT_MAP, "figure"), Output(ids.OPS_COUNTS, "children"),
        Output(ids.OPS_CLOCK, "children"), tick, Input(ids.OPS_F_SEVERITY, "value"), Input(ids.OPS_F_STATUS, "value"),
        Input(ids.OPS_F_KIND, "value"), Input(ids.OPS_F_DISTRICT, "value"), changed, params,
    )(refresh_alerts)  # fmt: skip
    guarded_callback(
        app, "ops", Output(ids.OPS_ALERT_DETAIL, "children"), Input(ids.OPS_ALERT_GRID, "selectedRows"), changed, params
    )(show_alert)
    acted = (
        Output(ids.OPS_FEEDBACK, "children", allow_duplicate=True),
        Output(ids.OPS_CHANGED, "data", allow_duplicate=True),
    )
    guarded_callback(
        app, "ops",
        *acted, Output(ids.OPS_NOTE, "value"), Input(ids.OPS_ACK, "n_clicks"), Input(ids.OPS_RESOLVE, "n_clicks"),
        State(ids.OPS_ALERT_GRID, "selectedRows"), State(ids.OPS_OPERATOR, "value"), State(ids.OPS_NOTE, "value"),
        State(ids.OPS_CHANGED, "data"), params, prevent_initial_call=True,
    )(act_on_alert)  # fmt: skip
    guarded_callback(app, "ops", Output(ids.OPS_INCIDENT_GRID, "rowData"), tick, changed, params)(refresh_incidents)
    guarded_callback(
        app,
        "ops",
        Output(ids.OPS_INCIDENT_CARD, "children"),
        Input(ids.OPS_INCIDENT_GRID, "selectedRows"),
        changed,
        params,
    )(show_incident)
    guarded_callback(
        app, "ops",
        *acted, Output(ids.OPS_INCIDENT_NOTE, "value"), Input(ids.OPS_INCIDENT_ACK, "n_clicks"),
        Input(ids.OPS_INCIDENT_RESOLVE, "n_clicks"), Input(ids.OPS_INCIDENT_ASSIGN, "n_clicks"),
        State(ids.OPS_INCIDENT_GRID, "selectedRows"), State(ids.OPS_OPERATOR, "value"),
        State(ids.OPS_INCIDENT_NOTE, "value"), State(ids.OPS_INCIDENT_AGENCY, "value"), State(ids.OPS_CHANGED, "data"),
        params, prevent_initial_call=True,
    )(act_on_incident)  # fmt: skip
    guarded_callback(
        app, "ops",
        Output(ids.OPS_SLA_GRID, "rowData"), tick, Input(ids.OPS_F_SLA_STATE, "value"),
        Input(ids.OPS_F_DISTRICT + "-sla", "value"), changed, params,
    )(refresh_sla)  # fmt: skip
    guarded_callback(
        app, "ops",
        Output(ids.OPS_COMPLAINT_FILE, "children"), Input(ids.OPS_SLA_GRID, "selectedRows"),
        Input(ids.OPS_COMPLAINT_ID, "value"), changed, params,
    )(show_complaint)  # fmt: skip
    guarded_callback(
        app, "ops",
        *acted, Output(ids.OPS_COMPLAINT_NOTE, "value"), Input(ids.OPS_COMPLAINT_ASSIGN, "n_clicks"),
        State(ids.OPS_SLA_GRID, "selectedRows"), State(ids.OPS_COMPLAINT_ID, "value"), State(ids.OPS_OPERATOR, "value"),
        State(ids.OPS_COMPLAINT_AGENCY, "value"), State(ids.OPS_COMPLAINT_NOTE, "value"),
        State(ids.OPS_CHANGED, "data"), params, prevent_initial_call=True,
    )(assign_complaint)  # fmt: skip
