"""/briefing callbacks: read the chosen view and period, fetch the briefing's figures, build the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dash import Dash, Input, Output, State, html

from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data.estate.briefing import assessment, daily_briefing
from data.timebuckets import wib_midnight_utc, wib_today
from layouts.briefing import (
    BRIEFING_BODY,
    BRIEFING_DATES,
    BRIEFING_GO,
    BRIEFING_PARAMS,
    BRIEFING_PRINT,
    BRIEFING_PRINTED,
    assessment_body,
    assessment_href,
    daily_body,
)
from layouts.i18n import lang_of, t

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 400


def parse_period(start: str | None, end: str | None, moment: datetime) -> tuple[date, date]:
    """WIB dates of an assessment period (both inclusive); the last 30 days by default. Raises ValueError."""
    today = wib_today(moment)
    last = date.fromisoformat(end) if end else today
    first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if first > last:
        raise ValueError(f"{first.isoformat()} > {last.isoformat()}")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise ValueError(f"> {MAX_PERIOD_DAYS} days")
    return first, last


def render_briefing(params: dict | None) -> list:
    """The daily page, or the assessment for the period in the query (a clear message when it is not valid)."""
    params = params or {}
    lang = lang_of(params.get("lang"))
    rt = runtime()
    moment = now()
    if params.get("view") != "assessment":
        return daily_body(daily_briefing(rt.engine, moment, rt.settings.targets_path), lang)
    try:
        first, last = parse_period(params.get("start"), params.get("end"), moment)
    except ValueError as exc:
        return [html.Div([html.B(t("briefing_bad_period", lang)), f": {exc}"], className="alert alert-danger")]
    start = wib_midnight_utc(first)
    end = min(wib_midnight_utc(last + timedelta(days=1)), moment)
    period_text = f"{first:%d/%m/%Y} - {last:%d/%m/%Y}"
    return assessment_body(assessment(rt.engine, start, end, rt.settings.targets_path), lang, period_text)


def register(app: Dash) -> None:
    guarded_callback(app, "leader", Output(BRIEFING_BODY, "children"), Input(BRIEFING_PARAMS, "data"))(render_briefing)
    guarded_callback(
        app,
        "leader",
        Output(BRIEFING_GO, "href"),
        Input(BRIEFING_DATES, "start_date"),
        Input(BRIEFING_DATES, "end_date"),
        State(BRIEFING_PARAMS, "data"),
    )(lambda start, end, params: assessment_href(start, end, lang_of((params or {}).get("lang"))))
    app.clientside_callback(
        "function(n) { if (n) { window.print(); } return n || 0; }",
        Output(BRIEFING_PRINTED, "data"),
        Input(BRIEFING_PRINT, "n_clicks"),
        prevent_initial_call=True,
    )
