"""Building blocks of the leaders' pages: plain values in, touch-friendly component trees out.

Everything a leader needs is printed, never hover-only; every link is a block at least 44 px tall.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html
from dash.development.base_component import Component

from data.cityscore import MeasureScore
from layouts import ids
from layouts.i18n import category_label, fmt_number, t

GOOD, WARN, BAD = "#1b7f3b", "#b26a00", "#b3261e"


def score_tone(score: float | None) -> str:
    """good (on or above target), warn (within 10 %), bad; 'none' when there is no score."""
    if score is None:
        return "none"
    if score >= 1.0:
        return "good"
    return "warn" if score >= 0.9 else "bad"


def fmt_delta(delta: float | None, lang: str, decimals: int = 2, suffix: str = "") -> str:
    """A signed change ('+0,12', '−3%'); an em dash when unknown."""
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f"{sign}{fmt_number(abs(delta), lang, decimals)}{suffix}"


def sparkline_figure(times: Sequence[datetime], values: Sequence[float | None], lang: str) -> go.Figure:
    """The score's last days as a small static line with the target (1.0) drawn in."""
    fig = go.Figure(go.Scatter(x=list(times), y=list(values), mode="lines+markers", line={"width": 3}))
    fig.add_hline(y=1.0, line={"dash": "dot", "color": "#888", "width": 1})
    fig.update_layout(
        margin={"l": 36, "r": 8, "t": 4, "b": 24},
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis={"tickformat": "%d/%m", "nticks": 5, "fixedrange": True},
        yaxis={"nticks": 3, "fixedrange": True, "tickformat": ".2f" if lang == "en" else ".2f"},
        separators=",." if lang == "id" else ".,",
    )
    return fig


def score_card(score: float | None, week_delta: float | None, trend: go.Figure, lang: str) -> html.Section:
    """The City Score, its change against last week and a 14-day sparkline (static: no hover needed)."""
    return html.Section(
        [
            html.H2(t("city_score", lang), className="leader-card-title"),
            html.Div(
                [
                    html.Span(fmt_number(score, lang, 2), id=ids.kpi_value("city_score"), className="leader-score"),
                    html.Span(
                        f"{fmt_delta(week_delta, lang)} {t('leader_vs_week', lang)}",
                        className=f"leader-delta tone-{'good' if (week_delta or 0) >= 0 else 'bad'}",
                    ),
                ],
                className=f"leader-score-row tone-{score_tone(score)}",
            ),
            html.Div(t("leader_trend_14d", lang), className="leader-muted"),
            dcc.Graph(
                id=ids.LEADER_SPARK,
                figure=trend,
                config={"staticPlot": True, "responsive": True},
                className="spark",
                style={"height": "120px", "width": "100%"},
            ),
        ],
        className="leader-card leader-score-card",
    )


def summary_card(lines: Sequence[str], lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(t("leader_summary", lang), className="leader-card-title"),
            html.Ul([html.Li(line) for line in lines] or [html.Li("—")], id=ids.LEADER_SUMMARY),
        ],
        className="leader-card leader-summary",
    )


def kpi_strip(items: Sequence[tuple[str, str, str, str]]) -> html.Div:
    """Key figures as tiles: (key, label, value, unit); the value carries a stable id for tests."""
    return html.Div(
        [
            html.Div(
                [
                    html.Div(label, className="leader-kpi-label"),
                    html.Div([html.Span(value, id=ids.kpi_value(key)), html.Small(f" {unit}" if unit else "")]),
                ],
                className="leader-kpi",
            )
            for key, label, value, unit in items
        ],
        className="leader-kpis",
    )


def _measure_value(m: MeasureScore, lang: str) -> str:
    decimals = 2 if m.measure.unit in ("", "/5") else 1
    return f"{fmt_number(m.actual, lang, decimals)}{m.measure.unit if m.measure.unit in ('%', '/5') else ''}"


