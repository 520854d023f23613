"""Ready means warm: every wall screen's city-wide figures are in the cache before the room calls itself ready.

The first computation of the KPI board reads the comparison moments, the sparkline's past days and the 30-day
closures (seconds at 1M complaints); after a restart every wall screen reconnects at once. `serve` warms before
it answers; a gunicorn worker warms in a thread while `/api/health` says `warming`. With REDIS_URL the first
worker's figures serve all. A keeper thread then warms the leaders' briefing (kept warm while leaders look at
it) and recomputes the city-wide board ahead of the wall: the comparison moments move on a ten-minute grid and
past days are remembered for ten minutes, and recomputing them on a screen's refresh was the board's worst case.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app

from callbacks.cache import cached
from callbacks.context import now, runtime
from callbacks.wall_common import district_figures, outside_last_day, sensor_figures
from callbacks.wall_map import map_page
from data.memo import SETTLED_TTL_S
from data.queries.kpi_board import kpi_board, upcoming_comparisons
from layouts.i18n import LANGS

LOG = logging.getLogger(__name__)
WARMTH_KEY = "wall_warmth"
KEEP_EVERY_S = SETTLED_TTL_S / 3  # several passes per ten-minute grid step, well inside the settled figures' life
SETTLE_S = 30.0  # the keeper's first pass waits this long after ready: reconnecting walls render first
LEADERS_SEEN_KEY = "leaders_seen_at"
LEADERS_WATCH_S = 1800.0  # the briefing is kept warm while a leader looked at it within this long


@dataclass
class Warmth:
    """Where warming stands: `warming` until every screen's figures were computed once, then `warm`."""

    state: str = "cold"
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float | None = None

    def as_dict(self) -> dict:
        return {"state": self.state, "screens_done": list(self.done), "failed": dict(self.failed),
                "seconds": None if self.seconds is None else round(self.seconds, 2)}  # fmt: skip


def warmth(server: Flask) -> Warmth | None:
    """The server's warming state; None for an app nobody warms (tests, scripts)."""
    return server.extensions.get(WARMTH_KEY)


def is_warming() -> bool:
    """Whether the running app is still computing the wall's figures: the wall marks what it shows as its
    last figures meanwhile, since a screen's first answer would wait on cold queries."""
    state = warmth(current_app)
    return state is not None and state.state == "warming"


def _kpi_board() -> None:
    """The city-wide board, and the day- and week-ago figures of the next comparison moment, so a screen never
    meets the ten-minute grid moving on (a new moment has no earlier value to show meanwhile)."""
    rt = runtime()
    kpi_board(rt.engine, now(), rt.settings.targets_path, None, memo=cached)
    upcoming_comparisons(rt.engine, now(), cached)


def _map() -> None:
    """Kiosk screens and the others, in either language (the page carries its words); district figures and
    sensor states too."""
    for lang in LANGS:
        for interactive in (False, True):
            map_page(None, "per_10k", lang, interactive)


def _services() -> None:
    from callbacks.wall_services import render_services

    render_services(None, {}, None)


def _cctv() -> None:
    from callbacks.wall_cctv import render_grid

    render_grid(None, {}, None, None)


def _lists() -> None:
    """The alert ticker and the complaint stream every screen shows, built once per data change, in either
    language."""
    from callbacks.wall_feeds import stream, ticker

    for lang in LANGS:
        ticker({"lang": lang})
        stream({"lang": lang})


# Each wall screen and what warms its city-wide figures, and what every screen shares (header, ticker, stream).
SCREENS: dict[str, Callable[[], None]] = {
    "header": outside_last_day,
    "lists": _lists,
    "kpi": _kpi_board,
    "complaints": lambda: (district_figures(), _kpi_board()),
    "map": _map,
    "sensors": lambda: sensor_figures(None),
    "services": _services,
    "cctv": _cctv,
}


def _leader_briefing() -> None:
    """The leaders' city briefing (its figures do not depend on the language): the heaviest first visit of
    all (~20 s at 1M complaints over 60 days), computed once the wall is warm, not before ready; and the next
    hour's score history, whose points a new hour would otherwise compute on a leader's visit."""
    from data.queries.leader_pages import city_briefing, score_history

    rt, moment = runtime(), now()
    city_briefing(rt.engine, moment, rt.settings.targets_path, LANGS[0], memo=cached)
    score_history(rt.engine, moment + timedelta(hours=1), rt.settings.targets_path, memo=cached)


def note_leaders_watching() -> None:
    """A leader page was asked for: the keeper keeps the briefing warm for the next LEADERS_WATCH_S."""
    current_app.extensions[LEADERS_SEEN_KEY] = time.monotonic()


def leaders_watching(server: Flask) -> bool:
    seen = server.extensions.get(LEADERS_SEEN_KEY)
    return seen is not None and time.monotonic() - seen < LEADERS_WATCH_S


def warm_wall_screens(server: Flask) -> Warmth:
    """Compute every screen's city-wide figures once, here and now; a failure is logged and reported."""
    state = server.extensions.setdefault(WARMTH_KEY, Warmth())
    state.state = "warming"
    started = time.perf_counter()
    with server.app_context(), runtime().serving():  # this app's city and rules, as a request would have
        for name, warm in SCREENS.items():
            try:
                warm()
                state.done.append(name)
            except Exception as exc:  # noqa: BLE001 - warming is an optimisation; screens compute what is missing
                state.failed[name] = f"{type(exc).__name__}: {exc}"
                LOG.warning("could not warm the wall's %s figures: %s: %s", name, type(exc).__name__, exc)
    state.seconds = time.perf_counter() - started
    state.state = "warm"
    return state


def keep_warm(
    server: Flask, every_s: float = KEEP_EVERY_S, stop: Callable[[], bool] = lambda: False, settle_s: float = SETTLE_S
) -> None:
    """After `settle_s` (the walls' first renders after a start come first), recompute the city-wide board with
    the next comparison moment off the request path every `every_s`. The leaders' briefing with the next hour's
    history is warmed on the first pass (a leader's first visit), then only while leaders are looking: it is
    the heaviest figure of all, and recomputing it for nobody takes the wall's core."""
    time.sleep(settle_s)
    first = True
    while not stop():
        _keep(server, "the wall's figures", _kpi_board)
        if first or leaders_watching(server):
            _keep(server, "the leaders' briefing", _leader_briefing)
        first = False
        time.sleep(every_s)


def _keep(server: Flask, what: str, compute: Callable[[], None]) -> None:
    try:
        with server.app_context(), runtime().serving():
            compute()
    except Exception as exc:  # noqa: BLE001 - a keeper must outlive a database hiccup; pages compute what is missing
        LOG.warning("could not keep %s warm: %s: %s", what, type(exc).__name__, exc)


def warm_wall_figures(server: Flask) -> threading.Thread:
    """Warm in a daemon thread (a gunicorn worker answers meanwhile, health says `warming`), then keep warm."""
    server.extensions.setdefault(WARMTH_KEY, Warmth()).state = "warming"

    def run() -> None:
        warm_wall_screens(server)
        keep_warm(server)

    thread = threading.Thread(target=run, daemon=True, name="warm-wall")
    thread.start()
    return thread


def start_keeper(server: Flask) -> threading.Thread:
    thread = threading.Thread(target=keep_warm, args=(server,), daemon=True, name="keep-wall-warm")
    thread.start()
    return thread
