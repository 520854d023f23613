"""Ingest throughput: a CSV file of readings (validated), readings posted to the API in batches, and the
sink those paths share. Each writes new readings (timestamps in the last hours) into the benchmark city."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from bench.city import City
from data.store import utcnow

CSV_ROWS = 200_000
SINK_BATCH = 5_000
SINK_BATCHES = 10


def _readings(engine, n: int, offset_s: int) -> pd.DataFrame:  # noqa: ANN001
    """n new readings spread over every sensor, on whole seconds the demo city never uses."""
    with engine.connect() as conn:
        sensors = [r[0] for r in conn.exec_driver_sql("SELECT id FROM sensors ORDER BY id")]
    per = -(-n // len(sensors))
    base = utcnow().replace(microsecond=0) - timedelta(hours=6)
    seconds = np.arange(per) * 7 + offset_s
    frame = pd.DataFrame(
        {
            "sensor_id": np.repeat(sensors, per)[:n],
            "observed_at": (pd.Timestamp(base) + pd.to_timedelta(np.tile(seconds, len(sensors))[:n], "s")),
            "value": np.round(np.random.default_rng(offset_s).uniform(0, 50, n), 2),
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
        frame.assign(observed_at=frame["observed_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(path, index=False)
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


def measure_ingest(city: City, log) -> dict:  # noqa: ANN001
    out = {}
    for step in (_csv, _sink):
        try:
            out.update(step(city, log))
        except Exception as exc:  # noqa: BLE001 - report and carry on
            out[step.__name__.strip("_")] = f"failed: {type(exc).__name__}: {exc}"[:300]
            log(f"  ingest {step.__name__}: failed: {exc}")
    return out
