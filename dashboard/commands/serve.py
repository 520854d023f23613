"""serve: run the app (waitress, threaded); on an empty store a demo city is seeded first."""

from __future__ import annotations

import argparse
import atexit
import ctypes
import os
import signal
import subprocess
import sys
import threading

from dashboard.settings import Settings
from data.store import make_engine, table_is_empty


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the web app")
    p.add_argument("--host", default=None, help="address to bind (default HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default PORT or 8050)")
    p.add_argument("--threads", type=int, default=16, help="worker threads")
    p.add_argument("--no-simulate", action="store_true", help="do not keep the demo city alive")
    p.add_argument("--no-alerts", action="store_true", help="do not run the alert clock (run `alerts` instead)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from callbacks.warm import start_keeper, warm_wall_screens
    from dashboard.app import create_app
    from dashboard.exposure import access_mode
    from dashboard.federation_app import is_federation

    settings = Settings.from_env()
    settings = settings.with_overrides(host=args.host or settings.host, port=args.port or settings.port)
    app = create_app(settings)  # refuses, saying why, on a network address without users or a strong SECRET_KEY
    engine = make_engine(settings.database_url)
    print(access_mode(settings, engine, [settings.host]), flush=True)
    if is_federation(settings.pack()):  # a room over rooms: pull the members, no city of its own to keep alive
        from data.federation.pull import run_forever as federate_forever

        config = settings.pack().federation
        threading.Thread(target=federate_forever, args=(engine, config), daemon=True, name="federate").start()
        return _listen(app, settings, args.threads, "/federation")
    demo = table_is_empty(engine, "districts") or table_is_empty(engine, "complaints")
    if demo and settings.demo_on_empty:
        from dashboard.commands.seed import DEFAULTS
        from data.demo.generate import DemoSpec
        from data.demo.seed import seed_demo_city
        from data.store import utcnow

        print(f"empty store: seeding a demo of {settings.pack().name} ...", flush=True)
        report = seed_demo_city(engine, DemoSpec(end=utcnow().replace(microsecond=0), **DEFAULTS))
        print(f"seeded {report.complaints:,} complaints and {report.observations:,} readings", flush=True)
    # the simulator and the alert clock in their own processes: their writes and passes never hold the web
    # server's interpreter (one GIL), and they end with it
    if not args.no_simulate and _is_demo_city(engine):
        companion(settings, "simulate", "--every", "5")
    if not args.no_alerts:
        companion(settings, "alerts", "--every", str(settings.alert_eval_seconds))
    print("warming the wall's figures ...", flush=True)
    warmed = warm_wall_screens(app.server)  # ready means warm: nothing answers before every screen's figures are in
    print(f"wall figures warm in {warmed.seconds:.1f} s", flush=True)
    start_keeper(app.server)
    return _listen(app, settings, args.threads, "/wall")


def companion(settings: Settings, *command: str) -> subprocess.Popen:
    """`python -m dashboard COMMAND ...` beside the server, on the same store, ended when the server ends
    (SIGTERM at exit, and by the kernel if the server is killed)."""
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "dashboard", *command], env=env, preexec_fn=_die_with_parent
    )
    atexit.register(child.terminate)
    return child


def _die_with_parent() -> None:
    """In the child before exec: ask Linux for SIGTERM when the parent dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the atexit hook still ends the child on a normal exit


def _listen(app, settings: Settings, threads: int, landing: str) -> int:  # noqa: ANN001 - a Dash app
    from waitress import serve

    print(f"serving on http://{settings.host}:{settings.port}{landing}", flush=True)
    try:
        serve(app.server, host=settings.host, port=settings.port, threads=threads, ident="city-ops")
    except OSError as exc:
        raise PermissionError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from exc
    return 0


def _is_demo_city(engine) -> bool:  # noqa: ANN001
    """Only the demo city (seeded complaints from 'laksa' with TNG- ids) is simulated; real data never is."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM complaints WHERE source_id LIKE 'TNG-%' LIMIT 1")).first() is not None
