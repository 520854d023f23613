"""The faster query shapes give the same answers as the plain ones they replaced, on a seeded demo city."""

import json
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly as to_json
from sqlalchemy import select, text

from data.models import Complaint, ObservationHourly, Sensor
from data.queries import analyst as q
from data.queries.analyst_filter import FilterState, distinct_values, known_values, to_filter
from data.queries.sensors import hourly_trend
from data.queries.services import latest_service_health
from layouts import analyst_figures as figs
from tests.conftest import DEMO_END, SMALL_CITY

WHOLE_PERIOD = FilterState(start_day=SMALL_CITY.start.date().isoformat(), end_day=DEMO_END.date().isoformat())
BUCKET_SQL = """CASE WHEN h >= 0 AND h < 24 THEN '<1d' WHEN h >= 24 AND h < 72 THEN '1-3d'
    WHEN h >= 72 AND h < 168 THEN '3-7d' WHEN h >= 168 AND h < 336 THEN '7-14d'
    WHEN h >= 336 THEN '>14d' ELSE '<1d' END"""


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_loose_index_scan_finds_every_distinct_value(small_city):
    with small_city.connect() as conn:
        for column in (Complaint.category, Complaint.agency, Complaint.district_code):
            plain = {r[0] for r in conn.execute(select(column).distinct()) if r[0] is not None}
            assert distinct_values(conn, column) == sorted(plain)
    assert set(known_values(small_city).agencies) >= {"BPBD", "DLH"}


def test_close_buckets_and_backlog_match_the_plain_queries(small_city):
    flt = to_filter(WHOLE_PERIOD)
    start, end = flt.start.isoformat(sep=" "), flt.end.isoformat(sep=" ")
    close_sql = f"""SELECT coalesce(agency, '—') AS agency, {BUCKET_SQL} AS bucket, count(*) AS n,
        sum(CASE WHEN closed_at <= due_at THEN 1 ELSE 0 END) AS within
        FROM (SELECT *, (julianday(closed_at) - julianday(requested_at)) * 24.0 AS h FROM complaints)
        WHERE closed_at IS NOT NULL AND requested_at >= :start AND requested_at < :end AND NOT outside_city
        GROUP BY 1, 2"""
    backlog_sql = f"""SELECT {BUCKET_SQL} AS bucket, CASE WHEN due_at < :now THEN 1 ELSE 0 END AS late, count(*) AS n
        FROM (SELECT *, (julianday(:now) - julianday(requested_at)) * 24.0 AS h FROM complaints)
        WHERE status != 'closed' AND requested_at <= :now AND requested_at >= :start AND requested_at < :end
        AND NOT outside_city GROUP BY 1, 2"""
    now = DEMO_END.isoformat(sep=" ")
    with small_city.connect() as conn:
        close = pd.DataFrame(conn.execute(text(close_sql), {"start": start, "end": end}).all())
        backlog = pd.DataFrame(conn.execute(text(backlog_sql), {"start": start, "end": end, "now": now}).all())
    assert len(close) > 5 and len(backlog) > 2
    pd.testing.assert_frame_equal(_sorted(q.close_by_agency(small_city, flt)), _sorted(close))
    pd.testing.assert_frame_equal(_sorted(q.backlog_age(small_city, flt, DEMO_END)), _sorted(backlog))


def test_hourly_trend_matches_the_rollup_rows(small_city):
    start = DEMO_END - timedelta(days=7)
    with small_city.connect() as conn:
        ids = list(conn.execute(select(Sensor.id).order_by(Sensor.id)).scalars())
        h = ObservationHourly
        rows = conn.execute(
            select(h.sensor_id, h.hour, h.total / h.n, h.min_value, h.max_value)
            .where(ObservationHourly.hour >= start, ObservationHourly.hour < DEMO_END)
            .order_by(ObservationHourly.sensor_id, ObservationHourly.hour)
        ).all()
        expected = pd.DataFrame([tuple(r) for r in rows], columns=["sensor_id", "hour", "mean", "min", "max"])
    expected["hour"] = pd.to_datetime(expected["hour"])
    got = hourly_trend(small_city, ids, start, DEMO_END)
    assert len(got) > 1000
    assert got["hour"].dtype == "datetime64[us]"
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_service_health_is_each_services_newest_period_at_any_moment(small_city):
    for moment in (DEMO_END, DEMO_END - timedelta(days=5)):
        with small_city.connect() as conn:
            metrics = pd.read_sql(
                text("SELECT s.code, m.* FROM service_metrics m JOIN services s ON s.id = m.service_id"), conn
            )
        metrics["period_start"] = pd.to_datetime(metrics["period_start"])
        newest = metrics[metrics["period_start"] <= moment].sort_values("period_start").groupby("code").tail(1)
        health = latest_service_health(small_city, moment)
        assert not health.empty
        assert dict(zip(health["code"], health["period_start"], strict=True)) == dict(
            zip(newest["code"], newest["period_start"], strict=True)
        )


def test_district_map_dict_is_the_figure_it_replaced(small_city):
    districts = q.by_district(small_city, to_filter(WHOLE_PERIOD))
    geojson = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "36.71.05", "geometry": None}]}
    got = figs.district_map(districts, geojson, ("36.71.05",), "id")
    assert got["data"][0]["geojson"] is geojson  # attached, not copied
    assert json.loads(to_json(got)) == json.loads(to_json(go.Figure(got)))
