"""The production layout on this machine: gunicorn with several workers on PostgreSQL, Redis as the shared
cache, Mosquitto for sensor fan-in. Every worker answers, readings sent over MQTT and the API land once,
and a value one worker computes is served to the others."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
import requests
from sqlalchemy import Engine, text

from callbacks.cache import VersionedCache
from data.demo.seed import seed_demo_city
from data.ingest.mqtt import ObservationPublisher, ObservationSubscriber
from data.memo import Unkeyed
from data.store import utcnow
from tests.conftest import SMALL_CITY, service_available
from tests.helpers.live import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3


@pytest.fixture
def services() -> None:
    service_available("127.0.0.1", 5432, "PostgreSQL")
    service_available("127.0.0.1", 6379, "Redis")
    service_available("127.0.0.1", 1883, "Mosquitto")


@pytest.fixture
def production(services, pg_engine, pg_schema_url, tmp_path):
    """gunicorn (3 workers, gthread) serving the seeded city from PostgreSQL with Redis as cache."""
    seed_demo_city(pg_engine, SMALL_CITY)
    port = free_port()
    token = uuid.uuid4().hex
    env = {
        **os.environ,
        "DATABASE_URL": pg_schema_url,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "INGEST_TOKEN": token,
        "DEMO_ON_EMPTY": "0",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WORKERS),
        "PYTHONPATH": str(ROOT),
    }
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "dashboard.wsgi:server"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
            try:
                if requests.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        yield {"url": url, "pid": proc.pid, "token": token, "engine": pg_engine, "log": tmp_path / "gunicorn.log"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_every_worker_serves_the_postgres_store_under_concurrent_load(production):
    master = psutil.Process(production["pid"])
    deadline = time.monotonic() + 30  # the first worker answers health while the others are still forking
    while len(master.children()) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = master.children()
    assert len(workers) == WORKERS

    def health(_i: int) -> dict:
        response = requests.get(f"{production['url']}/api/health", timeout=30)
        assert response.status_code == 200, (response.text[:500], production["log"].read_text()[-4000:])
        return response.json()["database"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(health, range(60)))
    with production["engine"].connect() as conn:
        complaints = conn.execute(text("SELECT COUNT(*) FROM complaints")).scalar()
    assert {a["dialect"] for a in answers} == {"postgresql"}
    assert {a["complaints"] for a in answers} == {complaints}
    assert all(w.is_running() for w in workers)  # no worker died under load


def test_readings_over_mqtt_and_the_api_are_stored_once(production):
    engine = production["engine"]
    with engine.connect() as conn:
        sensor = conn.execute(text("SELECT id FROM sensors WHERE kind = 'water_level' ORDER BY id LIMIT 1")).scalar()
        before = conn.execute(text("SELECT COUNT(*) FROM observations WHERE sensor_id = :s"), {"s": sensor}).scalar()
    start = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    over_mqtt = [start + timedelta(seconds=7 * i + 1) for i in range(200)]
    over_api = [start + timedelta(seconds=7 * i + 3) for i in range(300)]

    subscriber = ObservationSubscriber(engine, "mqtt://127.0.0.1:1883", client_id=f"test-{uuid.uuid4().hex[:8]}")
    stop_at = time.monotonic() + 60
    import threading

    runner = threading.Thread(
        target=subscriber.run, args=(lambda: time.monotonic() > stop_at or subscriber.stats.stored >= 200,)
    )
    runner.start()
    deadline = time.monotonic() + 10
    while not subscriber.stats.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    publisher = ObservationPublisher("mqtt://127.0.0.1:1883", client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
    for i, at in enumerate(over_mqtt):
        publisher.publish(sensor, at, 120.0 + i / 10)
    publisher.close()
    runner.join(timeout=70)

    body = [{"sensor_id": sensor, "observed_at": at.isoformat() + "Z", "value": 1.5} for at in over_api]
    headers = {"Authorization": f"Bearer {production['token']}"}
    first = requests.post(f"{production['url']}/api/v1/observations", json=body, headers=headers, timeout=60)
    again = requests.post(f"{production['url']}/api/v1/observations", json=body, headers=headers, timeout=60)
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    assert (first.json()["inserted"], again.json()["inserted"]) == (300, 0)

    with engine.connect() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM observations WHERE sensor_id = :s"), {"s": sensor}).scalar()
    assert subscriber.stats.stored == 200
    assert after - before == 200 + 300


def open_backlog(engine: Engine, calls: list[int]) -> int:
    """The open complaints, noting each time it really ran."""
    calls.append(1)
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM complaints WHERE status <> 'closed'")).scalar()


def test_workers_share_cached_figures_through_redis(production):
    """Two processes' caches on the same Redis: one computes, the other serves it, a write invalidates both."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    url = "redis://127.0.0.1:6379/0"
    engine = production["engine"]
    first = VersionedCache(engine, ttl_s=60, version_check_s=0, redis_url=url, prefix=prefix)
    second = VersionedCache(engine, ttl_s=60, version_check_s=0, redis_url=url, prefix=prefix)
    calls: list[int] = []

    def backlog() -> int:
        return first.get_or_compute(("complaints",), open_backlog, engine, Unkeyed(calls))

    assert backlog() == second.get_or_compute(("complaints",), open_backlog, engine, Unkeyed(calls))
    assert len(calls) == 1
    requests.post(
        f"{production['url']}/api/v1/complaints",
        json={"service_code": "jalan_rusak", "lat": -6.18, "long": 106.63, "description": "lubang besar"},
        headers={"Authorization": f"Bearer {production['token']}"},
        timeout=60,
    ).raise_for_status()
    second.forget_versions()
    assert second.get_or_compute(("complaints",), open_backlog, engine, Unkeyed(calls)) == backlog()
    assert len(calls) == 2  # the write through a gunicorn worker made the old value unreachable
