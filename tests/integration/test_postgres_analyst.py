"""The analysts' faster query shapes answer on PostgreSQL exactly as on SQLite."""

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from data.demo.seed import seed_demo_city
from data.models import Complaint, Sensor
from data.queries import analyst as q
from data.queries.analyst_filter import FilterState, distinct_values, to_filter
from data.queries.sensors import hourly_trend
from data.queries.services import latest_service_health
from tests.conftest import DEMO_END, SMALL_CITY

pytestmark = pytest.mark.integration


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_analyst_and_sensor_figures_match_sqlite(pg_engine, small_city):
    seed_demo_city(pg_engine, SMALL_CITY)
    flt = to_filter(FilterState(start_day=SMALL_CITY.start.date().isoformat(), end_day=DEMO_END.date().isoformat()))
    pg, lite = pg_engine, small_city
    with pg.connect() as a, lite.connect() as b:
        for column in (Complaint.category, Complaint.agency):
            assert distinct_values(a, column) == distinct_values(b, column)
        ids = list(a.execute(select(Sensor.id).order_by(Sensor.id)).scalars())
    pd.testing.assert_frame_equal(_sorted(q.close_by_agency(pg, flt)), _sorted(q.close_by_agency(lite, flt)))
    pd.testing.assert_frame_equal(
        _sorted(q.backlog_age(pg, flt, DEMO_END)), _sorted(q.backlog_age(lite, flt, DEMO_END))
    )
    start = DEMO_END - timedelta(days=7)
    pg_trend, lite_trend = hourly_trend(pg, ids, start, DEMO_END), hourly_trend(lite, ids, start, DEMO_END)
    assert pg_trend["hour"].dtype == lite_trend["hour"].dtype == "datetime64[us]"
    pd.testing.assert_frame_equal(pg_trend, lite_trend)
    pd.testing.assert_frame_equal(latest_service_health(pg, DEMO_END), latest_service_health(lite, DEMO_END))


def test_charts_from_the_hourly_rollup_equal_the_raw_rows_on_postgresql(pg_engine):
    from data.queries.analyst_filter import AnalystFilter
    from data.timebuckets import wib_midnight_utc
    from tests.helpers.analyst_rollup import assert_rollup_equals_raw

    seed_demo_city(pg_engine, SMALL_CITY)
    end = wib_midnight_utc(DEMO_END.date())
    start = end - timedelta(days=14)
    for extra in ({}, {"districts": ("36.71.05",)}, {"hours": (7, 8)}, {"weekdays": (0,), "channels": ("app",)}):
        assert_rollup_equals_raw(pg_engine, AnalystFilter(start=start, end=end, **extra))
