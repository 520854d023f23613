"""serve: run the app (waitress, threaded); on an empty store a demo city is seeded first."""

from __future__ import annotations

import argparse
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
    from waitress import serve

    from callbacks.warm import warm_wall_figures
    from dashboard.app import create_app
    from dashboard.exposure import access_mode
    from data.demo.live import run_forever

    settings = Settings.from_env()
    settings = settings.with_overrides(host=args.host or settings.host, port=args.port or settings.port)
    app = create_app(settings)  # refuses, saying why, on a network address without users or a strong SECRET_KEY
    engine = make_engine(settings.database_url)
    print(access_mode(settings, engine, [settings.host]), flush=True)
    demo = table_is_empty(engine, "districts") or table_is_empty(engine, "complaints")
    if demo and settings.demo_on_empty:
        from dashboard.commands.seed import DEFAULTS
        from data.demo.generate import DemoSpec
        from data.demo.seed import seed_demo_city
        from data.store import utcnow

        print("empty store: seeding the demo city of Kota Tangerang ...", flush=True)
        report = seed_demo_city(engine, DemoSpec(end=utcnow().replace(microsecond=0), **DEFAULTS))
        print(f"seeded {report.complaints:,} complaints and {report.observations:,} readings", flush=True)
    if not args.no_simulate and _is_demo_city(engine):
        threading.Thread(target=run_forever, args=(engine, 5.0), daemon=True, name="simulator").start()
    if not args.no_alerts:
        from data.alerts.evaluate import run_evaluator

        every = settings.alert_eval_seconds
        threading.Thread(target=run_evaluator, args=(engine, every), daemon=True, name="alerts").start()
    warm_wall_figures(app.server)
    print(f"serving on http://{settings.host}:{settings.port}/wall", flush=True)
    try:
        serve(app.server, host=settings.host, port=settings.port, threads=args.threads, ident="city-ops")
    except OSError as exc:
        raise PermissionError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from exc
    return 0


def _is_demo_city(engine) -> bool:  # noqa: ANN001
    """Only the demo city (seeded complaints from 'laksa' with TNG- ids) is simulated; real data never is."""
    from sqlalchemy import text

    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM complaints WHERE source_id LIKE 'TNG-%' LIMIT 1")).first() is not None
