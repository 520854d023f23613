"""Sensor readings over MQTT: a subscriber that loses nothing and a publisher for simulators and gateways.

Topic `city/sensors/<sensor_id>/observations`, payload `{"observed_at": "<ISO 8601>", "value": <number>}` or
a SensorThings Observation (`phenomenonTime`, `result`), or a JSON array of either.

The subscriber uses QoS 1, a fixed client id and a persistent session (MQTT 5, clean_start False), so the
broker keeps what arrives while it is away. Messages leave paho's network thread through a queue and are
stored in batches; each message is acknowledged only after its batch is committed, so a crash or a
database outage ends in redelivery, never in loss (a redelivered reading is ignored as a duplicate).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote, urlparse

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from data.alerts.evaluate import after_ingest
from data.ingest.observations import CachedRegistry, RawReadings, collect_readings, validate_readings
from data.ingest.report import Reject, record_ingest_errors
from data.ingest.sink import store_observations

log = logging.getLogger(__name__)
TOPIC_FILTER = "city/sensors/+/observations"
FEED = "mqtt"
SESSION_EXPIRY_S = 7 * 86_400  # the broker keeps our queue for a week of downtime
RECEIVE_MAXIMUM = 65_535  # unacknowledged messages the broker may send (the protocol maximum): a burst
# waits with us, unacknowledged, rather than in the broker's queue, which drops past max_queued_messages


def topic_for(sensor_id: str) -> str:
    return f"city/sensors/{sensor_id}/observations"


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse_mqtt_url(url: str) -> BrokerAddress:
    """mqtt://[user:pass@]host[:1883] or mqtts://...[:8883] (TLS)."""
    parsed = urlparse(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, got {url!r}")
    tls = parsed.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or (8883 if tls else 1883),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        tls=tls,
    )


def _client(address: BrokerAddress, client_id: str, manual_ack: bool) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=manual_ack)
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=30)  # paho doubles the wait after each failure
    return client


class ObservationPublisher:
    """Publishes readings at QoS 1; paho keeps unacknowledged ones and resends them after a reconnect."""

    def __init__(self, mqtt_url: str, client_id: str = "", connect_timeout_s: float = 5.0) -> None:
        self.address = parse_mqtt_url(mqtt_url)
        self.client = _client(self.address, client_id, manual_ack=False)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1_000)
        self.client.connect_async(self.address.host, self.address.port, keepalive=30)
        self.client.loop_start()
        deadline = time.monotonic() + connect_timeout_s
        while not self.client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.02)  # a broker that is down still gets our readings later: paho queues them

    def publish(self, sensor_id: str, observed_at: datetime, value: float) -> mqtt.MQTTMessageInfo:
        """Send one reading; `observed_at` is naive UTC (as stored) or zone-aware."""
        moment = observed_at if observed_at.tzinfo else observed_at.replace(tzinfo=UTC)
        payload = orjson.dumps({"observed_at": moment.isoformat(), "value": value})
        return self.client.publish(topic_for(sensor_id), payload, qos=1)

    def close(self, timeout_s: float = 10.0) -> None:
        """Wait (up to `timeout_s`) for the broker to acknowledge what was sent, then disconnect."""
        deadline = time.monotonic() + timeout_s
        while self.client._out_messages and time.monotonic() < deadline:  # noqa: SLF001 - paho has no public flush
            time.sleep(0.05)
        self.client.disconnect()
        self.client.loop_stop()


def end_session(mqtt_url: str, client_id: str, timeout_s: float = 5.0) -> None:
    """Make the broker forget a consumer's persistent session and its queued messages: for a consumer id that
    will not connect again (fewer `--consumers`), whose session would go on taking a share of the readings."""
    address = parse_mqtt_url(mqtt_url)
    client = _client(address, client_id, manual_ack=False)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    client.connect(address.host, address.port, keepalive=30, clean_start=True, properties=props)
    client.loop_start()
    deadline = time.monotonic() + timeout_s
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    client.disconnect()
    client.loop_stop()


@dataclass
class SubscriberStats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    batches: int = 0
    db_retries: int = 0
    sessions_lost: int = 0
    connected: bool = False
    started: float = field(default_factory=time.monotonic)


