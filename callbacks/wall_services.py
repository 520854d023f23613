"""/wall/services callbacks: coverage, dimensions, service health, lagging agencies and the monthly trend."""

from __future__ import annotations

import pandas as pd
from dash import MATCH, Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine

from callbacks.cache import recent
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import should_refresh, slot_lang
from data.dimensions import city_dimensions
from data.estate.coverage import coverage_by_month
from data.estate.registry import (
    connected_service_health,
    coverage_by_agency,
    coverage_by_dimension,
    coverage_summary,
    lagging_agencies,
)
from data.memo import Unkeyed
from layouts import ids
from layouts.wall_screens import slot_id, slot_params_id
from layouts.wall_services import coverage_block, coverage_trend_figure, dimension_tiles, health_tiles, lagging_rows

LAGGING_SHOWN = 14
TREND_MONTHS = 18


def lagging_coverage(engine: Engine, shown: int) -> pd.DataFrame:
    """The `shown` agencies furthest behind in connecting their services (one cache entry per data version)."""
    return lagging_agencies(coverage_by_agency(engine), shown)


def render_services(_tick: int | None, params: dict | None, position: dict | None) -> tuple:
    """Everything the screen shows, from five small aggregates (cached per data version)."""
    if not should_refresh((params or {}).get("slot"), position):
        raise PreventUpdate
    lang = slot_lang(params)
    rt = runtime()
    engine, moment = rt.engine, now()
    summary = recent(("services",), coverage_summary, engine)
    by_dim = recent(("services",), coverage_by_dimension, engine)
    lagging = recent(("services",), lagging_coverage, engine, LAGGING_SHOWN)
    health = recent(("services",), connected_service_health, engine, Unkeyed(moment))
    history = recent(("services",), coverage_by_month, engine, Unkeyed(moment), TREND_MONTHS)
    dims = recent(("complaints", "observations", "services"), city_dimensions, engine, Unkeyed(moment),
                  rt.settings.targets_path)  # fmt: skip
    return (
        coverage_block(summary.total, summary.connected, summary.partial, summary.not_connected, lang),
        dimension_tiles(dims, by_dim, lang),
        health_tiles(health, lang),
        lagging_rows(lagging, lang),
        coverage_trend_figure(history, lang),
    )


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "wall",
        Output(slot_id(ids.WALL_SVC_COVERAGE, MATCH), "children"),
        Output(slot_id(ids.WALL_SVC_DIMENSIONS, MATCH), "children"),
        Output(slot_id(ids.WALL_SVC_HEALTH, MATCH), "children"),
        Output(slot_id(ids.WALL_SVC_LAGGING, MATCH), "children"),
        Output(slot_id(ids.WALL_SVC_TREND, MATCH), "figure"),
        Input(ids.WALL_TICK, "n_intervals"),
        State(slot_params_id(MATCH), "data"),
        State(ids.WALL_POSITION, "data"),
    )(render_services)
