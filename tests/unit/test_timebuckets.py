from datetime import datetime

import pytest
from sqlalchemy import literal, select

from data.timebuckets import wib_day, wib_hour, wib_week, wib_weekday


@pytest.mark.parametrize(
    ("utc", "day", "hour", "weekday", "week"),
    [
        (datetime(2026, 11, 22, 16, 59), "2026-11-22", 23, 6, "2026-11-16"),  # Sunday 23:59 WIB
        (datetime(2026, 11, 22, 17, 0), "2026-11-23", 0, 0, "2026-11-23"),  # Monday 00:00 WIB
    ],
)
def test_wib_buckets_shift_utc_by_seven_hours(sqlite_engine, utc, day, hour, weekday, week):
    value = literal(utc)
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(wib_day(value), wib_hour(value), wib_weekday(value), wib_week(value))).one()
    assert tuple(row) == (day, hour, weekday, week)
