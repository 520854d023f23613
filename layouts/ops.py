"""The operator's console (/ops): alerts, incidents and SLA clocks, with the buttons that act on them.

Skeleton only; callbacks/ops.py fills it. A duty officer works here at a desk (1920x1080 first).
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.city import catalogue
from data.geography import districts
from layouts import ids
from layouts.i18n import lang_of, t

REFRESH_MS = 10_000
ALERT_KINDS = ("threshold", "rate", "offline", "spike", "sla")
ALL = "all"  # the "no filter" choice of every select


def agencies() -> tuple[str, ...]:
    """The agencies an operator assigns to: the catalogue's, the categories' owners and the room's own desk."""
    pack = catalogue()
    return tuple(sorted({a.code for a in pack.agencies} | {c.agency for c in pack.categories} | {"Diskominfo"}))


def _options(pairs: list[tuple[str, str]], lang: str) -> list[dict]:
    return [{"label": t("ops_all", lang), "value": ALL}] + [{"label": label, "value": v} for v, label in pairs]


def _select(id_: str, label: str, options: list[dict], value: str = "all") -> html.Div:
    return html.Div(
        [dbc.Label(label, html_for=id_, className="ops-label"), dbc.Select(id=id_, options=options, value=value)],
        className="ops-filter",
    )


def _grid(id_: str, columns: list[dict]) -> dag.AgGrid:
    return dag.AgGrid(
        id=id_,
        columnDefs=columns,
        rowData=[],
        getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                         "animateRows": False},
        className="ops-grid",
        style={"height": "100%"},
    )  # fmt: skip


def _actions(note_id: str, buttons: list[tuple[str, str, str]], lang: str, extra: list | None = None) -> html.Div:
    return html.Div(
        [
            *(extra or []),
            dbc.Textarea(id=note_id, placeholder=t("ops_note", lang), rows=2, maxLength=2000, className="ops-note"),
            html.Div(
                [dbc.Button(t(word, lang), id=bid, color=color, className="ops-btn") for bid, word, color in buttons],
                className="ops-buttons",
            ),
        ],
        className="ops-actions",
    )


def _alerts_tab(lang: str) -> html.Div:
    severity = _options([("danger", t("danger", lang)), ("warning", t("warning", lang))], lang)
    status = [
        {"label": t("ops_active", lang), "value": "active"},
        {"label": t("ops_with_resolved", lang), "value": "with_resolved"},
    ]
    kinds = _options([(k, t(f"ops_kind_{k}", lang)) for k in ALERT_KINDS], lang)
    district = _options([(d.code, d.name) for d in districts()], lang)
    columns = [
        {"field": "severity_label", "headerName": t("ops_severity", lang), "width": 110,
         "cellClassRules": {"ops-cell-danger": "params.data.severity == 'danger'",
                            "ops-cell-warning": "params.data.severity == 'warning'"}},
        {"field": "status_label", "headerName": t("status", lang), "width": 120},
        {"field": "title", "headerName": t("ops_title_col", lang), "flex": 1, "minWidth": 280, "tooltipField": "title"},
        {"field": "district", "headerName": t("district", lang), "width": 140},
        {"field": "opened", "headerName": t("ops_opened", lang), "width": 140},
    ]  # fmt: skip
    return html.Div(
        [
            html.Div(
                [
                    _select(ids.OPS_F_SEVERITY, t("ops_severity", lang), severity),
                    _select(ids.OPS_F_STATUS, t("status", lang), status, "active"),
                    _select(ids.OPS_F_KIND, t("ops_kind", lang), kinds),
                    _select(ids.OPS_F_DISTRICT, t("district", lang), district),
                ],
                className="ops-filters",
            ),
            html.Div(
                [
                    html.Div(_grid(ids.OPS_ALERT_GRID, columns), className="ops-list"),
                    html.Div(dcc.Graph(id=ids.OPS_ALERT_MAP, config={"displayModeBar": False}), className="ops-map"),
                    html.Div(
                        [
                            html.Div(html.P(t("ops_choose", lang), className="ops-muted"), id=ids.OPS_ALERT_DETAIL),
                            _actions(
                                ids.OPS_NOTE,
                                [(ids.OPS_ACK, "ops_ack", "warning"), (ids.OPS_RESOLVE, "ops_resolve", "success")],
                                lang,
                            ),  # fmt: skip
                        ],
                        className="ops-side",
                    ),
                ],
                className="ops-body",
            ),
        ],
        className="ops-tab",
    )


