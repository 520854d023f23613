"""The hourly and daily rollups and each sensor's latest value, kept set-based at ingest, equal a rebuild from
the raw readings after batches that repeat, overlap, arrive out of order, cross a WIB midnight or hold the
same reading twice; the daily rollup equals the hourly one summed up by WIB day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text, update

from data.ingest.sink import store_observations
from data.models import ObservationHourly, Sensor
from data.rollups import rebuild_observation_rollups

START = datetime(2026, 1, 1, 0, 0)
HOUR = timedelta(hours=1)
SENSORS = ("wl-1", "wl-2", "rain-1")


def _readings(sensor: str, first_minute: int, count: int, step_min: int = 7, value0: float = 0.0) -> list[tuple]:
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
    first = _readings("wl-1", 0, 40) + _readings("wl-2", 3, 30) + _readings("rain-1", 5, 20)
    batches = {
        "all new, several hours per sensor": first,
        "overlapping: repeats (with other values, ignored) and new readings in the same hours": (
            _readings("wl-1", 140, 30, value0=50.0) + _readings("wl-2", 3, 10, value0=9.0) + _readings("wl-2", 4, 10)
        ),
        "an exact repeat of the first batch": first,
        "the same new reading twice in one batch": _readings("rain-1", 400, 5) + _readings("rain-1", 400, 5),
        "late readings, older than each sensor's latest": _readings("wl-1", -120, 10) + _readings("rain-1", 1, 3),
        "all new again, in hours already held": _readings("wl-2", 5, 20, step_min=7, value0=-3.0),
        "across a WIB midnight (17:00 UTC)": _readings("rain-1", 16 * 60 + 30, 20) + _readings("wl-1", 16 * 60, 9),
    }
    for name, batch in batches.items():
        store_observations(engine, batch)
        kept = rollups(engine)
        rebuild_observation_rollups(engine)
        assert kept == rollups(engine), name


def test_rollups_kept_at_ingest_equal_a_rebuild_after_mixed_batches(sqlite_engine):
    replay_mixed_batches(sqlite_engine)


def test_an_hour_whose_rollup_fell_behind_is_recomputed_when_a_batch_repeats_into_it(sqlite_engine):
    replay_mixed_batches(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(
            update(ObservationHourly)
            .where(ObservationHourly.sensor_id == "wl-1", ObservationHourly.hour.between(START, START + 4 * HOUR))
            .values(n=ObservationHourly.n - 1, total=0)
        )
    store_observations(sqlite_engine, _readings("wl-1", 0, 40))  # repeats into each of those hours
    kept = rollups(sqlite_engine)
    rebuild_observation_rollups(sqlite_engine)
    assert kept == rollups(sqlite_engine)


def test_the_daily_rollup_is_the_hourly_one_summed_by_wib_day(sqlite_engine):
    replay_mixed_batches(sqlite_engine)
    with sqlite_engine.connect() as conn:
        hourly = pd.read_sql(text("SELECT sensor_id, hour, n, total, max_value FROM observations_hourly"), conn)
        daily = pd.read_sql(text("SELECT * FROM observations_daily ORDER BY sensor_id, day"), conn)
    hourly["day"] = (pd.to_datetime(hourly["hour"]) + pd.Timedelta(hours=7)).dt.floor("D") - pd.Timedelta(hours=7)
    hourly["mean"] = hourly["total"] / hourly["n"]
    expected = hourly.groupby(["sensor_id", "day"], as_index=False).agg(
        hours=("mean", "size"), hourly_mean_sum=("mean", "sum"), max_value=("max_value", "max")
    )
    assert len(expected) > len(SENSORS)  # the batches cover more than one WIB day
    daily["day"] = pd.to_datetime(daily["day"])
    pd.testing.assert_frame_equal(daily.reset_index(drop=True), expected, check_dtype=False)
