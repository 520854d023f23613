"""/briefing: the leaders' one-page daily briefing and the assessment summary for a period, made to print.

`/briefing` is today's page (the 24 hours up to now); `/briefing?view=assessment&start=2026-10-01&end=2026-10-31`
is the period summary for the "Gerakan Menuju 100 Smart City" assessment. Both are A4 pages in Indonesian
by default (`lang=en` for English): the browser's Print saves them as PDF (assets/print.css hides controls).
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from layouts import ids
from layouts.i18n import category_label, fmt_number, fmt_time_wib, lang_of, t
from layouts.wall_services import connected_phrase, score_status

BRIEFING_PARAMS = "briefing-params"
BRIEFING_BODY = "briefing-body"
BRIEFING_PRINT = "briefing-print"
BRIEFING_PRINTED = "briefing-printed"
BRIEFING_DATES = "briefing-dates"
BRIEFING_GO = "briefing-go"


def assessment_href(start: str | None, end: str | None, lang: str) -> str:
    """The address of the assessment for a period (dates as YYYY-MM-DD; empty means the default period)."""
    return f"/briefing?view=assessment&start={(start or '')[:10]}&end={(end or '')[:10]}&lang={lang}"


def layout(
    view: str | None = None, start: str | None = None, end: str | None = None, lang: str | None = None, **_: object
) -> html.Div:
    """Controls (screen only) and the page the callback fills from the query."""
    lang = lang_of(lang)
    view = "assessment" if view == "assessment" else "daily"
    other = "en" if lang == "id" else "id"
    controls = html.Div(
        [
            html.A(
                t("briefing_daily", lang),
                href=f"/briefing?lang={lang}",
                className="btn btn-sm " + ("btn-primary" if view == "daily" else "btn-outline-primary"),
            ),
            dcc.DatePickerRange(
                id=BRIEFING_DATES,
                start_date=start or None,
                end_date=end or None,
                display_format="DD/MM/YYYY",
                start_date_placeholder_text=t("briefing_from", lang),
                end_date_placeholder_text=t("briefing_to", lang),
                first_day_of_week=1,
                className="briefing-dates",
            ),
            html.A(
                t("briefing_assessment", lang),
                id=BRIEFING_GO,
                href=assessment_href(start, end, lang),
                className="btn btn-sm " + ("btn-primary" if view == "assessment" else "btn-outline-primary"),
            ),
            html.A(
                other.upper(),
                href=f"/briefing?view={view}&start={start or ''}&end={end or ''}&lang={other}",
                className="btn btn-sm btn-outline-secondary",
            ),
            html.Button(
                [html.I(className="bi bi-printer"), " ", t("briefing_print", lang)],
                id=BRIEFING_PRINT,
                className="btn btn-sm btn-success",
            ),
            dcc.Store(id=BRIEFING_PRINTED),
        ],
        className="briefing-controls no-print",
    )
    return html.Div(
        [
            dcc.Store(id=BRIEFING_PARAMS, data={"view": view, "start": start, "end": end, "lang": lang}),
            controls,
            html.Article(id=BRIEFING_BODY, className="briefing-page"),
        ],
        className="briefing",
        lang=lang,
    )


def header(title: str, subtitle: str, generated: str, lang: str) -> html.Header:
    return html.Header(
        [
            html.Div([html.Div(t("briefing_city", lang), className="brief-city"), html.H1(title)]),
            html.Div(
                [
                    html.Div(subtitle, className="brief-when"),
                    html.Div(f"{t('generated_at', lang)} {generated}", className="brief-generated"),
                ],
                className="brief-meta",
            ),
        ],
        className="brief-header",
    )


def figure(label: str, value: str, key: str, unit: str = "", status: str = "neutral") -> html.Div:
    """One number of the page, with a data-figure key so tests compare it with the database."""
    return html.Div(
        [
            html.Div(label, className="brief-label"),
            html.Div([html.Span(value, className="brief-value"), html.Span(unit, className="brief-unit")]),
        ],
        className=f"brief-figure {status}",
        **{"data-figure": key},
    )


def dimension_table(dims: list, lang: str, with_items: bool = True) -> html.Table:
    """The six dimensions and (optionally) every measure behind each: actual, target, score."""
    rows = []
    for d in dims:
        status = score_status(d.score)
        rows.append(
            html.Tr(
                [
                    html.Th(
                        [t("dim_" + d.dimension, lang), html.Small(f" {t('dimsub_' + d.dimension, lang)}")],
                        colSpan=3 if with_items else 1,
                    ),
                    html.Th(fmt_number(d.score, lang, 2), className=f"num {status}", **{"data-dimension": d.dimension}),
                ],
                className="dim-row",
                id=ids.dimension_row(d.dimension),
            )
        )
        for item in d.items if with_items else ():
            decimals = 0 if item.unit in ("", "%") and (item.actual or 0) > 10 else 2
            rows.append(
                html.Tr(
                    [
                        html.Td(item.label(lang), className="item-label"),
                        html.Td(f"{fmt_number(item.actual, lang, decimals)} {item.unit}".strip(), className="num"),
                        html.Td(f"{fmt_number(item.target, lang, decimals)} {item.unit}".strip(), className="num"),
                        html.Td(fmt_number(item.score, lang, 2), className=f"num {score_status(item.score)}"),
                    ],
                    className="item-row",
                )
            )
    head = html.Thead(
        html.Tr(
            [html.Th(t("measure", lang))]
            + [
                html.Th(t(k, lang), className="num")
                for k in (("actual", "target", "score") if with_items else ("score",))
            ]
        )
    )
    return html.Table([head, html.Tbody(rows)], className="brief-table dims")


def measure_list(title: str, scores: list, lang: str) -> html.Div:
    items = [
        html.Li(
            [html.Span(s.measure.label(lang)), html.B(fmt_number(s.score, lang, 2), className=score_status(s.score))]
        )
        for s in scores
    ]
    return html.Div([html.H3(title), html.Ol(items, className="brief-rank")], className="brief-block")


def complaint_figures(
    received: int,
    closed: int,
    within_pct: float | None,
    median_h: float | None,
    lang: str,
    late_open: int | None = None,
) -> html.Div:
    parts = [
        figure(t("received", lang), fmt_number(received, lang), "received"),
        figure(t("closed_n", lang), fmt_number(closed, lang), "closed"),
        figure(
            t("closed_within_sla", lang),
            fmt_number(within_pct, lang, 1),
            "within_sla_pct",
            "%",
            "good" if (within_pct or 0) >= 90 else "warn",
        ),
        figure(t("median_close_h", lang), fmt_number(median_h, lang, 1), "median_close_h"),
    ]
    if late_open is not None:
        parts.append(figure(t("late_open", lang), fmt_number(late_open, lang), "late_open"))
    return html.Div(parts, className="brief-figures")


def coverage_line(coverage: object, lang: str) -> html.Div:
    return html.Div(
        [
            figure(t("coverage_short", lang), connected_phrase(coverage.connected, coverage.total, lang), "coverage"),
            html.Div(
                f"{t('state_partial', lang)}: {fmt_number(coverage.partial, lang)} · "
                f"{t('state_not_connected', lang)}: {fmt_number(coverage.not_connected, lang)}",
                className="brief-note",
            ),
        ],
        className="brief-block",
    )


SHOWN_INCIDENTS, SHOWN_ALERTS, SHOWN_SENSORS = 4, 6, 6  # one printed page: the rest is counted, not listed


def more_line(total: int, shown: int, lang: str, kinds: list[str] | None = None) -> list[html.Li]:
    """'… dan 37 lainnya' under a list cut to `shown` items, so the heading's count matches what is said;
    with the sensor kinds of the rest, '(20 pos duga air, 17 penakar hujan)', so it says what it counts."""
    if total <= shown:
        return []
    text = t("and_more", lang).format(n=fmt_number(total - shown, lang))
    if kinds:
        rest = pd.Series(kinds[shown:]).value_counts()
        text += " (" + ", ".join(f"{fmt_number(n, lang)} {t(f'ops_gauges_{k}', lang)}" for k, n in rest.items()) + ")"
    return [html.Li(text, className="brief-more")]


def daily_body(b: object, lang: str) -> list:
    """The one-page daily briefing from a data.estate.briefing.DailyBriefing."""
    cats = [
        html.Li(f"{category_label(c, lang)}: {fmt_number(n, lang)}")
        for c, n in b.top_categories.itertuples(index=False)
    ]
    events = [
        *[html.Li(f"[{t(r.severity, lang)}] {r.title}") for r in b.incidents.head(SHOWN_INCIDENTS).itertuples()],
        *more_line(len(b.incidents), SHOWN_INCIDENTS, lang),
        *[html.Li(f"[{t(r.severity, lang)}] {r.title}") for r in b.alerts.head(SHOWN_ALERTS).itertuples()],
        *more_line(len(b.alerts), SHOWN_ALERTS, lang),
    ]
    sensors = [
        html.Li(f"{r.name}: {t('peak', lang)} {fmt_number(r.peak, lang, 1)} {r.unit} ({t(r.level, lang)})")
        for r in b.sensors_over.head(SHOWN_SENSORS).itertuples()
    ] + more_line(len(b.sensors_over), SHOWN_SENSORS, lang, list(b.sensors_over["kind"]))
    return [
        header(
            t("briefing_title", lang),
            f"{t('briefing_as_of', lang)} {fmt_time_wib(b.now, with_date=True)}",
            fmt_time_wib(b.now, with_date=True),
            lang,
        ),
        html.Section(
            [
                figure(t("city_score", lang), fmt_number(b.score, lang, 2), "city_score", status=score_status(b.score)),
                dimension_table(b.dimensions, lang, with_items=False),
            ],
            className="brief-score",
        ),
        html.Section(
            [
                measure_list(t("top_measures", lang), b.top, lang),
                measure_list(t("bottom_measures", lang), b.bottom, lang),
            ],
            className="brief-two",
        ),
        html.Section(
            [
                html.H2(f"{t('complaint_performance', lang)} · {t('last_24h', lang)}"),
                complaint_figures(
                    b.last_24h.received,
                    b.last_24h.closed,
                    b.last_24h.within_sla_pct,
                    b.last_24h.median_close_h,
                    lang,
                    b.kpis.late_open,
                ),
                html.Div([html.H3(t("top_categories", lang)), html.Ul(cats)], className="brief-block"),
            ],
        ),
        html.Section(
            [
                html.Div(
                    [
                        html.H3(
                            f"{t('incidents_24h', lang)} · {len(b.incidents)} / {t('alerts_short', lang)} "
                            f"{len(b.alerts)}"
                        ),
                        html.Ul(events or [html.Li(t("no_incidents", lang))]),
                    ],
                    className="brief-block",
                ),
                html.Div(
                    [
                        html.H3(f"{t('sensor_alerts_24h', lang)} · {len(b.sensors_over)}"),
                        html.Ul(sensors or [html.Li(t("no_sensor_alerts", lang))]),
                    ],
                    className="brief-block",
                ),
            ],
            className="brief-two",
        ),
        html.Section([coverage_line(b.coverage, lang)]),
        html.Footer(t("score_note", lang), className="brief-footer"),
    ]


def weekly_table(weekly: object, complaints_weekly: object, lang: str) -> html.Table:
    """Dimension scores per week (and SLA per week): the period's trend in numbers that print cleanly."""
    weeks = sorted(set(weekly["week"]))
    pivot = weekly.pivot_table(index="dimension", columns="week", values="score") if len(weekly) else None
    rows = []
    for dim in ("governance", "branding", "economy", "living", "society", "environment"):
        cells = [html.Td(t("dim_" + dim, lang))]
        for w in weeks:
            value = pivot.loc[dim, w] if pivot is not None and dim in pivot.index and w in pivot.columns else None
            value = None if value is None or value != value else float(value)
            cells.append(html.Td(fmt_number(value, lang, 2), className=f"num {score_status(value)}"))
        rows.append(html.Tr(cells))
    sla = dict(zip(complaints_weekly["week"], complaints_weekly["within_sla_pct"], strict=True))
    rows.append(
        html.Tr(
            [html.Td(t("closed_within_sla", lang) + " (%)")]
            + [
                html.Td(
                    fmt_number(None if sla.get(w) is None or sla.get(w) != sla.get(w) else sla[w], lang, 1),
                    className="num",
                )
                for w in weeks
            ]
        )
    )
    head = html.Thead(html.Tr([html.Th(t("week_of", lang))] + [html.Th(w[5:], className="num") for w in weeks]))
    return html.Table([head, html.Tbody(rows)], className="brief-table weekly")


def assessment_body(a: object, lang: str, period_text: str) -> list:
    """The assessment summary for a period from a data.estate.briefing.Assessment."""
    history = [
        html.Li(f"{r.month}: {connected_phrase(int(r.connected), int(r.total), lang)}")
        for r in a.coverage_history.itertuples()
    ]
    return [
        header(
            t("assessment_title", lang),
            f"{t('briefing_period', lang)} {period_text}",
            fmt_time_wib(a.end, with_date=True),
            lang,
        ),
        html.Section([html.H2(t("dimensions_title", lang)), dimension_table(a.dimensions, lang)]),
        html.Section([html.H2(t("trend_weekly", lang)), weekly_table(a.weekly, a.complaints_weekly, lang)]),
        html.Section(
            [
                html.H2(t("complaint_performance", lang)),
                complaint_figures(
                    a.complaints.received,
                    a.complaints.closed,
                    a.complaints.within_sla_pct,
                    a.complaints.median_close_h,
                    lang,
                ),
            ]
        ),
        html.Section([coverage_line(a.coverage, lang), html.Ul(history, className="brief-history")]),
        html.Footer(t("score_note", lang), className="brief-footer"),
    ]
