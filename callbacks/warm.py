"""Fill the cache with the city-wide wall figures when a server, or a recycled gunicorn worker, starts.

The first computation of the KPI board reads the comparison moments, the sparkline's past days and the
30-day closures (about a second at 1M complaints); after a restart every wall screen reconnects at once.
Warming in the background answers them from memory. With REDIS_URL the first worker's figures serve all.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from callbacks.cache import cached
from callbacks.context import now, runtime
from callbacks.wall_common import district_figures
from data.queries.kpi_board import kpi_board

LOG = logging.getLogger(__name__)


def warm_wall_figures(server: Flask) -> threading.Thread:
    """Compute the city's KPI board and map figures once, in a daemon thread; a failure is only logged."""

    def run() -> None:
        try:
            with server.app_context():
                rt = runtime()
                kpi_board(rt.engine, now(), rt.settings.targets_path, None, memo=cached)  # sensor states too
                district_figures()
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the screens compute what is missing
            LOG.warning("could not warm the wall's figures: %s: %s", type(exc).__name__, exc)

    thread = threading.Thread(target=run, daemon=True, name="warm-wall")
    thread.start()
    return thread
