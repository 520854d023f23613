"""Ingest throughput: a CSV file of readings (validated), readings posted to the API in batches, MQTT
messages end to end, and the sink those paths share. Each writes new readings (timestamps in the last
hours) into the benchmark city."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from bench.city import City
from data.store import utcnow

CSV_ROWS = 200_000
SINK_BATCH = 5_000
SINK_BATCHES = 10
API_BATCH = 5_000
API_BATCHES = 10
MQTT_MESSAGES = 20_000


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _readings(engine, n: int, offset_s: int) -> pd.DataFrame:  # noqa: ANN001
    """n new readings spread over every sensor, at times the demo city (whole seconds) never uses.

    Each call takes its own microsecond within the second, so its readings coincide neither with an earlier
    run's (same 7-second grid, hours ago) nor with another measure's: every measure stores new data."""
    with engine.connect() as conn:
        sensors = [r[0] for r in conn.exec_driver_sql("SELECT id FROM sensors ORDER BY id")]
    per = -(-n // len(sensors))
    base = utcnow().replace(microsecond=time.time_ns() // 1_000 % 999_999 + 1) - timedelta(hours=6)
    seconds = np.arange(per) * 7 + offset_s
    frame = pd.DataFrame(
        {
            "sensor_id": np.repeat(sensors, per)[:n],
            "observed_at": (pd.Timestamp(base) + pd.to_timedelta(np.tile(seconds, len(sensors))[:n], "s")),
            "value": np.round(np.random.default_rng(offset_s).uniform(0, 1, n), 3),  # valid for every kind
        }
    )
    return frame


def _csv(city: City, log) -> dict:  # noqa: ANN001
    try:
        from data.ingest.observations import ingest_observations_file
        from data.ingest.report import IngestReport
    except ImportError as exc:
        return {"csv": f"not built yet ({exc})"}
    engine = city.engine()
    frame = _readings(engine, CSV_ROWS, offset_s=int(time.time()) % 5 + 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readings.csv"
        frame.assign(observed_at=frame["observed_at"].dt.strftime(TIME_FORMAT)).to_csv(path, index=False)
        report = IngestReport(feed="bench-csv")
        start = time.perf_counter()
        ingest_observations_file(engine, path, "csv", report)
        seconds = time.perf_counter() - start
    engine.dispose()
    rate = CSV_ROWS / seconds
    log(f"  ingest CSV: {CSV_ROWS:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s ({report.inserted:,} new)")
    return {"csv_rows_per_s": rate, "csv_rows": CSV_ROWS, "csv_inserted": report.inserted}


def _sink(city: City, log) -> dict:  # noqa: ANN001
    from data.ingest.sink import store_observations

    engine = city.engine()
    frame = _readings(engine, SINK_BATCH * SINK_BATCHES, offset_s=3)
    rows = list(frame.itertuples(index=False, name=None))
    rows = [(s, t.to_pydatetime(), v) for s, t, v in rows]
    start = time.perf_counter()
    for i in range(0, len(rows), SINK_BATCH):
        store_observations(engine, rows[i : i + SINK_BATCH])
    seconds = time.perf_counter() - start
    engine.dispose()
    rate = len(rows) / seconds
    log(f"  ingest sink (batches of {SINK_BATCH:,}): {rate:,.0f} readings/s")
    return {"sink_rows_per_s": rate}


def measure_api(city: City, base_url: str, token: str, log) -> dict:  # noqa: ANN001
    """POST /api/v1/observations in batches of 5,000 readings through gunicorn, one sender."""
    import requests

    engine = city.engine()
    frame = _readings(engine, API_BATCH * API_BATCHES, offset_s=5)
    engine.dispose()
    frame["observed_at"] = frame["observed_at"].dt.strftime(TIME_FORMAT)
    records = frame.to_dict("records")
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start = time.perf_counter()
    stored = 0
    for i in range(0, len(records), API_BATCH):
        body = orjson.dumps(records[i : i + API_BATCH])
        response = session.post(f"{base_url}/api/v1/observations", data=body, headers=headers, timeout=120)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"API answered {response.status_code}: {response.text[:200]}")
        stored += response.json().get("inserted", 0)
    rate = len(records) / (time.perf_counter() - start)
    log(f"  ingest API (batches of {API_BATCH:,}): {rate:,.0f} readings/s ({stored:,} new)")
    return {"api_rows_per_s": rate}


class _Publisher:
    """`bench.mqtt_publisher` in its own process, loaded with `frame` and waiting for `go()`."""

    def __init__(self, mqtt_url: str, frame: pd.DataFrame, folder: Path) -> None:
        import subprocess
        import sys

        path = folder / "readings.csv"
        frame.assign(observed_at=frame["observed_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f")).to_csv(path, index=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.mqtt_publisher", mqtt_url, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        if self.process.stdout.readline().strip() != "ready":
            self.process.kill()
            raise RuntimeError("the MQTT publisher process did not start")

    def go(self) -> float:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return time.monotonic()

    def finish(self) -> str:
        return self.process.communicate(timeout=130)[0].strip()


def _until_stored(start: float, total: int, handled) -> tuple[int, float]:  # noqa: ANN001 - a callable
    """Poll `handled()` until `total` readings are stored or none came for 15 s (a broker that dropped
    some); returns how many and the seconds up to the last one."""
    done, last_progress = 0, time.monotonic()
    while done < total and time.monotonic() - last_progress < 15:
        time.sleep(0.02)
        now_done = handled()
        if now_done > done:
            done, last_progress = now_done, time.monotonic()
    return done, last_progress - start


def measure_mqtt(city: City, mqtt_url: str, log) -> dict:  # noqa: ANN001
    """Messages published to Mosquitto (QoS 1) until the subscriber has stored them all: end to end.

    The publisher runs in its own process (`bench.mqtt_publisher`), as gateways do; the subscriber runs
    here as `python -m dashboard mqtt` runs it, so the figure is the subscriber's, not the GIL's.
    """
    import threading
    import uuid

    from data.ingest.mqtt import ObservationSubscriber, end_session

    engine = city.engine()
    frame = _readings(engine, MQTT_MESSAGES, offset_s=6)
    client_id = f"bench-{uuid.uuid4().hex[:8]}"
    subscriber = ObservationSubscriber(engine, mqtt_url, client_id=client_id, batch_size=2_000)
    stop = threading.Event()
    worker = threading.Thread(target=subscriber.run, args=(stop.is_set,), daemon=True)
    worker.start()
    with tempfile.TemporaryDirectory() as tmp:
        publisher = _Publisher(mqtt_url, frame, Path(tmp))
        deadline = time.monotonic() + 10
        while not subscriber.stats.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # subscription acknowledged
        start = publisher.go()
        stats = subscriber.stats
        _, seconds = _until_stored(start, MQTT_MESSAGES, lambda: stats.stored + stats.duplicates + stats.rejected)
        published = publisher.finish()
    done = stats.stored + stats.duplicates  # what was stored (or already held), not what was rejected
    stop.set()
    worker.join(timeout=10)
    end_session(mqtt_url, client_id)
    engine.dispose()
    rate = done / seconds
    log(f"  ingest MQTT: {done:,}/{MQTT_MESSAGES:,} messages stored in {seconds:.1f} s = {rate:,.0f} msg/s")
    log(f"    publisher process: {published}")
    return {"mqtt_msgs_per_s": rate, "mqtt_stored": done}


def measure_mqtt_consumers(city: City, mqtt_url: str, log, consumers: int = 2) -> dict:  # noqa: ANN001
    """The same load into `python -m dashboard mqtt --consumers N`: N processes sharing the subscription."""
    import os
    import subprocess
    import sys
    import uuid

    from sqlalchemy import func, select

    from data.ingest.mqtt import end_session
    from data.models import FeedStatus

    engine = city.engine()
    frame = _readings(engine, MQTT_MESSAGES, offset_s=4)

    def records() -> int:  # every sensor feed's running count of readings handled
        with engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.sum(FeedStatus.records_total), 0))).scalar())

    client_id = f"bench-shared-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "dashboard", "mqtt", "--consumers", str(consumers), "--client-id", client_id,
               "--group", client_id, "--database-url", city.url]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "consumers.log"
        with open(log_path, "w") as out:
            process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], stdout=out,
                                       stderr=subprocess.STDOUT, env={**os.environ, "MQTT_URL": mqtt_url})  # fmt: skip
            try:
                deadline = time.monotonic() + 60
                while log_path.read_text().count("MQTT connected") < consumers and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)  # subscriptions acknowledged
                publisher = _Publisher(mqtt_url, frame, Path(tmp))
                before = records()
                start = publisher.go()
                done, seconds = _until_stored(start, MQTT_MESSAGES, lambda: records() - before)
                published = publisher.finish()
            finally:
                process.terminate()
                process.wait(60)
    for i in range(consumers):
        end_session(mqtt_url, f"{client_id}-{i}")
    engine.dispose()
    rate = done / seconds
    log(f"  ingest MQTT, {consumers} consumers: {done:,}/{MQTT_MESSAGES:,} in {seconds:.1f} s = {rate:,.0f} msg/s")
    log(f"    publisher process: {published}")
    return {f"mqtt_{consumers}_consumers_msgs_per_s": rate}


def measure_ingest(city: City, log) -> dict:  # noqa: ANN001
    out = {}
    for step in (_csv, _sink):
        try:
            out.update(step(city, log))
        except Exception as exc:  # noqa: BLE001 - report and carry on
            out[step.__name__.strip("_")] = f"failed: {type(exc).__name__}: {exc}"[:300]
            log(f"  ingest {step.__name__}: failed: {exc}")
    return out
