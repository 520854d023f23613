"""KPI tiles and City Score rankings of a wall slot; only tiles whose content changed are sent (Patch)."""

from __future__ import annotations

from dash import MATCH, Dash, Input, Output, Patch, State, html
from dash.exceptions import PreventUpdate

from callbacks.cache import recent
from callbacks.changes import changed_parts
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from callbacks.wall_common import should_refresh, slot_district, slot_lang
from data.feeds import feed_health
from data.queries.kpi_board import kpi_board
from data.queries.snapshot import city_snapshot
from layouts import ids
from layouts.components.kpi_board import board_tiles, rankings, stale_ages
from layouts.wall_screens import slot_id, slot_params_id


def render_tiles(
    tick: int | None, params: dict, keys: list[str], previous: list[str] | None, position: dict | None
) -> tuple:
    """The tiles of one slot; the first render sends them all, later ones patch only the changed tiles."""
    if tick and not should_refresh((params or {}).get("slot"), position):
        raise PreventUpdate
    rt = runtime()
    lang = slot_lang(params)
    board = kpi_board(rt.engine, now(), rt.settings.targets_path, slot_district(params), memo=recent)
    scores = {m.measure.key: m.score for m in board.measures}
    stale = stale_ages(feed_health(rt.engine), lang)
    tiles = board_tiles(keys, board.now, board.day_ago, board.week_ago, board.series, scores, stale, lang)
    signatures = [sig for sig, _ in tiles]
    changed = changed_parts(signatures, previous)
    if not changed:
        raise PreventUpdate
    if not previous or len(previous) != len(tiles):
        return [tile for _, tile in tiles], signatures
    patch = Patch()
    for i in changed:
        patch[i] = tiles[i][1]
    return patch, signatures


def render_rankings(tick: int | None, params: dict, position: dict | None) -> html.Div:
    """Top-5 and bottom-5 measures of the City Score for the slot's district."""
    if tick and not should_refresh((params or {}).get("slot"), position):
        raise PreventUpdate
    rt = runtime()
    snap = city_snapshot(rt.engine, now(), rt.settings.targets_path, slot_district(params), memo=recent)
    return rankings(snap.measures, slot_lang(params))


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "wall",
        Output(slot_id(ids.WALL_KPIS, MATCH), "children"),
        Output(slot_id(ids.WALL_KPI_SIG, MATCH), "data"),
        Input(ids.WALL_TICK, "n_intervals"),
        Input(slot_params_id(MATCH), "data"),
        State(slot_id(ids.WALL_KPI_KEYS, MATCH), "data"),
        State(slot_id(ids.WALL_KPI_SIG, MATCH), "data"),
        State(ids.WALL_POSITION, "data"),
    )(render_tiles)
    guarded_callback(
        app,
        "wall",
        Output(slot_id(ids.WALL_RANK, MATCH), "children"),
        Input(ids.WALL_TICK, "n_intervals"),
        Input(slot_params_id(MATCH), "data"),
        State(ids.WALL_POSITION, "data"),
    )(render_rankings)
