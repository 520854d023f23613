"""Analyst chart callbacks: the filter store in, eight figures out, one callback each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from dash import Dash, Input, Output, State
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data import geography
from data.queries import analyst as q
from data.queries.analyst_filter import FilterState, to_filter
from data.queries.filters import ComplaintFilter
from layouts import analyst_figures as figs
from layouts import ids
from layouts.i18n import lang_of, t

LOG = logging.getLogger(__name__)


def _state(data: dict | None) -> FilterState | None:
    return FilterState.from_dict(data) if data else None


def _district_map(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> dict:
    # the map ignores its own place filter, so the chosen kecamatan stay outlined among all thirteen
    districts = q.by_district(engine, replace(flt, districts=(), subdistricts=()))
    return figs.district_map(districts, geography.district_collection(), state.districts, lang)


def _over_time(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    return figs.over_time(q.counts_over_time(engine, flt, state.bucket), state.bucket, lang)


def _by_category(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    return figs.counts_bar(q.counts_by(engine, flt, "category"), "category", state.categories, lang)


def _by_channel(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    return figs.counts_bar(q.counts_by(engine, flt, "channel"), "channel", state.channels, lang)


def _close_by_agency(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    buckets = q.close_by_agency(engine, flt)
    return figs.close_by_agency(buckets, q.sla_by_agency(buckets), state.agencies, lang)


def _heatmap(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    return figs.heatmap(q.hour_weekday(engine, flt), state.hours, state.weekdays, lang)


def _backlog_age(engine: Engine, flt: ComplaintFilter, _state: FilterState, lang: str) -> object:
    return figs.backlog_age(q.backlog_age(engine, flt, now()), lang)


def _sensor_vs_complaints(engine: Engine, flt: ComplaintFilter, state: FilterState, lang: str) -> object:
    return figs.sensor_vs_complaints(*q.sensor_vs_complaints(engine, flt, state.bucket), lang)


# One callback per chart: the browser asks for all eight at once, the workers answer them side by side,
# and each chart draws as soon as its own query is done (four in one callback waited for the slowest).
CHARTS: dict[str, Callable[[Engine, ComplaintFilter, FilterState, str], object]] = {
    "map": _district_map,
    "over_time": _over_time,
    "by_category": _by_category,
    "by_channel": _by_channel,
    "close_by_agency": _close_by_agency,
    "heatmap": _heatmap,
    "backlog_age": _backlog_age,
    "sensor_vs_complaints": _sensor_vs_complaints,
}


def chart_callback(build: Callable[[Engine, ComplaintFilter, FilterState, str], object]) -> Callable:
    """A callback from the filter store to one figure; a database fault draws a message, not a traceback."""

    def render(data: dict | None, params: dict | None) -> object:
        state, lang = _state(data), lang_of((params or {}).get("lang"))
        if state is None:
            return figs.empty_figure("…", lang)
        try:
            return build(runtime().engine, to_filter(state), state, lang)
        except SQLAlchemyError:
            LOG.exception("analyst chart: database error")
            return figs.empty_figure(t("an_error", lang), lang)

    return render


def register(app: Dash) -> None:
    for name, build in CHARTS.items():
        guarded_callback(
            app,
            "analyst",
            Output(ids.analyst_chart(name), "figure"),
            Input(ids.ANALYST_FILTER, "data"),
            State(ids.ANALYST_PARAMS, "data"),
        )(chart_callback(build))
