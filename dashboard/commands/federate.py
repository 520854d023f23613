"""federate: pull every member room's signed summary (CITY names a pack of kind provinsi or nasional).

`serve` runs this loop itself for such a pack; run it on its own beside gunicorn workers.
"""

from __future__ import annotations

import argparse

from dashboard.settings import Settings


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("federate", help="pull the member rooms' summaries (a provincial or national room)")
    p.add_argument("--once", action="store_true", help="one round, print each member's outcome, and exit")
    p.add_argument("--database-url", default=None, help="the federation room's store (default DATABASE_URL)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from data.federation.pull import pull_round, run_forever
    from data.store import init_schema, make_engine

    settings = Settings.from_env()
    pack = settings.pack()
    config = getattr(pack, "federation", None)
    if config is None:
        raise ValueError(f"CITY names {pack.name}, a {pack.kind}: federate needs a pack of kind provinsi or nasional")
    engine = make_engine(args.database_url or settings.database_url)
    init_schema(engine)
    if not args.once:
        print(f"pulling {len(config.members)} member rooms every {config.every_seconds} s", flush=True)
        run_forever(engine, config)
        return 0
    results = pull_round(engine, config)
    for r in sorted(results, key=lambda r: r.code):
        outcome = (
            f"ok ({r.latency_ms:.0f} ms)"
            if r.summary is not None
            else ("REFUSED: " if r.refused else "") + str(r.error)
        )
        print(f"{r.code:<8} {outcome}")
    return 0 if all(r.summary is not None for r in results) else 1
