"""The room's own figures, named as the peer's (bench/peer.py), timed with their floor (their bare SQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select

from bench.replay import SqlCapture, replay_sql
from bench.stats import Timing, time_calls
from data.models import Complaint, Sensor
from data.queries.complaints import complaint_kpis, counts_over_time, open_by_district
from data.queries.filters import ComplaintFilter
from data.queries.sensors import hourly_trend, sensor_states
from data.queries.services import latest_service_health


def district_category_counts(engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """The issue's reference query: a 30-day district-by-category count."""
    stmt = (
        select(Complaint.district_code, Complaint.category, func.count())
        .where(Complaint.requested_at >= start, Complaint.requested_at < end)
        .group_by(Complaint.district_code, Complaint.category)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all())


def ours(engine: Engine, now: datetime) -> dict[str, Callable[[], object]]:
    with engine.connect() as conn:
        sensor_ids = [r[0] for r in conn.execute(select(Sensor.id))]
    week = now - timedelta(days=7)
    analyst = ComplaintFilter(start=now - timedelta(days=90), end=now, districts=("36.71.01",))
    return {
        "complaint_kpis": lambda: complaint_kpis(engine, now),
        "open_by_district": lambda: open_by_district(engine, now),
        "sensor_states": lambda: sensor_states(engine, now),
        "hourly_trend_7d": lambda: hourly_trend(engine, sensor_ids, week, now),
        "district_category_30d": lambda: district_category_counts(engine, now - timedelta(days=30), now),
        "analyst_filter_90d": lambda: counts_over_time(engine, analyst),
        "service_health": lambda: latest_service_health(engine, now),
    }


def measure(engine: Engine, now: datetime, runs: int) -> dict[str, tuple[Timing, Timing | None]]:
    """Each figure through the data layer, and its floor: the same SQL through the bare driver."""
    capture = SqlCapture(engine)
    out = {}
    for name, fn in ours(engine, now).items():
        statements = capture.run(fn)
        out[name] = (time_calls(fn, runs), replay_sql(engine, statements, runs))
    return out
