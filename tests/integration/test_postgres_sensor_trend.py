"""On PostgreSQL the hourly trend (one packed bytea read by numpy) is the frame SQLite gives, row for row."""

from datetime import timedelta

import pandas as pd
import pytest

from data.queries.sensors import hourly_trend
from tests.helpers.rollup_scenarios import SENSORS, START
from tests.helpers.trend import store_trend_readings

pytestmark = pytest.mark.integration


def test_trend_on_postgres_equals_sqlite_for_any_ids_and_window(pg_engine, sqlite_engine):
    store_trend_readings(pg_engine)
    store_trend_readings(sqlite_engine)
    windows = [(START, START + timedelta(hours=12)), (START + timedelta(hours=3), START + timedelta(hours=4))]
    for ids in (list(SENSORS), ["wl-2", "unknown", "rain-1", "wl-2"], []):
        for start, end in windows:
            pd.testing.assert_frame_equal(
                hourly_trend(pg_engine, ids, start, end), hourly_trend(sqlite_engine, ids, start, end)
            )
