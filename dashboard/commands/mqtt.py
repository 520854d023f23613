"""mqtt: subscribe to city/sensors/<sensor_id>/observations on MQTT_URL and store the readings.

QoS 1 with a persistent session under a fixed client id: stop it, restart it, and the broker hands over
what arrived meanwhile (set `max_queued_messages` in mosquitto.conf above the longest burst you expect).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from dashboard.settings import Settings
from data.ingest.mqtt import TOPIC_FILTER, ObservationSubscriber, parse_mqtt_url
from data.places import prepare_store
from data.store import make_engine


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mqtt", help="store sensor readings arriving over MQTT (MQTT_URL)")
    p.add_argument("--topic", default=TOPIC_FILTER, help=f"topic filter (default {TOPIC_FILTER})")
    p.add_argument("--client-id", default="city-ops-room-ingest", help="fixed id that keeps the broker session")
    p.add_argument("--batch-size", type=int, default=2_000, help="readings per database transaction")
    p.add_argument("--max-wait", type=float, default=0.2, help="seconds a partial batch waits before storing")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.batch_size <= 0 or args.max_wait < 0:
        raise ValueError("--batch-size must be positive and --max-wait not negative")
    address = parse_mqtt_url(settings.mqtt_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    engine = make_engine(args.database_url or settings.database_url)
    prepare_store(engine)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    subscriber = ObservationSubscriber(
        engine, settings.mqtt_url, client_id=args.client_id, topic=args.topic,
        batch_size=args.batch_size, max_wait_s=args.max_wait,
    )  # fmt: skip
    print(f"mqtt: {address.host}:{address.port} {args.topic} as {args.client_id}; Ctrl-C stops", flush=True)
    try:
        subscriber.run(stop.is_set, report_every_s=10.0)
    except KeyboardInterrupt:
        stop.set()
    print(subscriber.describe(), flush=True)
    return 0
