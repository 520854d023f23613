"""The backlog and late count at a past moment from the history rollup equal the rows' answer: at mid-hour, on
the hour, at the city's midnight and a microsecond around it, after status steps, closures, a reopen, a
corrected close time and records sent again; per kecamatan too; and the kept rollup equals a rebuild."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from data.models import Complaint
from data.queries.kpi_board import comparison_moment, open_count_at
from data.timebuckets import wib_midnight_utc, wib_today
from tests.helpers.complaint_rollup_scenarios import (
    CITY_MIDNIGHT,
    MINUTE,
    open_and_late_kept,
    open_and_late_raw,
    replay_mixed_batches,
)

US = timedelta(microseconds=1)


def test_open_and_late_at_any_moment_equal_the_rows_after_mixed_batches(sqlite_engine):
    replay_mixed_batches(sqlite_engine)  # asserts kept == rebuilt after every batch, this rollup included
    for minutes in (-151, -150, -60, -1, 0, 1, 37, 95, 200, 600, 760, 9000, 20000):
        for moment in (CITY_MIDNIGHT + minutes * MINUTE, CITY_MIDNIGHT + minutes * MINUTE - US):
            for district in (None, "36.71.01"):
                expected = open_and_late_raw(sqlite_engine, moment, district)
                assert open_and_late_kept(sqlite_engine, moment, district) == expected, (moment, district)


def test_open_and_late_a_day_and_a_week_ago_equal_the_rows_in_a_seeded_city(small_city):
    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar()
    midnight = wib_midnight_utc(wib_today(end))
    moments = [
        comparison_moment(end, timedelta(days=1)),
        comparison_moment(end, timedelta(days=7)),
        end - timedelta(days=2, minutes=13),
        midnight,
        midnight - US,
        end.replace(minute=0, second=0, microsecond=0),
    ]
    for moment in moments:
        for district in (None, "36.71.01"):
            expected = open_and_late_raw(small_city, moment, district)
            assert open_and_late_kept(small_city, moment, district) == expected, (moment, district)
    assert open_count_at(small_city, moments[0]) == open_and_late_raw(small_city, moments[0])[0]