def measure_list(title: str, scores: Sequence[MeasureScore], lang: str, key: str) -> html.Section:
    """Measures with actual, target and score written out; a bar shows the score against 1.0."""
    rows = []
    for m in scores:
        width = min(100.0, 50.0 * (m.score or 0))
        unit = m.measure.unit if m.measure.unit not in ("", "%", "/5") else ""
        rows.append(
            html.Li(
                [
                    html.Div(m.measure.label(lang), className="leader-measure-name"),
                    html.Div(
                        f"{_measure_value(m, lang)} {unit} · {t('leader_target', lang)} "
                        f"{fmt_number(m.measure.target, lang, 1)} · {t('leader_score', lang)} "
                        f"{fmt_number(m.score, lang, 2)}",
                        className="leader-measure-figures",
                    ),
                    html.Div(html.Div(className=f"bar tone-{score_tone(m.score)}", style={"width": f"{width}%"})),
                ],
                className="leader-measure",
            )
        )
    return html.Section(
        [html.H2(title, className="leader-card-title"), html.Ul(rows or [html.Li("—")], id=key)],
        className="leader-card",
    )


SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}
DETAIL_SHOWN = 5  # a district's sensors and late complaints: the worst five in view, the rest folded
ALERTS_SHOWN = 3  # the rest fold behind "show all N": a leader acts on the worst, the console handles the list


def _alert_item(a: dict[str, Any], lang: str) -> html.Li:
    return html.Li(
        [
            html.Span(t(a.get("severity") or "warning", lang), className=f"badge-state state-{a.get('severity')}"),
            html.Span(a.get("title") or "", className="leader-alert-title"),
            html.Small(" · ".join(x for x in (a.get("district"), a.get("opened")) if x)),
        ],
        className="leader-alert",
    )


def folded_list(items: Sequence[Component], shown: int, lang: str, key: str) -> list[Component]:
    """The first `shown` items, then the rest behind a native "show all N" toggle (works without JavaScript)."""
    head = html.Ul(list(items[:shown]), id=key)
    if len(items) <= shown:
        return [head]
    rest = html.Details(
        [
            html.Summary(t("leader_show_all", lang).format(n=fmt_number(len(items), lang)), className="leader-more"),
            html.Ul(list(items[shown:])),
        ],
        id=ids.folded_more(key),
    )
    return [head, rest]


def alerts_card(alerts: Sequence[dict[str, Any]], lang: str) -> html.Section:
    """Active alerts, most severe first: the worst three in view, the others folded."""
    ordered = sorted(alerts, key=lambda a: SEVERITY_ORDER.get(a.get("severity") or "", 3))
    items = [_alert_item(a, lang) for a in ordered]
    body = (
        folded_list(items, ALERTS_SHOWN, lang, ids.LEADER_ALERT_LIST)
        if items
        else [html.Ul([html.Li(t("leader_alerts_none", lang), className="leader-muted")])]
    )
    return html.Section(
        [html.H2(f"{t('active_alerts', lang)} ({len(alerts)})", className="leader-card-title"), *body],
        className="leader-card",
        id=ids.LEADER_ALERTS,
    )


def actions_card(actions: Sequence[dict[str, str]], lang: str) -> html.Section:
    """The three things a leader should act on now: a headline, one line of why, a link to where to act."""
    items = [
        html.Li(
            dcc.Link(
                [
                    html.Span(a["headline"], className="leader-action-headline"),
                    html.Small(a["detail"], className="leader-muted"),
                ],
                href=a["href"],
                className=f"leader-action tone-edge-{a.get('tone', 'bad')}",
            )
        )
        for a in actions
    ]
    return html.Section(
        [
            html.H2(t("leader_act_title", lang), className="leader-card-title"),
            html.Ol(items or [html.Li(t("leader_act_none", lang), className="leader-muted")], id=ids.LEADER_ACTIONS),
        ],
        className="leader-card leader-actions",
    )


def ranking_card(title: str, rows: Sequence[dict[str, Any]], href: str, lang: str, key: str) -> html.Section:
    """A ranked list of tappable rows (whole row is the link): score, open per 10,000 residents, SLA %."""
    head = html.Div(
        [
            html.Span("#"),
            html.Span(""),
            html.Span(t("city_score", lang)),
            html.Span(t("leader_per_10k", lang)),
            html.Span(t("leader_sla", lang)),
        ],
        className="leader-rank-row leader-rank-head",
        **{"aria-hidden": "true"},
    )
    links = [
        dcc.Link(
            [
                html.Span(str(i + 1), className="rank"),
                html.Span(r["name"], className="name"),
                html.Span(fmt_number(r["score"], lang, 2), className=f"num tone-{score_tone(r['score'])}"),
                html.Span(fmt_number(r["open_per_10k"], lang, 1), className="num"),
                html.Span(f"{fmt_number(r['sla_pct'], lang, 0)}%", className="num"),
            ],
            href=f"{href}/{r['slug']}?lang={lang}",
            className="leader-rank-row",
            id=ids.ranking_row(key, r["slug"]),
        )
        for i, r in enumerate(rows)
    ]
    return html.Section(
        [html.H2(title, className="leader-card-title"), head, html.Div(links, id=key)],
        className="leader-card leader-ranking",
    )


