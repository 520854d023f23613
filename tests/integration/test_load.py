"""Load: 50 wall screens refreshing every 10 s and 5 analysts changing filters while 1,000 readings/s arrive
through the API, for 60 s, against the app under gunicorn (the production layout) in its own processes.

What the screens and analysts send is recorded from a real Chromium first (the exact callback requests of
/wall and of /analyst under four filters), then replayed by many clients. Passing means zero errors, and
the readings stored equal the readings the API accepted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta

import orjson
import pytest
import requests
from sqlalchemy import func, select

from dashboard.settings import PROJECT_ROOT
from data.models import Observation, Sensor
from data.store import utcnow
from tests.helpers.live import CallbackRecorder, chromium, free_port, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]
WALLS, ANALYSTS, RATE, SECONDS, BATCH, SENDERS = 50, 5, 1_000, 60, 1_000, 4
TOKEN = "load-test-ingest-token-0123456789abcdef"
ANALYST_URLS = (
    "/analyst?from=2026-10-31&to=2026-11-20",
    "/analyst?from=2026-11-13&to=2026-11-20&status=open",
    "/analyst?from=2026-10-31&to=2026-11-20&category=banjir&category=drainase",
    "/analyst?from=2026-11-01&to=2026-11-20&district=3671010",
)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.latency: dict[str, list[float]] = {"wall": [], "analyst": [], "ingest": []}
        self.accepted = 0

    def note(self, kind: str, started: float, ok: bool, what: str) -> None:
        with self.lock:
            self.latency[kind].append(time.monotonic() - started)
            if not ok:
                self.errors.append(what)


def _post(session: requests.Session, url: str, body: dict, tally: Tally, kind: str) -> None:
    started = time.monotonic()
    try:
        r = session.post(url, json=body, timeout=30)
        tally.note(kind, started, r.status_code in (200, 204), f"{kind} {r.status_code}")
    except requests.RequestException as exc:
        tally.note(kind, started, False, f"{kind} {type(exc).__name__}")


def _record(base: str) -> tuple[list[dict], list[list[dict]]]:
    """The wall's refresh requests and, per analyst URL, the requests that URL makes (one browser at a time)."""
    driver = chromium()
    try:
        recorder = CallbackRecorder(driver)
        driver.get(f"{base}/wall")

        def refreshes() -> list[dict]:
            latest = {b["output"]: b for b in recorder.drain() if b'"wall-tick"' in orjson.dumps(b.get("inputs"))}
            return list(latest.values())  # one request per refresh callback of the screen

        wait_until(lambda: len(refreshes()) >= 3, 60, "the wall's refresh callbacks")
        time.sleep(4)
        wall = refreshes()
        analysts = []
        for url in ANALYST_URLS:
            recorder.bodies = []
            driver.get(base + url)
            time.sleep(6)
            analysts.append(list(recorder.drain()))
        assert all(analysts), "an analyst page sent no callbacks"
        return wall, analysts
    finally:
        driver.quit()


def test_fifty_walls_five_analysts_and_1000_readings_per_second_lose_nothing(small_city, tmp_path):
    with small_city.connect() as conn:
        sensors = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall")).scalars().all()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The production layout (gunicorn.conf.py: preloaded app, one engine per worker) with 3 workers on 2 cores.
    env = {**os.environ, "DATABASE_URL": str(small_city.url), "INGEST_TOKEN": TOKEN, "DEMO_ON_EMPTY": "0",
           "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "8"}  # fmt: skip
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.wsgi:server"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
    )  # fmt: skip
    try:
        wait_until(lambda: _up(base), 60, "the server to start")
        wall, analysts = _record(base)
        tally = Tally()
        stop = threading.Event()
        start = utcnow().replace(microsecond=0) - timedelta(minutes=30)

        def wall_client(n: int) -> None:
            session = requests.Session()
            time.sleep(n * 10 / WALLS)  # screens were switched on at different moments
            while not stop.is_set():
                began = time.monotonic()
                for body in wall:
                    _post(session, f"{base}/_dash-update-component", body, tally, "wall")
                stop.wait(max(0.0, 10 - (time.monotonic() - began)))

        def analyst(n: int) -> None:
            session = requests.Session()
            k = n
            while not stop.is_set():
                for body in analysts[k % len(analysts)]:  # a filter change: the page's callbacks, in order
                    _post(session, f"{base}/_dash-update-component", body, tally, "analyst")
                k += 1
                stop.wait(3)

        def sender(k: int) -> None:
            """One gateway of SENDERS, each posting RATE / SENDERS readings a second in batches of BATCH."""
            session = requests.Session()
            first = start - timedelta(hours=k)  # each gateway's readings have their own times
            headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            sent, began = 0, time.monotonic()
            while not stop.is_set():
                rows = [
                    {"sensor_id": sensors[(sent + i) % len(sensors)],
                     "observed_at": (first + timedelta(milliseconds=10 * (sent + i))).isoformat() + "Z",
                     "value": (sent + i) % 50 / 10}
                    for i in range(BATCH)
                ]  # fmt: skip
                t0 = time.monotonic()
                try:
                    r = session.post(f"{base}/api/v1/observations", data=orjson.dumps(rows), headers=headers,
                                     timeout=30)  # fmt: skip
                    ok = r.status_code == 201
                    if ok:
                        with tally.lock:
                            tally.accepted += r.json()["inserted"]
                    tally.note("ingest", t0, ok, f"ingest {r.status_code}")
                except requests.RequestException as exc:
                    tally.note("ingest", t0, False, f"ingest {type(exc).__name__}")
                sent += BATCH
                stop.wait(max(0.0, began + sent / (RATE / SENDERS) - time.monotonic()))  # hold the pace

        threads = [threading.Thread(target=wall_client, args=(i,)) for i in range(WALLS)]
        threads += [threading.Thread(target=analyst, args=(i,)) for i in range(ANALYSTS)]
        threads += [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)]
        began = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        elapsed = time.monotonic() - began

        with small_city.connect() as conn:
            stored = conn.execute(
                select(func.count())
                .select_from(Observation)
                .where(Observation.observed_at >= start - timedelta(hours=SENDERS))
            ).scalar_one()
        summary = {k: _p(v) for k, v in tally.latency.items()}
        rate = tally.accepted / elapsed
        print(f"\nload: {elapsed:.0f} s, accepted {tally.accepted:,} readings ({rate:,.0f}/s), stored {stored:,}; "
              f"requests and latency p50/p95 (s): {summary}; errors {len(tally.errors)}")  # fmt: skip
        assert tally.errors == [], tally.errors[:20]
        assert tally.accepted >= RATE * SECONDS * 0.95  # the sender kept its pace
        assert stored == tally.accepted
        assert len(tally.latency["wall"]) >= WALLS * len(wall) * (SECONDS // 10 - 1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/api/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _p(values: list[float]) -> tuple[int, float, float]:
    if len(values) < 2:
        return (len(values), 0.0, 0.0)
    q = statistics.quantiles(values, n=20)
    return (len(values), round(statistics.median(values), 3), round(q[18], 3))
