"""The leaders' pages (tablet first, phone too): the briefing at /leader and the drill-downs at
/leader/district/<code> and /leader/agency/<code>. Skeletons here; callbacks/leader.py fills them."""

from __future__ import annotations

from urllib.parse import unquote

from dash import dcc, html
from dash.development.base_component import Component

from layouts import ids
from layouts.i18n import lang_of, t

REFRESH_MS = 60_000  # a leader glances; a minute is fresh enough and spares the database


def _page(params: dict[str, object]) -> html.Div:
    lang = str(params["lang"])
    return html.Div(
        [
            dcc.Store(id=ids.LEADER_PARAMS, data=params),
            dcc.Interval(id=ids.LEADER_TICK, interval=REFRESH_MS),
            dcc.Loading(
                html.Div(html.P(t("leader_title", lang), className="leader-muted"), id=ids.LEADER_BODY),
                type="dot",
                delay_show=400,
            ),
        ],
        className="leader",
        lang=lang,
    )


def layout(lang: str | None = None, **_: object) -> html.Div:
    """The briefing: City Score and trend, summary, top/bottom measures, alerts, district and agency ranking."""
    return _page({"lang": lang_of(lang), "kind": "city", "code": None})


def district_layout(code: str | None = None, lang: str | None = None, **_: object) -> html.Div:
    """One kecamatan's page: its score, KPIs against last week and month, categories, sensors, late complaints."""
    return _page({"lang": lang_of(lang), "kind": "district", "code": unquote(code or "")})


def agency_layout(code: str | None = None, lang: str | None = None, **_: object) -> html.Div:
    """One agency's page: the same drill-down for a department that answers complaints."""
    return _page({"lang": lang_of(lang), "kind": "agency", "code": unquote(code or "")})


def briefing(
    header: Component,
    score: Component,
    summary: Component,
    actions: Component,
    kpis: Component,
    top: Component,
    bottom: Component,
    alerts: Component,
    districts: Component,
    agencies: Component,
) -> html.Div:
    """The briefing's order: the first screen (phone and tablet) holds the score, what changed and the three
    things to act on; then the figures, the rankings, and last the long alert list (folded)."""
    return html.Div(
        [
            header,
            html.Div([score, summary, actions], className="leader-grid leader-grid-first"),
            kpis,
            html.Div([districts, agencies], className="leader-grid leader-grid-2"),
            html.Div([top, bottom], className="leader-grid leader-grid-2"),
            alerts,
        ],
        className="leader-body",
    )


def detail(
    header: Component,
    score: Component,
    summary: Component,
    compare: Component,
    categories: Component,
    side: Component,
    late: Component,
    analyst_href: str,
    lang: str,
) -> html.Div:
    """A district's or agency's page; `side` is its sensors (district) or its districts (agency)."""
    return html.Div(
        [
            header,
            html.Div([score, summary], className="leader-grid leader-grid-2"),
            html.Div([compare, categories], className="leader-grid leader-grid-2"),
            html.Div([side, late], className="leader-grid leader-grid-2"),
            dcc.Link(t("leader_open_analyst", lang), href=analyst_href, className="leader-button leader-analyst-link"),
        ],
        className="leader-body",
    )


def not_found(header: Component, lang: str) -> html.Div:
    return html.Div(
        [
            header,
            html.Section(
                [html.H2(t("leader_not_found", lang)), html.P(t("leader_not_found_body", lang))],
                className="leader-card",
                id=ids.LEADER_NOT_FOUND,
            ),
        ],
        className="leader-body",
    )


def error(lang: str) -> html.Div:
    return html.Div(html.P(t("leader_error", lang)), className="leader-card leader-error", role="alert")
