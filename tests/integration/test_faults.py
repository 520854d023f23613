"""Faults of the database and the broker, on private instances the tests stop and start themselves.

A private PostgreSQL (initdb + pg_ctl in a temp dir, its own port) and a private Mosquitto (own port,
persistence on) are used so the shared services are never touched. What is proved:
- database down: callbacks and ingest answer 503 (pages keep their figures, marked stale in the browser),
  /api/health says what is wrong, the MQTT subscriber keeps its messages unacknowledged; when the database
  is back everything recovers by itself within one refresh interval and no message is lost;
- broker restart: the subscriber reconnects and every QoS 1 message published during the outage is stored.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from dashboard.app import create_app
from dashboard.settings import Settings
from data.demo.generate import DemoSpec
from data.demo.seed import seed_demo_city
from data.ingest.mqtt import ObservationPublisher, ObservationSubscriber
from data.models import Observation, Sensor
from data.store import make_engine
from tests.conftest import DEMO_END
from tests.helpers.live import CallbackRecorder, LiveApp, chromium, free_port, wait_until
from tests.helpers.programs import need_program

pytestmark = pytest.mark.integration
TINY_CITY = DemoSpec(end=DEMO_END, days=3, complaints=400, observations=3_000, sensors=12, seed=11)
INGEST_TOKEN = "fault-test-ingest-token-0123456789"


@dataclass
class PrivatePostgres:
    """A throwaway PostgreSQL cluster; as root it runs as the `postgres` user (initdb refuses root)."""

    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(need_program("initdb"), "-D", str(self.root / "data"), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(need_program("pg_ctl"), "-D", str(self.root / "data"), "-o", options, "-l", str(self.root / "log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(need_program("pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")


@dataclass
class PrivateMosquitto:
    root: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {self.root}/\nmax_queued_messages 100000\nlog_dest file {self.root}/log\n"
            + ("user root\n" if os.geteuid() == 0 else "")  # keep the rights to our own temp dir
        )
        self.process = subprocess.Popen([need_program("mosquitto"), "-c", str(conf)])  # noqa: S603
        wait_until(self._listening, 10, "mosquitto to listen")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: mosquitto saves its persistent sessions and exits
            self.process.wait(timeout=15)
            self.process = None


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    # Not under pytest's tmp dir: that is private to root, and the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="city-faults-pg-"))
    pg = PrivatePostgres(root, free_port())
    pg.init()
    pg.start()
    yield pg
    try:
        pg.stop()
    except subprocess.CalledProcessError:
        pass
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def private_broker(tmp_path) -> Iterator[PrivateMosquitto]:
    broker = PrivateMosquitto(tmp_path / "mosquitto", free_port())
    broker.start()
    yield broker
    broker.stop()


class SubscriberThread:
    """The feeds' MQTT subscriber running as it does in `python -m dashboard mqtt`."""

    def __init__(self, engine, url: str) -> None:  # noqa: ANN001
        self.done = threading.Event()
        self.subscriber = ObservationSubscriber(engine, url, client_id=f"fault-test-{os.getpid()}-{free_port()}")
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.subscriber.run(stop=self.done.is_set)
        except BaseException as exc:  # noqa: BLE001 - a crashed subscriber is what the test must report
            self.errors.append(exc)

    def stop(self) -> None:
        self.done.set()
        self.thread.join(timeout=30)


def stored(engine, sensor_id: str, since) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        q = (
            select(func.count())
            .select_from(Observation)
            .where(Observation.sensor_id == sensor_id, Observation.observed_at >= since)
        )
        return conn.execute(q).scalar_one()


def kpi_numbers(driver) -> list[str]:  # noqa: ANN001
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".kpi-number") if e.text.strip()]


def stale_banner(driver) -> str | None:  # noqa: ANN001
    """The stale banner's text (set by dashboard/security.py's page script), or None when figures are live."""
    return driver.execute_script("var b = document.getElementById('data-stale-banner'); return b && b.textContent;")