def _incidents_tab(lang: str) -> html.Div:
    columns = [
        {"field": "status_label", "headerName": t("status", lang), "width": 120},
        {"field": "title", "headerName": t("ops_incidents", lang), "flex": 1},
        {"field": "agency", "headerName": t("agency", lang), "width": 140},
        {"field": "opened", "headerName": t("ops_opened", lang), "width": 140},
    ]
    agency = dbc.Select(
        id=ids.OPS_INCIDENT_AGENCY,
        options=[{"label": a, "value": a} for a in agencies()],
        value="BPBD",
        className="ops-agency",
    )
    buttons = [
        (ids.OPS_INCIDENT_ASSIGN, "ops_assign", "primary"),
        (ids.OPS_INCIDENT_ACK, "ops_ack", "warning"),
        (ids.OPS_INCIDENT_RESOLVE, "ops_resolve", "success"),
    ]
    return html.Div(
        [
            html.Div(_grid(ids.OPS_INCIDENT_GRID, columns), className="ops-list ops-list-narrow"),
            html.Div(
                [
                    html.Div(html.P(t("ops_choose", lang), className="ops-muted"), id=ids.OPS_INCIDENT_CARD),
                    _actions(ids.OPS_INCIDENT_NOTE, buttons, lang, [agency]),
                ],
                className="ops-card",
            ),
        ],
        className="ops-body ops-body-incidents",
    )


def _sla_tab(lang: str) -> html.Div:
    states = _options([(s, t(s, lang)) for s in ("late", "due_soon", "on_time")], lang)
    district = _options([(d.code, d.name) for d in districts()], lang)
    columns = [
        {"field": "id", "headerName": t("ops_complaint_id", lang), "width": 110},
        {"field": "sla_label", "headerName": t("ops_sla_state", lang), "width": 160,
         "cellClassRules": {"ops-cell-danger": "params.data.sla_state == 'late'",
                            "ops-cell-warning": "params.data.sla_state == 'due_soon'",
                            "ops-cell-ok": "params.data.sla_state == 'on_time'"}},
        {"field": "category_label", "headerName": t("category", lang), "flex": 1, "minWidth": 160},
        {"field": "district", "headerName": t("district", lang), "width": 140},
        {"field": "agency", "headerName": t("agency", lang), "width": 150},
        {"field": "due", "headerName": t("ops_due", lang), "width": 175},  # room for a year: 05/01/2027 09:00 WIB
    ]  # fmt: skip
    agency = dbc.Select(
        id=ids.OPS_COMPLAINT_AGENCY, options=[{"label": a, "value": a} for a in agencies()], value=agencies()[0]
    )
    return html.Div(
        [
            html.Div(
                [
                    _select(ids.OPS_F_SLA_STATE, t("ops_sla_state", lang), states),
                    _select(ids.OPS_F_DISTRICT + "-sla", t("district", lang), district),
                    html.Div(
                        [
                            dbc.Label(
                                t("ops_complaint_id", lang), html_for=ids.OPS_COMPLAINT_ID, className="ops-label"
                            ),
                            dbc.Input(id=ids.OPS_COMPLAINT_ID, type="number", min=1, step=1, debounce=True),
                        ],
                        className="ops-filter",
                    ),
                ],
                className="ops-filters",
            ),
            html.Div(
                [
                    html.Div(_grid(ids.OPS_SLA_GRID, columns), className="ops-list"),
                    html.Div(
                        [
                            html.Div(html.P(t("ops_choose", lang), className="ops-muted"), id=ids.OPS_COMPLAINT_FILE),
                            _actions(
                                ids.OPS_COMPLAINT_NOTE,
                                [(ids.OPS_COMPLAINT_ASSIGN, "ops_assign", "primary")],
                                lang,
                                [agency],
                            ),  # fmt: skip
                        ],
                        className="ops-card",
                    ),
                ],
                className="ops-body ops-body-sla",
            ),
        ],
        className="ops-tab",
    )


def layout(lang: str | None = None, operator: str | None = None, **_: object) -> html.Div:
    lang = lang_of(lang)
    return html.Div(
        [
            dcc.Store(id=ids.OPS_PARAMS, data={"lang": lang}),
            dcc.Store(id=ids.OPS_CHANGED, data=0),
            dcc.Interval(id=ids.OPS_TICK, interval=REFRESH_MS),
            html.Header(
                [
                    html.H1(t("ops_title", lang)),
                    html.Div(id=ids.OPS_COUNTS, className="ops-counts"),
                    html.Div(
                        [
                            dbc.Label(t("ops_operator", lang), html_for=ids.OPS_OPERATOR, className="ops-label"),
                            dbc.Input(
                                id=ids.OPS_OPERATOR,
                                value=operator or t("ops_default_operator", lang),
                                maxLength=80,
                                debounce=True,
                            ),  # fmt: skip
                        ],
                        className="ops-operator",
                    ),
                    html.Div(id=ids.OPS_CLOCK, className="ops-clock"),
                ],
                className="ops-header",
            ),
            html.Div(id=ids.OPS_FEEDBACK, className="ops-feedback", role="status"),
            dbc.Tabs(
                [
                    dbc.Tab(_alerts_tab(lang), label=t("ops_alerts", lang), tab_id="alerts"),
                    dbc.Tab(_incidents_tab(lang), label=t("ops_incidents", lang), tab_id="incidents"),
                    dbc.Tab(_sla_tab(lang), label=t("ops_sla", lang), tab_id="sla"),
                ],
                active_tab="alerts",
                className="ops-tabs",
            ),
        ],
        className="ops",
        lang=lang,
    )
