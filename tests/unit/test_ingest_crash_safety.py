"""Crash safety and rollups: a load killed midway and run again ends with exactly the rows of one clean run,
and the hourly rollup added to at ingest equals one rebuilt from the raw readings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text

from data.ingest.observations import ingest_observations_file
from data.ingest.report import IngestReport
from data.models import Observation, Sensor
from data.places import prepare_store
from data.rollups import rebuild_observation_rollups
from data.store import make_engine

ROOT = Path(__file__).resolve().parents[2]
SENSORS = 20


def _write_readings(path: Path, rows: int) -> None:
    i = np.arange(rows)
    times = np.datetime64("2026-01-01T00:00:00") + (i // SENSORS) * np.timedelta64(60, "s")
    values = np.round((i * 7919) % 3000 / 10, 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("sensor_id,observed_at,value\n")
        fh.writelines(f"wl-{k % SENSORS},{t}+07:00,{v}\n" for k, t, v in zip(i, times.astype(str), values, strict=True))


def _store(url_path: Path):  # noqa: ANN202
    engine = make_engine(f"sqlite:///{url_path}")
    prepare_store(engine)
    with engine.begin() as conn:
        conn.execute(
            Sensor.__table__.insert(),
            [{"id": f"wl-{k}", "name": f"g{k}", "kind": "water_level", "unit": "cm", "lat": -6.18, "lon": 106.63}
             for k in range(SENSORS)],
        )  # fmt: skip
    return engine


def _snapshot(engine) -> tuple:  # noqa: ANN001
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(Observation)).scalar()
        total = conn.execute(select(func.sum(Observation.value))).scalar()
        hourly = conn.execute(text("SELECT sensor_id, hour, n, round(total, 3), min_value, max_value "
                                   "FROM observations_hourly ORDER BY 1, 2")).all()  # fmt: skip
        latest = conn.execute(text("SELECT sensor_id, observed_at, value, previous_value FROM sensor_latest "
                                   "ORDER BY 1")).all()  # fmt: skip
    return n, round(total, 3), hourly, latest


def test_rollups_added_at_ingest_equal_a_rebuild(tmp_path):
    engine = _store(tmp_path / "a.db")
    csv_path = tmp_path / "r.csv"
    _write_readings(csv_path, 30_000)
    report = IngestReport("observations")
    ingest_observations_file(engine, csv_path, "csv", report, chunk_rows=7_000)  # chunks split hours
    assert report.inserted == 30_000
    added = _snapshot(engine)
    rebuild_observation_rollups(engine)
    assert _snapshot(engine) == added
    again = IngestReport("observations")
    ingest_observations_file(engine, csv_path, "csv", again, chunk_rows=7_000)
    assert (again.inserted, again.unchanged) == (0, 30_000)
    assert _snapshot(engine) == added


def test_killed_ingest_run_again_equals_one_clean_run(tmp_path):
    csv_path = tmp_path / "big.csv"
    _write_readings(csv_path, 210_000)
    clean = _store(tmp_path / "clean.db")
    ingest_observations_file(clean, csv_path, "csv", IngestReport("observations"))
    expected = _snapshot(clean)

    crashed_path = tmp_path / "crashed.db"
    crashed = _store(crashed_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "dashboard", "ingest", "observations", str(csv_path),
               "--database-url", f"sqlite:///{crashed_path}"]  # fmt: skip
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with crashed.connect() as conn:
            if conn.execute(select(func.count()).select_from(Observation)).scalar():
                break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with crashed.connect() as conn:
        partial = conn.execute(select(func.count()).select_from(Observation)).scalar()
    assert 0 < partial < 210_000, "the kill should land midway through the load"
    subprocess.run(command, env=env, cwd=tmp_path, check=True, capture_output=True)
    assert _snapshot(crashed) == expected
