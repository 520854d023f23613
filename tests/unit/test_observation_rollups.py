"""The hourly and daily rollups and each sensor's latest value, kept set-based at ingest, equal a rebuild from
the raw readings after batches that repeat, overlap, arrive out of order, cross a WIB midnight or hold the
same reading twice; the daily rollup equals the hourly one summed up by WIB day."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text, update

from data.ingest.sink import store_observations
from data.models import ObservationHourly
from data.rollups import rebuild_observation_rollups
from tests.helpers.rollup_scenarios import HOUR, SENSORS, START, readings, replay_mixed_batches, rollups


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
    store_observations(sqlite_engine, readings("wl-1", 0, 40))  # repeats into each of those hours
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