class ObservationSubscriber:
    """Consumes `city/sensors/+/observations` into the store in batches; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        mqtt_url: str,
        client_id: str = "city-ops-room-ingest",
        topic: str = TOPIC_FILTER,
        batch_size: int = 2_000,
        max_wait_s: float = 0.2,
        label: str = "",
    ) -> None:
        self.engine = engine
        self.label = label  # names this consumer in its lines of figures when several share a subscription
        self.topic = topic
        self.batch_size = batch_size
        self.max_wait_s = max_wait_s
        self.registry = CachedRegistry(engine)
        self.stats = SubscriberStats()
        self.address = parse_mqtt_url(mqtt_url)
        # paho's thread appends, the storing thread pops: deque operations are atomic, with no lock per message
        self._inbox: deque[tuple[int, mqtt.MQTTMessage]] = deque()
        self._batch_ready = threading.Event()
        self._generation = 0  # bumped per connection: acks for an older connection's messages are skipped
        self.client = _client(self.address, client_id, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # paho's network thread: only hand messages over
    def _on_connect(self, client: mqtt.Client, _userdata, flags, reason_code, _props) -> None:  # noqa: ANN001
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self._generation += 1
        self.stats.connected = True
        if self._generation > 1 and not flags.session_present:
            self.stats.sessions_lost += 1
            log.warning("the broker did not keep our session: readings sent while we were away may be missing")
        client.subscribe(self.topic, qos=1)
        log.info("MQTT connected to %s:%s, subscribed to %s", self.address.host, self.address.port, self.topic)

    def _on_disconnect(self, _client, _userdata, _flags, reason_code, _props) -> None:  # noqa: ANN001
        self.stats.connected = False
        log.warning("MQTT disconnected (%s); reconnecting with backoff", reason_code)

    def _on_message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:  # noqa: ANN001
        self._inbox.append((self._generation, message))
        if len(self._inbox) >= self.batch_size:
            self._batch_ready.set()

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect_async(
            self.address.host, self.address.port, keepalive=30, clean_start=False, properties=props
        )
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def run(self, stop: Callable[[], bool] = lambda: False, report_every_s: float = 0.0) -> None:
        """Store batches until `stop()`; prints a line of figures every `report_every_s` seconds if > 0."""
        self.start()
        last_report = time.monotonic()
        try:
            while not stop():
                self.process_batch(stop)
                if report_every_s and time.monotonic() - last_report >= report_every_s:
                    last_report = time.monotonic()
                    print(self.describe(), flush=True)
        finally:
            self.process_batch(stop, wait=False)
            self.stop()

    def _take(self, wait: bool) -> list[tuple[int, mqtt.MQTTMessage]]:
        """Up to `batch_size` messages: as soon as that many are queued, else what came within `max_wait_s`."""
        deadline = time.monotonic() + (self.max_wait_s if wait else 0)
        while len(self._inbox) < self.batch_size and (left := deadline - time.monotonic()) > 0:
            self._batch_ready.clear()
            if len(self._inbox) < self.batch_size:
                self._batch_ready.wait(left)
        inbox = self._inbox
        return [inbox.popleft() for _ in range(min(len(inbox), self.batch_size))]

    def process_batch(self, stop: Callable[[], bool] = lambda: False, wait: bool = True) -> int:
        """Store one batch from the queue and acknowledge it; returns how many messages it held."""
        batch = self._take(wait)
        if not batch:
            return 0
        raw = RawReadings()
        for _gen, message in batch:
            self._collect(message, raw)
        self.stats.received += len(batch)
        delay = 0.5
        while True:  # the database may be restarting: keep the batch, do not acknowledge, try again
            try:
                # The sensor registry is read from the database too, so it is inside the retry.
                registry = self.registry.get({str(r) for r in raw.refs})
                good, rejects, _zoneless = validate_readings(raw, registry)
                if len(good):
                    result = store_observations(self.engine, good, evaluate_alerts=False)
                    self.stats.stored += result.inserted
                    self.stats.duplicates += result.unchanged
                record_ingest_errors(self.engine, FEED, rejects)
                break
            except OperationalError as exc:
                if stop():
                    return 0  # unacknowledged: the broker redelivers on the next start
                self.stats.db_retries += 1
                log.warning("database unavailable (%s); retrying in %.1f s", type(exc).__name__, delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
        self.stats.rejected += len(rejects)
        self.stats.batches += 1
        for gen, message in batch:
            if gen == self._generation and message.qos > 0:
                self.client.ack(message.mid, message.qos)
        after_ingest(self.engine, sensor_ids=good.sensor_ids)  # paced: at most one pass per gap; never raises
        return len(batch)

    @staticmethod
    def _collect(message: mqtt.MQTTMessage, raw: RawReadings) -> None:
        parts = message.topic.split("/")
        if len(parts) != 4 or not parts[2]:
            raw.broken.append(Reject(message.topic, "topic must be city/sensors/<sensor_id>/observations"))
            return
        sensor_id = parts[2]
        try:
            doc = orjson.loads(message.payload)
        except orjson.JSONDecodeError:
            text = message.payload[:500].decode(errors="replace")
            raw.broken.append(Reject(message.topic, "payload is not JSON", text))
            return
        for item in doc if isinstance(doc, list) else [doc]:
            if isinstance(item, dict) and "sensor_id" not in item:
                item = {**item, "sensor_id": sensor_id}
                if "observed_at" not in item and "phenomenonTime" in item:
                    item["observed_at"] = item["phenomenonTime"]
                if "value" not in item and "result" in item:
                    item["value"] = item["result"]
            collect_readings(item, raw, message.topic)

    def describe(self) -> str:
        s = self.stats
        rate = s.stored / max(time.monotonic() - s.started, 1e-9)
        state = "connected" if s.connected else "disconnected"
        return (
            f"{self.label}mqtt {state}: received {s.received:,}, stored {s.stored:,}, duplicates {s.duplicates:,}, "
            f"rejected {s.rejected:,} ({rate:,.0f}/s); queue {len(self._inbox):,}"
        )
