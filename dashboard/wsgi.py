"""The WSGI entry for production: `gunicorn -c gunicorn.conf.py dashboard.wsgi:server`.

The app (and the schema migration) is built once in gunicorn's master when `preload_app` is on;
the engine's pool is emptied before the fork and again in each worker (`post_fork`), so every
worker opens its own database connections and nothing is shared across processes.

The master builds the app with the garbage collector off and then freezes what it built (the pattern the
`gc` documentation gives for fork without exec): a worker's collections then never write to the objects
it inherited, whose pages stay shared with the master instead of being copied into every worker.

Where the app is reachable is what gunicorn binds (`-b`), not HOST: under gunicorn.conf.py its hooks run the
start-up check on the real listeners (`when_ready`) and declare them in each worker (`post_fork`); under any
other WSGI server the bind is unknown, so the check runs here as for a network address and the open demo
is never granted (dashboard/exposure.py).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable

from flask import Flask

from callbacks.context import RUNTIME_KEY
from callbacks.warm import warm_wall_figures
from dashboard import exposure
from dashboard.app import create_app
from dashboard.settings import Settings
from data.city import activate

gc.disable()
_hooks_declare_bind = os.environ.get(exposure.DECLARED_BY_ENV) == "gunicorn.conf.py"
_settings = Settings.from_env()
activate(_settings.pack())  # this process serves CITY, like every CLI entry point (threads holding no request)
app = create_app(_settings, bind=exposure.PENDING if _hooks_declare_bind else exposure.UNKNOWN)
server: Flask = app.server
app.server.extensions[RUNTIME_KEY].dispose()
gc.freeze()
gc.enable()


def after_fork(listeners: Iterable[object]) -> None:
    """Drop any pooled connection inherited from the master, declare where this worker listens (after the
    start-up check), then warm its wall figures (called by gunicorn's post_fork hook)."""
    runtime = server.extensions[RUNTIME_KEY]
    runtime.engine.dispose(close=False)
    exposure.declare_bind(runtime, exposure.listener_addresses(listeners))
    warm_wall_figures(server)
