"""The wall's lists: alert ticker, complaint stream, district bars, sensor states and attention list.

Each list is sent only when its content changed (its signature is kept beside it in the page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dash import MATCH, Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from sqlalchemy import Engine

from callbacks.cache import recent
from callbacks.changes import changed_parts, signature
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import district_figures, sensor_figures, should_refresh, slot_district, slot_lang
from data.alerts.titles import localise_titles
from data.memo import Unkeyed
from data.queries.complaints import recent_complaints
from data.queries.filters import ComplaintFilter
from data.queries.wall import district_names, ticker_alerts
from layouts import ids
from layouts.components import streams
from layouts.wall_screens import slot_id, slot_params_id

TICKER_COMPLAINTS = 6
TICKER_ALERTS = 100  # the ticker pages through every live alert (assets/wall.js), not the first few
STREAM_LENGTH = 14


def _changed(children: list, previous: str | None) -> tuple[list, str]:
    sig = signature(children)
    if not changed_parts([sig], [previous] if previous else None):
        raise PreventUpdate
    return children, sig


def ticker(params: dict) -> list:
    """Every live alert and the newest complaints: ~600 components, built once per data change for all screens."""
    args = (runtime().engine, Unkeyed(now()), slot_district(params), slot_lang(params))
    return recent(("alerts", "complaints"), ticker_items, *args)


def ticker_items(engine: Engine, moment: datetime, district: str | None, lang: str) -> list:
    alerts = localise_titles(engine, ticker_alerts(engine, moment, district, TICKER_ALERTS), lang)
    complaints = recent_complaints(engine, moment, TICKER_COMPLAINTS, ComplaintFilter.for_district(district))
    return streams.ticker_items(alerts, complaints, district_names(engine), moment, lang)


def stream(params: dict) -> list:
    args = (runtime().engine, Unkeyed(now()), slot_district(params), slot_lang(params))
    return recent(("complaints",), stream_items, *args)


def stream_items(engine: Engine, moment: datetime, district: str | None, lang: str) -> list:
    frame = recent_complaints(engine, moment, STREAM_LENGTH, ComplaintFilter.for_district(district))
    return streams.stream_items(frame, moment, lang)


def district_bars(params: dict) -> list:
    return streams.district_bars(district_figures(), slot_lang(params))


def sensor_kinds(params: dict) -> list:
    return [streams.sensor_kind_table(sensor_figures(slot_district(params)), slot_lang(params))]


def sensor_attention(params: dict) -> list:
    states = sensor_figures(slot_district(params))
    return streams.attention_items(states, district_names(runtime().engine), slot_lang(params))


def _live_callback(build: Callable[[dict], list]) -> Callable:
    """Wrap a list builder: refresh only visible slots, send only when the content changed."""

    def callback(tick: int | None, params: dict, previous: str | None, position: dict | None) -> tuple[list, str]:
        if tick and not should_refresh((params or {}).get("slot"), position):
            raise PreventUpdate
        return _changed(build(params or {}), previous)

    callback.__name__ = f"render_{build.__name__}"
    return callback


LISTS = {
    ids.WALL_TICKER: ticker,
    ids.WALL_STREAM: stream,
    ids.WALL_DISTRICT_BARS: district_bars,
    ids.WALL_SENSOR_KINDS: sensor_kinds,
    ids.WALL_SENSOR_ATTENTION: sensor_attention,
}


def register(app: Dash) -> None:
    for kind, build in LISTS.items():
        guarded_callback(
            app,
            "wall",
            Output(slot_id(kind, MATCH), "children"),
            Output(slot_id(ids.signature_of(kind), MATCH), "data"),
            Input(ids.WALL_TICK, "n_intervals"),
            Input(slot_params_id(MATCH), "data"),
            State(slot_id(ids.signature_of(kind), MATCH), "data"),
            State(ids.WALL_POSITION, "data"),
        )(_live_callback(build))
