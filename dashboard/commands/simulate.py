"""simulate: keep feeding the demo city in real time (catching up first), into the store or over MQTT."""

from __future__ import annotations

import argparse

from dashboard.settings import Settings
from data.demo.live import run_forever
from data.places import prepare_store
from data.store import make_engine


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="feed live demo readings and complaints")
    p.add_argument("--every", type=float, default=5.0, help="seconds between ticks")
    p.add_argument("--mqtt", action="store_true", help="publish readings to the MQTT broker (MQTT_URL)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    publish = None
    if args.mqtt:
        from data.ingest.mqtt import ObservationPublisher

        publish = ObservationPublisher(settings.mqtt_url).publish
    print(f"simulating every {args.every:g} s; Ctrl-C stops", flush=True)
    run_forever(engine, args.every, publish=publish)
    return 0
