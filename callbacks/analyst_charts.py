"""Analyst chart callbacks: the filter store in, eight figures out (two callbacks, so half can draw early)."""

from __future__ import annotations

import logging
from dataclasses import replace

from dash import Dash, Input, Output, State
from sqlalchemy.exc import SQLAlchemyError

from callbacks.context import now, runtime
from data import geography
from data.queries import analyst as q
from data.queries.analyst_filter import FilterState, to_filter
from layouts import analyst_figures as figs
from layouts import ids
from layouts.i18n import lang_of, t

LOG = logging.getLogger(__name__)
GEOJSON_KEY = "analyst_district_geojson"


def district_geojson() -> dict:
    """The kecamatan boundaries as a FeatureCollection keyed by code (read once per process)."""
    extras = runtime().extras
    if GEOJSON_KEY not in extras:
        features = [
            {"type": "Feature", "id": d.code, "properties": {"name": d.name}, "geometry": d.geometry}
            for d in geography.districts()
        ]
        extras[GEOJSON_KEY] = {"type": "FeatureCollection", "features": features}
    return extras[GEOJSON_KEY]


def _state(data: dict | None) -> FilterState | None:
    return FilterState.from_dict(data) if data else None


def place_charts(data: dict | None, params: dict | None) -> tuple:
    """Map, complaints over time, by category and by channel."""
    state, lang = _state(data), lang_of((params or {}).get("lang"))
    if state is None:
        return (figs.empty_figure("…", lang),) * 4
    engine, flt = runtime().engine, to_filter(state)
    try:
        # the map ignores its own place filter, so the chosen kecamatan stay outlined among all thirteen
        districts = q.by_district(engine, replace(flt, districts=(), subdistricts=()))
        return (
            figs.district_map(districts, district_geojson(), state.districts, lang),
            figs.over_time(q.counts_over_time(engine, flt, state.bucket), state.bucket, lang),
            figs.counts_bar(q.counts_by(engine, flt, "category"), "category", state.categories, lang),
            figs.counts_bar(q.counts_by(engine, flt, "channel"), "channel", state.channels, lang),
        )
    except SQLAlchemyError:
        LOG.exception("analyst charts: database error")
        return (figs.empty_figure(t("an_error", lang), lang),) * 4


def performance_charts(data: dict | None, params: dict | None) -> tuple:
    """Time to close by agency, the hour-by-weekday heatmap, backlog age and sensors against complaints."""
    state, lang = _state(data), lang_of((params or {}).get("lang"))
    if state is None:
        return (figs.empty_figure("…", lang),) * 4
    engine, flt = runtime().engine, to_filter(state)
    try:
        buckets = q.close_by_agency(engine, flt)
        readings, reports, categories = q.sensor_vs_complaints(engine, flt, state.bucket)
        return (
            figs.close_by_agency(buckets, q.sla_by_agency(buckets), state.agencies, lang),
            figs.heatmap(q.hour_weekday(engine, flt), state.hours, state.weekdays, lang),
            figs.backlog_age(q.backlog_age(engine, flt, now()), lang),
            figs.sensor_vs_complaints(readings, reports, categories, lang),
        )
    except SQLAlchemyError:
        LOG.exception("analyst charts: database error")
        return (figs.empty_figure(t("an_error", lang), lang),) * 4


def register(app: Dash) -> None:
    app.callback(
        *[Output(ids.analyst_chart(n), "figure") for n in ("map", "over_time", "by_category", "by_channel")],
        Input(ids.ANALYST_FILTER, "data"),
        State(ids.ANALYST_PARAMS, "data"),
    )(place_charts)
    app.callback(
        *[
            Output(ids.analyst_chart(n), "figure")
            for n in ("close_by_agency", "heatmap", "backlog_age", "sensor_vs_complaints")
        ],
        Input(ids.ANALYST_FILTER, "data"),
        State(ids.ANALYST_PARAMS, "data"),
    )(performance_charts)
