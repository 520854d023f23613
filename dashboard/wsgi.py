"""The WSGI entry for production: `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`.

The app (and the schema migration) is built once in gunicorn's master when `preload_app` is on;
the engine's pool is emptied before the fork and again in each worker (`post_fork`), so every
worker opens its own database connections and nothing is shared across processes.

The master builds the app with the garbage collector off and then freezes what it built (the pattern the
`gc` documentation gives for fork without exec): a worker's collections then never write to the objects
it inherited, whose pages stay shared with the master instead of being copied into every worker.
"""

from __future__ import annotations

import gc

from flask import Flask

from callbacks.context import RUNTIME_KEY
from callbacks.warm import warm_wall_figures
from dashboard.app import create_app

gc.disable()
app = create_app()
server: Flask = app.server
app.server.extensions[RUNTIME_KEY].dispose()
gc.freeze()
gc.enable()


def after_fork() -> None:
    """Drop any pooled connection inherited from the master, then warm this worker's wall figures
    (called by gunicorn's post_fork hook)."""
    server.extensions[RUNTIME_KEY].engine.dispose(close=False)
    warm_wall_figures(server)
