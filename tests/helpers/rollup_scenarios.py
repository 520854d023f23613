"""Observation rollup scenarios run on both stores: mixed batches after which kept rollups must equal a rebuild."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, text

from data.ingest.sink import store_observations
from data.models import Sensor
from data.rollups import rebuild_observation_rollups

START = datetime(2026, 1, 1, 0, 0)
HOUR = timedelta(hours=1)
SENSORS = ("wl-1", "wl-2", "rain-1")


def readings(sensor: str, first_minute: int, count: int, step_min: int = 7, value0: float = 0.0) -> list[tuple]:
    return [
        (sensor, START + timedelta(minutes=first_minute + i * step_min), round(value0 + (i * 37 % 101) / 7, 3))
        for i in range(count)
    ]


def rollups(engine: Engine) -> tuple[list, list, list]:
    """The rollups as plain rows (totals rounded: a sum added to may differ from a fresh sum in the last bit)."""
    with engine.connect() as conn:
        hourly = conn.execute(
            text("SELECT sensor_id, hour, n, round(CAST(total AS NUMERIC), 6), min_value, max_value "
                 "FROM observations_hourly ORDER BY 1, 2")
        ).all()  # fmt: skip
        latest = conn.execute(
            text("SELECT sensor_id, observed_at, value, previous_value, previous_at FROM sensor_latest ORDER BY 1")
        ).all()
        daily = conn.execute(
            text("SELECT sensor_id, day, hours, round(CAST(hourly_mean_sum AS NUMERIC), 6), max_value "
                 "FROM observations_daily ORDER BY 1, 2")
        ).all()  # fmt: skip
    return (
        [tuple(float(v) if k == 3 else v for k, v in enumerate(r)) for r in hourly],
        [tuple(r) for r in latest],
        [tuple(float(v) if k == 3 else v for k, v in enumerate(r)) for r in daily],
    )


def replay_mixed_batches(engine: Engine) -> None:
    """Store batches of every awkward kind; after each, the kept rollups must equal a rebuild."""
    with engine.begin() as conn:
        conn.execute(
            Sensor.__table__.insert(),
            [{"id": s, "name": s, "kind": "rainfall" if s.startswith("rain") else "water_level", "unit": "cm",
              "lat": -6.18, "lon": 106.63} for s in SENSORS],
        )  # fmt: skip
    first = readings("wl-1", 0, 40) + readings("wl-2", 3, 30) + readings("rain-1", 5, 20)
    batches = {
        "all new, several hours per sensor": first,
        "overlapping: repeats (with other values, ignored) and new readings in the same hours": (
            readings("wl-1", 140, 30, value0=50.0) + readings("wl-2", 3, 10, value0=9.0) + readings("wl-2", 4, 10)
        ),
        "an exact repeat of the first batch": first,
        "the same new reading twice in one batch": readings("rain-1", 400, 5) + readings("rain-1", 400, 5),
        "late readings, older than each sensor's latest": readings("wl-1", -120, 10) + readings("rain-1", 1, 3),
        "all new again, in hours already held": readings("wl-2", 5, 20, step_min=7, value0=-3.0),
        "across a WIB midnight (17:00 UTC)": readings("rain-1", 16 * 60 + 30, 20) + readings("wl-1", 16 * 60, 9),
    }
    for name, batch in batches.items():
        store_observations(engine, batch)
        kept = rollups(engine)
        rebuild_observation_rollups(engine)
        assert kept == rollups(engine), name
