"""The hourly trend read column-wise (numbers straight into numpy) equals the rollup rows read one by one."""

from datetime import timedelta

import pandas as pd
from sqlalchemy import select

from data.models import ObservationHourly
from data.queries.sensors import TREND_COLUMNS, hourly_trend
from tests.helpers.rollup_scenarios import SENSORS, START
from tests.helpers.trend import store_trend_readings


def _rows(engine, ids, start, end) -> pd.DataFrame:  # noqa: ANN001
    h = ObservationHourly
    stmt = (
        select(h.sensor_id, h.hour, h.total / h.n, h.min_value, h.max_value)
        .where(h.sensor_id.in_(ids), h.hour >= start, h.hour < end)
        .order_by(h.sensor_id, h.hour)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=TREND_COLUMNS)
    return frame.astype({"hour": "datetime64[us]"})


def test_trend_is_the_rollup_rows_by_sensor_and_hour_whatever_order_the_ids_come_in(sqlite_engine):
    store_trend_readings(sqlite_engine)
    start, end = START + timedelta(hours=2), START + timedelta(hours=9)
    asked = ["wl-2", "unknown", "rain-1", "wl-2"]  # unsorted, repeated, and one with no readings
    got = hourly_trend(sqlite_engine, asked, start, end)
    assert list(got.columns) == TREND_COLUMNS and len(got) > 10
    assert got["hour"].dtype == "datetime64[us]" and set(got["sensor_id"]) == {"wl-2", "rain-1"}
    pd.testing.assert_frame_equal(got, _rows(sqlite_engine, asked, start, end), check_dtype=False)


def test_trend_of_no_sensors_or_no_hours_is_an_empty_frame_with_its_columns(sqlite_engine):
    store_trend_readings(sqlite_engine)
    for ids, start in (([], START), (list(SENSORS), START + timedelta(days=30))):
        got = hourly_trend(sqlite_engine, ids, start, start + timedelta(hours=5))
        assert got.empty and list(got.columns) == TREND_COLUMNS and got["hour"].dtype == "datetime64[us]"
