"""MQTT against real Mosquitto brokers: everything published is stored, bad payloads land in ingest_errors,
and a broker restart midway loses nothing the broker acknowledged."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import psutil
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from data.ingest.mqtt import ObservationPublisher, ObservationSubscriber
from data.models import IngestError, Observation, Sensor
from tests.conftest import service_available
from tests.helpers.live import free_port
from tests.helpers.programs import need_program

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 20, 0, 0)
ROOT = Path(__file__).resolve().parents[2]


def _sensors(engine, n: int) -> list[str]:  # noqa: ANN001
    ids = [f"mq-{uuid.uuid4().hex[:6]}-{i}" for i in range(n)]
    with engine.begin() as conn:
        conn.execute(Sensor.__table__.insert(), [
            {"id": s, "name": s, "kind": "water_level", "unit": "cm", "lat": -6.18, "lon": 106.63} for s in ids
        ])  # fmt: skip
    return ids


def _stored(engine) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Observation)).scalar()


def _wait_for(predicate, timeout: float = 60.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


class Running:
    """A subscriber consuming in a thread until stopped."""

    def __init__(self, engine, url: str, client_id: str, topic: str) -> None:  # noqa: ANN001
        self.stop = threading.Event()
        self.subscriber = ObservationSubscriber(engine, url, client_id=client_id, topic=topic, max_wait_s=0.05)
        self.thread = threading.Thread(target=self.subscriber.run, args=(self.stop.is_set,), daemon=True)
        self.thread.start()
        assert _wait_for(lambda: self.subscriber.stats.connected, 15)
        time.sleep(0.3)  # the SUBACK

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


def test_every_published_reading_is_stored_and_bad_ones_are_recorded(sqlite_engine):
    service_available("127.0.0.1", 1883, "Mosquitto")
    sensors = _sensors(sqlite_engine, 5)
    run_id = uuid.uuid4().hex[:8]
    # A private topic prefix would not match the product's filter, so sensors are unique to this run instead.
    running = Running(sqlite_engine, "mqtt://127.0.0.1:1883", f"test-{run_id}", "city/sensors/+/observations")
    publisher = ObservationPublisher("mqtt://127.0.0.1:1883", client_id=f"pub-{run_id}")
    n = 2_000
    for i in range(n):
        publisher.publish(sensors[i % 5], START + timedelta(minutes=i), 100.0 + i % 50)
    raw = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{run_id}")
    raw.connect("127.0.0.1", 1883)
    raw.loop_start()
    raw.publish(f"city/sensors/{sensors[0]}/observations", b"not json", qos=1).wait_for_publish(5)
    raw.publish(f"city/sensors/{sensors[0]}/observations",
                b'{"phenomenonTime": "2026-11-22T00:00:00Z", "result": 12.5}', qos=1).wait_for_publish(5)  # fmt: skip
    raw.publish(f"city/sensors/{sensors[0]}/observations",
                b'{"observed_at": "2026-11-22T00:10:00Z", "value": 1e9}', qos=1).wait_for_publish(5)  # fmt: skip
    publisher.close()
    try:
        assert _wait_for(lambda: _stored(sqlite_engine) == n + 1, 60), running.subscriber.describe()
        assert _wait_for(lambda: running.subscriber.stats.rejected == 2, 10)
    finally:
        running.close()
        raw.loop_stop()
    with sqlite_engine.connect() as conn:
        reasons = conn.execute(select(IngestError.reason).where(IngestError.feed == "mqtt")).scalars().all()
    assert any("not JSON" in r for r in reasons) and any("outside" in r for r in reasons)


def _broker(conf: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _wait_for(lambda: _listening(port), 10), "mosquitto did not start"
    return proc


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_broker_restart_midway_loses_nothing_acknowledged(sqlite_engine, tmp_path):
    need_program("mosquitto")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
        f"persistence_location {tmp_path}/\nmax_queued_messages 100000\n"
        "user root\n"  # started as root, Mosquitto would drop to 'mosquitto' and could not save its sessions
    )
    broker = _broker(conf, port)
    url = f"mqtt://127.0.0.1:{port}"
    sensors = _sensors(sqlite_engine, 4)
    running = Running(sqlite_engine, url, "restart-test", "city/sensors/+/observations")
    publisher = ObservationPublisher(url, client_id="restart-publisher")
    acked = []
    try:
        for i in range(1_500):
            acked.append(publisher.publish(sensors[i % 4], START + timedelta(minutes=i), float(i % 300)))
        assert _wait_for(lambda: all(m.is_published() for m in acked), 20)
        broker.terminate()  # a restart: Mosquitto saves its persistent sessions on the way down
        broker.wait(10)
        for i in range(1_500, 3_000):  # published while the broker is down: paho keeps and resends them
            publisher.publish(sensors[i % 4], START + timedelta(minutes=i), float(i % 300))
        broker = _broker(conf, port)
        assert _wait_for(lambda: _stored(sqlite_engine) == 3_000, 60), running.subscriber.describe()
    finally:
        running.close()
        publisher.close(timeout_s=1)
        broker.terminate()
        broker.wait(10)
    assert _stored(sqlite_engine) == 3_000
    assert running.subscriber.stats.sessions_lost == 0  # the broker kept the session across its restart


def test_consumers_sharing_the_subscription_store_everything_once_even_when_one_is_killed(sqlite_engine, tmp_path):
    """`python -m dashboard mqtt --consumers 2`: the broker deals readings out to two processes; one killed
    midway is started again by the supervisor and its unacknowledged readings come back to the group."""
    need_program("mosquitto")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\n")
    broker = _broker(conf, port)
    url = f"mqtt://127.0.0.1:{port}"
    sensors = _sensors(sqlite_engine, 4)
    env = {**os.environ, "MQTT_URL": url, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "dashboard", "mqtt", "--consumers", "2", "--client-id", "shared-test",
               "--max-wait", "0.05", "--database-url", str(sqlite_engine.url)]  # fmt: skip
    log = open(tmp_path / "consumers.log", "w")  # noqa: SIM115 - closed below
    supervisor = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    publisher = ObservationPublisher(url, client_id="shared-publisher")

    def consumers() -> list[psutil.Process]:
        return [p for p in psutil.Process(supervisor.pid).children() if "resource_tracker" not in p.cmdline()[-1]]

    try:
        assert _wait_for(lambda: (tmp_path / "consumers.log").read_text().count("MQTT connected") == 2, 30)
        for i in range(1_500):
            publisher.publish(sensors[i % 4], START + timedelta(minutes=i), float(i % 300))
        first = consumers()[0]
        first.kill()  # mid-stream, with readings taken but perhaps not yet acknowledged
        for i in range(1_500, 3_000):
            publisher.publish(sensors[i % 4], START + timedelta(minutes=i), float(i % 300))
        assert _wait_for(lambda: _stored(sqlite_engine) == 3_000, 90), (tmp_path / "consumers.log").read_text()
        assert _wait_for(lambda: len(consumers()) == 2 and first.pid not in {p.pid for p in consumers()}, 15)
    finally:
        publisher.close(timeout_s=1)
        supervisor.terminate()
        code = supervisor.wait(40)
        log.close()
        broker.terminate()
        broker.wait(10)
    output = (tmp_path / "consumers.log").read_text()
    assert code == 0, output[-2000:]
    assert "exited" in output and "starting it again" in output
    shares = [
        int(m.replace(",", "")) for m in re.findall(r"\] mqtt \w+: received ([\d,]+)", output.split("Ctrl-C")[-1])
    ]
    assert len(shares) >= 2 and all(n > 0 for n in shares[-2:])  # both consumers took a share at the end
    assert _stored(sqlite_engine) == 3_000
