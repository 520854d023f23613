"""The federation room's callbacks: wiring only. The wall redraws its map, rankings and cards when a member's
summary arrives or a member turns stale, not on every tick; the leaders' page compares members over time."""

from __future__ import annotations

import dash
from dash import Dash, Input, Output, State

from callbacks.cache import cached, current_versions
from callbacks.context import now, runtime
from callbacks.registry import guarded_callback
from data.city import current as current_room
from data.federation import outlines, queries
from layouts import federation, ids
from layouts.federation_figures import MEASURES, OUTLINE_URLS, members_map, score_history
from layouts.i18n import lang_of

BOARD_DOMAINS = ("federation",)


def _board():  # noqa: ANN202 - a DataFrame
    """Every member's newest figures (read once per data version for all screens) and freshness at this moment:
    a member turns stale when the pack says, not at the next minute."""
    config = current_room().federation
    figures = cached(BOARD_DOMAINS, queries.member_figures, runtime().engine, config)
    return queries.with_freshness(figures, config, now())


def wall_state(_tick: object, current: object) -> dict:
    """What the wall shows depends on: the members' summaries (data version) and which members are stale."""
    board = _board()
    state = {
        "version": current_versions().get("federation", 0),
        "stale": sorted(board.loc[board["stale"].astype(bool), "code"].tolist()),
        "minute": now().strftime("%H:%M"),  # ages on the cards move on with the clock
    }
    return dash.no_update if state == current else state


def _lang(params: object) -> str:
    return lang_of(params.get("lang") if isinstance(params, dict) else None)


def _viewport(value: object) -> tuple[int, int]:
    """The screen's size as the browser reported it; anything else (a crafted body) is a 1080p wall."""
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return max(320, min(int(value[0]), 16_384)), max(240, min(int(value[1]), 16_384))
    return 1920, 1080


def draw_wall(_state: object, measure: object, viewport: object, params: object) -> tuple:
    lang = _lang(params)
    measure = measure if isinstance(measure, str) and measure in MEASURES else "score"
    size = _viewport(viewport)
    board = _board()
    codes = tuple(board["code"])
    figure = members_map(
        board, OUTLINE_URLS["members"], OUTLINE_URLS["context"], measure, lang, size, outlines.member_bounds(codes)
    )
    tops = {m: queries.rankings(board, m) for m in queries.RANK_MEASURES}
    cards = federation.member_cards(board, now(), lang)
    return figure, federation.rankings(board, tops, lang), cards, federation.counts(board, lang)


def draw_leader(_tick: object, chosen: object, params: object) -> tuple:
    lang = _lang(params)
    board = _board()
    known = set(board["code"])
    picked = [c for c in (chosen if isinstance(chosen, list) else []) if isinstance(c, str) and c in known] or None
    rt = runtime()
    history = cached(BOARD_DOMAINS, queries.member_history, rt.engine)
    shown = history if picked is None else history[history["code"].isin(picked)]
    rows = board if picked is None else board[board["code"].isin(picked)]
    options = [{"label": f"{r['name']} ({r['zone_label']})", "value": r["code"]} for _, r in board.iterrows()]
    table = federation.comparison_table(rows, queries.scores_back(history, rows), lang)
    return options, score_history(shown, lang), table


def register(app: Dash) -> None:
    app.clientside_callback(
        "function(_) { return [window.innerWidth, window.innerHeight]; }",
        Output(ids.FED_VIEWPORT, "data"),
        Input(ids.FED_PARAMS, "data"),
    )
    app.clientside_callback(
        """function(_, params) {
            const local = new Date(Date.now() + 3600e3 * ((params && params.offset_hours) || 7));
            return local.toISOString().substring(11, 16);
        }""",
        Output(ids.FED_CLOCK, "children"),
        Input(ids.FED_TICK, "n_intervals"),
        State(ids.FED_PARAMS, "data"),
    )
    guarded_callback(
        app, "wall", Output(ids.FED_STATE, "data"), Input(ids.FED_TICK, "n_intervals"), State(ids.FED_STATE, "data")
    )(wall_state)
    guarded_callback(
        app,
        "wall",
        Output(ids.FED_MAP, "figure"),
        Output(ids.FED_RANKINGS, "children"),
        Output(ids.FED_CARDS, "children"),
        Output(ids.FED_COUNTS, "children"),
        Input(ids.FED_STATE, "data"),
        Input(ids.FED_MEASURE, "value"),
        Input(ids.FED_VIEWPORT, "data"),
        State(ids.FED_PARAMS, "data"),
    )(draw_wall)
    guarded_callback(
        app,
        "leader",
        Output(ids.FED_CHOOSE, "options"),
        Output(ids.FED_HISTORY, "figure"),
        Output(ids.FED_TABLE, "children"),
        Input(ids.FED_LEADER_TICK, "n_intervals"),
        Input(ids.FED_CHOOSE, "value"),
        State(ids.FED_LEADER_PARAMS, "data"),
    )(draw_leader)
