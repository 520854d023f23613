"""mqtt: subscribe to city/sensors/<sensor_id>/observations on MQTT_URL and store the readings.

QoS 1 with a persistent session under a fixed client id: stop it, restart it, and the broker hands over
what arrived meanwhile (set `max_queued_messages` in mosquitto.conf above the longest burst you expect).

One consumer is one Python process, bound by one core (about 5,500 readings/s here). `--consumers N` runs N
processes that share one subscription (`$share/GROUP/...`, MQTT 5): the broker deals the messages out among
them and each keeps its own persistent session (client ids CLIENT-ID-0 .. CLIENT-ID-N-1). Keep N fixed: the
broker goes on queueing a share for a consumer id that no longer connects until that session expires (a
week), so after lowering N end the extra sessions: `python -m dashboard mqtt --forget CLIENT-ID-2`.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass, replace

from dashboard.runtime import serving_command
from dashboard.settings import Settings
from data.ingest.mqtt import TOPIC_FILTER, ObservationSubscriber, end_session, parse_mqtt_url
from data.places import prepare_store
from data.store import make_engine

log = logging.getLogger(__name__)
RESTART_AFTER_S = 2.0  # a consumer that died is started again after this pause


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mqtt", help="store sensor readings arriving over MQTT (MQTT_URL)")
    p.add_argument("--topic", default=TOPIC_FILTER, help=f"topic filter (default {TOPIC_FILTER})")
    p.add_argument("--client-id", default="city-ops-room-ingest", help="fixed id that keeps the broker session")
    p.add_argument("--batch-size", type=int, default=2_000, help="readings per database transaction")
    p.add_argument("--max-wait", type=float, default=0.2, help="seconds a partial batch waits before storing")
    p.add_argument("--consumers", type=int, default=1,
                   help="processes sharing the subscription, up to one per core (default 1)")  # fmt: skip
    p.add_argument("--group", default="ingest", help="shared subscription group when --consumers > 1")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.add_argument("--forget", nargs="+", metavar="CLIENT_ID",
                   help="end these consumers' broker sessions (after lowering --consumers) and exit")  # fmt: skip
    p.set_defaults(func=run)


@dataclass(frozen=True)
class Consumer:
    """What one consumer process needs (picklable: it crosses into a spawned process)."""

    database_url: str
    mqtt_url: str
    topic: str
    client_id: str
    batch_size: int
    max_wait_s: float
    label: str = ""


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.batch_size <= 0 or args.max_wait < 0 or args.consumers <= 0:
        raise ValueError("--batch-size and --consumers must be positive and --max-wait not negative")
    address = parse_mqtt_url(settings.mqtt_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.forget:
        for client_id in args.forget:
            end_session(settings.mqtt_url, client_id)
            print(f"mqtt: the broker at {address.host}:{address.port} forgot the session of {client_id}", flush=True)
        return 0
    database_url = args.database_url or settings.database_url
    engine = make_engine(database_url)
    prepare_store(engine)  # once, before any consumer starts
    engine.dispose()
    base = Consumer(database_url, settings.mqtt_url, args.topic, args.client_id, args.batch_size, args.max_wait)
    if args.consumers == 1:
        print(f"mqtt: {address.host}:{address.port} {args.topic} as {args.client_id}; Ctrl-C stops", flush=True)
        consume(base)
        return 0
    topic = args.topic if args.topic.startswith("$share/") else f"$share/{args.group}/{args.topic}"
    consumers = [
        replace(base, topic=topic, client_id=f"{args.client_id}-{i}", label=f"[{i}] ") for i in range(args.consumers)
    ]
    print(f"mqtt: {address.host}:{address.port} {topic}, {args.consumers} consumers; Ctrl-C stops", flush=True)
    supervise(consumers)
    return 0


def consume(consumer: Consumer) -> None:
    """One subscriber in this process until SIGTERM or Ctrl-C; prints its figures every 10 s. A spawned
    consumer starts in a clean interpreter, so it enters CITY and the city's rules itself."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    engine = make_engine(consumer.database_url)
    subscriber = ObservationSubscriber(
        engine, consumer.mqtt_url, client_id=consumer.client_id, topic=consumer.topic,
        batch_size=consumer.batch_size, max_wait_s=consumer.max_wait_s, label=consumer.label,
    )  # fmt: skip
    with serving_command(Settings.from_env()):
        subscriber.run(stop.is_set, report_every_s=10.0)
    print(subscriber.describe(), flush=True)


def supervise(consumers: list[Consumer]) -> None:
    """Run each consumer in its own process, start again one that dies, stop them all on SIGTERM or Ctrl-C."""
    spawn = multiprocessing.get_context("spawn")  # a clean interpreter: no engine or socket inherited
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def start(consumer: Consumer) -> multiprocessing.process.BaseProcess:
        process = spawn.Process(target=consume, args=(consumer,), name=consumer.client_id)
        process.start()
        return process

    running = {c.client_id: start(c) for c in consumers}
    try:
        while not stop.wait(RESTART_AFTER_S):
            for consumer in consumers:
                process = running[consumer.client_id]
                if not process.is_alive():
                    log.warning("consumer %s exited (code %s); starting it again", consumer.client_id, process.exitcode)
                    running[consumer.client_id] = start(consumer)
    finally:
        for process in running.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: the consumer stores its last batch and acknowledges it
        deadline = time.monotonic() + 30
        for process in running.values():
            process.join(timeout=max(0.0, deadline - time.monotonic()))