def test_database_outage_degrades_clearly_and_recovers_by_itself_losing_nothing(private_pg, private_broker):
    import requests

    engine = make_engine(private_pg.url)
    seed_demo_city(engine, TINY_CITY)
    live = LiveApp(create_app(Settings(database_url=private_pg.url, ingest_token=INGEST_TOKEN)))
    with engine.connect() as conn:
        sensor = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall").limit(1)).scalar_one()
    auth = {"Authorization": f"Bearer {INGEST_TOKEN}", "Content-Type": "application/json"}
    base = DEMO_END + timedelta(hours=1)

    def readings(start: int, n: int) -> bytes:
        return orjson.dumps(
            [
                {"sensor_id": sensor, "observed_at": (base + timedelta(seconds=i)).isoformat() + "Z", "value": i % 50}
                for i in range(start, start + n)
            ]  # fmt: skip
        )

    def replay(body: dict) -> int:
        return requests.post(f"{live.url}/_dash-update-component", json=body, timeout=30).status_code

    driver = chromium()
    subscriber = SubscriberThread(engine, private_broker.url)
    publisher = ObservationPublisher(private_broker.url, client_id=f"fault-pub-{free_port()}")
    try:
        recorder = CallbackRecorder(driver)
        driver.get(f"{live.url}/wall")
        wait_until(lambda: recorder.drain() and len(kpi_numbers(driver)) >= 3, 60, "the wall's KPI figures")
        time.sleep(2)
        figures = kpi_numbers(driver)
        refresh = [b for b in recorder.drain() if b'"wall-tick"' in orjson.dumps(b.get("inputs"))]
        assert refresh, "the wall sent no refresh callbacks"
        assert requests.get(f"{live.url}/api/health", timeout=10).status_code == 200
        r = requests.post(f"{live.url}/api/v1/observations", data=readings(0, 50), headers=auth, timeout=30)
        assert r.status_code == 201

        private_pg.stop()
        # The page keeps its last figures and says they are stale, with when and why.
        banner = wait_until(lambda: stale_banner(driver) is not None, 25, "the stale banner")
        assert banner <= 12 and "basis data tidak terjangkau" in stale_banner(driver)
        assert kpi_numbers(driver) == figures
        assert {replay(b) for b in refresh} == {503}
        health = requests.get(f"{live.url}/api/health", timeout=10)
        assert health.status_code == 503 and health.json()["database"]["ok"] is False
        assert health.json()["database"]["error"]
        # Ingest answers 503 with Retry-After, so the sender keeps its batch and tries again.
        r = requests.post(f"{live.url}/api/v1/observations", data=readings(50, 50), headers=auth, timeout=30)
        assert r.status_code == 503 and r.headers["Retry-After"] and "database" in r.json()["error"]
        # MQTT messages arriving now stay unacknowledged in the subscriber.
        for i in range(100, 300):
            publisher.publish(sensor, base + timedelta(seconds=i), float(i % 50))
        time.sleep(3)
        assert subscriber.subscriber.stats.stored == 0 and not subscriber.errors

        private_pg.start()
        recovered = wait_until(lambda: stale_banner(driver) is None, 25, "the page to recover")
        assert recovered <= 12  # within one wall refresh interval (10 s) and the request itself
        print(f"stale banner after {banner:.1f} s; page recovered {recovered:.1f} s after the database")
        assert {replay(b) for b in refresh} == {200}
        assert requests.get(f"{live.url}/api/health", timeout=10).status_code == 200
        r = requests.post(f"{live.url}/api/v1/observations", data=readings(50, 50), headers=auth, timeout=30)
        assert r.status_code == 201
        wait_until(lambda: stored(engine, sensor, base) == 300, 60, "every API reading and MQTT message stored")
        assert not subscriber.errors, subscriber.errors
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "503" not in e["message"]]
        assert not [e for e in severe if "Content Security Policy" in e["message"]]
    finally:
        driver.quit()
        publisher.close()
        subscriber.stop()
        live.close()
        engine.dispose()


def test_broker_restart_loses_no_qos1_message(small_city, private_broker):
    with small_city.connect() as conn:
        sensor = conn.execute(select(Sensor.id).where(Sensor.kind == "water_level").limit(1)).scalar_one()
    base = DEMO_END + timedelta(hours=2)
    subscriber = SubscriberThread(small_city, private_broker.url)
    publisher = ObservationPublisher(private_broker.url, client_id=f"fault-pub-{free_port()}")
    try:
        wait_until(lambda: subscriber.subscriber.stats.connected, 15, "the subscriber to connect")
        for i in range(200):
            publisher.publish(sensor, base + timedelta(seconds=i), float(i))
        wait_until(lambda: stored(small_city, sensor, base) == 200, 30, "messages before the restart")
        private_broker.stop()
        # Published while the broker is away: paho keeps QoS 1 messages and sends them after reconnecting.
        for i in range(200, 500):
            publisher.publish(sensor, base + timedelta(seconds=i), float(i))
        time.sleep(2)
        private_broker.start()
        waited = wait_until(lambda: stored(small_city, sensor, base) == 500, 90, "messages from the outage")
        assert subscriber.subscriber.stats.connected and not subscriber.errors
        assert waited < 90
        print(f"broker restart: all 500 messages stored {waited:.1f} s after the broker came back")
    finally:
        publisher.close()
        subscriber.stop()
