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


def measure_mqtt(city: City, mqtt_url: str, log) -> dict:  # noqa: ANN001
    """Messages published to Mosquitto (QoS 1) until the subscriber has stored them all: end to end.

    The publisher runs in its own process (`bench.mqtt_publisher`), as gateways do; the subscriber runs
    here as `python -m dashboard mqtt` runs it, so the figure is the subscriber's, not the GIL's.
    """
    import subprocess
    import sys
    import threading
    import uuid

    from data.ingest.mqtt import ObservationSubscriber

    engine = city.engine()
    frame = _readings(engine, MQTT_MESSAGES, offset_s=6)
    subscriber = ObservationSubscriber(engine, mqtt_url, client_id=f"bench-{uuid.uuid4().hex[:8]}", batch_size=2_000)
    stop = threading.Event()
    worker = threading.Thread(target=subscriber.run, args=(stop.is_set,), daemon=True)
    worker.start()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "readings.csv"
        frame.assign(observed_at=frame["observed_at"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f")).to_csv(path, index=False)
        publisher = subprocess.Popen(
            [sys.executable, "-m", "bench.mqtt_publisher", mqtt_url, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        if publisher.stdout.readline().strip() != "ready":
            publisher.kill()
            raise RuntimeError("the MQTT publisher process did not start")
        deadline = time.monotonic() + 10
        while not subscriber.stats.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # subscription acknowledged
        start = time.monotonic()
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        handled, last_progress = 0, time.monotonic()
        while handled < MQTT_MESSAGES and time.monotonic() - last_progress < 15:  # a broker that dropped some
            time.sleep(0.02)
            now_handled = subscriber.stats.stored + subscriber.stats.duplicates + subscriber.stats.rejected
            if now_handled > handled:
                handled, last_progress = now_handled, time.monotonic()
        seconds = last_progress - start  # up to the last message stored, whether or not all arrived
        published = publisher.communicate(timeout=130)[0].strip()
    stop.set()
    worker.join(timeout=10)
    engine.dispose()
    done = subscriber.stats.stored + subscriber.stats.duplicates
    rate = done / seconds
    log(f"  ingest MQTT: {done:,}/{MQTT_MESSAGES:,} messages stored in {seconds:.1f} s = {rate:,.0f} msg/s")
    log(f"    publisher process: {published}")
    return {"mqtt_msgs_per_s": rate, "mqtt_stored": done}


def measure_ingest(city: City, log) -> dict:  # noqa: ANN001
    out = {}
    for step in (_csv, _sink):
        try:
            out.update(step(city, log))
        except Exception as exc:  # noqa: BLE001 - report and carry on
            out[step.__name__.strip("_")] = f"failed: {type(exc).__name__}: {exc}"[:300]
            log(f"  ingest {step.__name__}: failed: {exc}")
    return out
