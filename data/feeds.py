"""The room's feeds (complaints, each sensor network, service metrics) and how fresh each one is.

A feed is stale when its newest data is older than a few of its expected intervals; the wall then
shows "STALE, last data N min ago" instead of a confident number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from data.models import Complaint, FeedStatus, Sensor, SensorLatest, ServiceMetric
from data.store import upsert_statement, utcnow

COMPLAINTS_FEED = "complaints"
SERVICE_METRICS_FEED = "service_metrics"
COMPLAINTS_INTERVAL_S = 3600
SERVICE_METRICS_INTERVAL_S = 86_400
STALE_AFTER_INTERVALS = 3


def sensor_feed(kind: str) -> str:
    return f"sensors.{kind}"


@dataclass(frozen=True)
class FeedHealth:
    feed: str
    last_data_at: datetime | None
    expected_interval_s: int
    age_s: float | None
    stale: bool


def mark_feed(
    conn: Connection, feed: str, last_data_at: datetime | None, records: int, interval_s: int | None = None
) -> None:
    """Note that a feed delivered `records` rows whose newest is `last_data_at` (never moves backwards)."""
    now = utcnow()
    table = FeedStatus.__table__
    stmt = upsert_statement(conn.engine, table)
    values = {"feed": feed, "last_data_at": last_data_at, "last_ingest_at": now, "records_total": records}
    if interval_s is not None:
        values["expected_interval_s"] = interval_s
    stmt = stmt.values(**values)
    newest = func.max(func.coalesce(table.c.last_data_at, stmt.excluded.last_data_at), stmt.excluded.last_data_at)
    if conn.dialect.name == "postgresql":
        newest = func.greatest(table.c.last_data_at, stmt.excluded.last_data_at)
    update = {
        "last_data_at": newest if last_data_at is not None else table.c.last_data_at,
        "last_ingest_at": now,
        "records_total": table.c.records_total + records,
    }
    if interval_s is not None:
        update["expected_interval_s"] = interval_s
    conn.execute(stmt.on_conflict_do_update(index_elements=["feed"], set_=update))


def refresh_feed_status(engine: Engine, sensor_interval_s: int | None = None) -> None:
    """Recompute every feed's newest data time from the tables (after a bulk load)."""
    with engine.begin() as conn:
        newest_complaint = conn.execute(select(func.max(Complaint.updated_at))).scalar()
        count = conn.execute(select(func.count()).select_from(Complaint)).scalar() or 0
        mark_feed(conn, COMPLAINTS_FEED, _dt(newest_complaint), 0, COMPLAINTS_INTERVAL_S)
        conn.execute(
            FeedStatus.__table__.update().where(FeedStatus.feed == COMPLAINTS_FEED).values(records_total=count)
        )
        newest_metric = conn.execute(select(func.max(ServiceMetric.period_start))).scalar()
        mark_feed(conn, SERVICE_METRICS_FEED, _dt(newest_metric), 0, SERVICE_METRICS_INTERVAL_S)
        rows = conn.execute(
            select(Sensor.kind, func.max(SensorLatest.observed_at), func.min(Sensor.expected_interval_s))
            .join(SensorLatest, SensorLatest.sensor_id == Sensor.id, isouter=True)
            .group_by(Sensor.kind)
        ).all()
        for kind, newest, interval in rows:
            mark_feed(conn, sensor_feed(kind), _dt(newest), 0, sensor_interval_s or interval)


def _dt(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def feed_health(engine: Engine, now: datetime | None = None) -> list[FeedHealth]:
    """Every feed with its newest data time, age and stale flag."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = conn.execute(
            select(FeedStatus.feed, FeedStatus.last_data_at, FeedStatus.expected_interval_s).order_by(FeedStatus.feed)
        ).all()
    out = []
    for feed, last, interval in rows:
        last = _dt(last)
        age = (now - last).total_seconds() if last else None
        stale = age is None or age > STALE_AFTER_INTERVALS * max(interval, 60)
        out.append(FeedHealth(feed, last, interval, age, stale))
    return out