def compare_table(rows: Sequence[tuple[str, str, str, str]], lang: str) -> html.Section:
    """KPI now against last week and last month, one row per figure."""
    return html.Section(
        [
            html.H2(t("leader_kpis", lang), className="leader-card-title"),
            html.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(""),
                                html.Th(t("leader_now", lang)),
                                html.Th(t("leader_last_week", lang)),
                                html.Th(t("leader_last_month", lang)),
                            ]
                        )
                    ),
                    html.Tbody([html.Tr([html.Th(r[0]), *[html.Td(v) for v in r[1:]]]) for r in rows]),
                ],
                className="leader-compare",
                id=ids.LEADER_COMPARE,
            ),
        ],
        className="leader-card",
    )


def bar_list(title: str, items: Sequence[tuple[str, int]], lang: str, key: str) -> html.Section:
    """Counts as labelled horizontal bars (HTML, so they stay sharp and readable on any tablet)."""
    top = max((n for _, n in items), default=0) or 1
    return html.Section(
        [
            html.H2(title, className="leader-card-title"),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Div([html.Span(label), html.Strong(fmt_number(n, lang))], className="bar-label"),
                            html.Div(html.Div(className="bar", style={"width": f"{100 * n / top:.1f}%"})),
                        ],
                        className="leader-bar-item",
                    )
                    for label, n in items
                ]
                or [html.Li("—")],
                id=key,
            ),
        ],
        className="leader-card",
    )


def sensor_card(rows: Sequence[dict[str, Any]], lang: str) -> html.Section:
    """Each sensor with its state in words (not colour alone) and its latest value."""
    items = [
        html.Li(
            [
                html.Span(t(r["state"], lang), className=f"badge-state state-{r['state']}"),
                html.Span(r["name"], className="leader-sensor-name"),
                html.Small(r["value"]),
            ],
            className="leader-sensor",
        )
        for r in rows
    ]
    body = (
        folded_list(items, DETAIL_SHOWN, lang, ids.LEADER_SENSORS)
        if items
        else [html.Ul([html.Li(t("leader_sensors_none", lang), className="leader-muted")], id=ids.LEADER_SENSORS)]
    )
    return html.Section(
        [html.H2(f"{t('leader_sensors', lang)} ({len(rows)})", className="leader-card-title"), *body],
        className="leader-card",
    )


def late_card(rows: Sequence[dict[str, Any]], lang: str) -> html.Section:
    """The complaints longest past their due time: number, category, where, by how much."""
    items = [
        html.Li(
            [
                html.Strong(f"#{r['id']} {category_label(r['category'], lang)}"),
                html.Span(" · ".join(x for x in (r.get("where"), r.get("agency")) if x)),
                html.Span(
                    f"{t('leader_late_by', lang)} {fmt_number(r['late_h'] / 24, lang, 1)} {t('leader_days', lang)}",
                    className="tone-bad",
                ),
            ],
            className="leader-late",
        )
        for r in rows
    ]
    body = (
        folded_list(items, DETAIL_SHOWN, lang, ids.LEADER_LATE)
        if items
        else [html.Ul([html.Li(t("leader_late_none", lang), className="leader-muted")], id=ids.LEADER_LATE)]
    )
    title = html.H2(t("leader_late", lang), className="leader-card-title")
    return html.Section([title, *body], className="leader-card")


def page_header(title: str, lang: str, updated: str, back_href: str | None, lang_href: str) -> html.Header:
    """Title, update time, a back link and the language switch: big targets, no swipe needed."""
    other = "en" if lang == "id" else "id"
    left = [html.H1(title, id=ids.LEADER_TITLE)]
    if back_href:
        left.insert(0, dcc.Link(f"← {t('leader_back', lang)}", href=back_href, className="leader-button"))
    return html.Header(
        [
            html.Div(left, className="leader-header-left"),
            html.Div(
                [
                    html.Span(f"{t('leader_updated', lang)} {updated}", className="leader-muted"),
                    dcc.Link(other.upper(), href=lang_href, className="leader-button", id=ids.LEADER_LANG),
                ],
                className="leader-header-right",
            ),
        ],
        className="leader-header",
    )
