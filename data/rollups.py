"""Rollups kept beside raw observations: each sensor's latest reading, hourly and daily aggregates.

The wall asks "what does each sensor say now" and "how did it move this week" every few seconds;
answering from these small tables keeps that cost flat however many millions of readings exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    case,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql import Select

from data.models import Observation, ObservationDaily, ObservationHourly, Sensor, SensorLatest
from data.store import upsert_statement
from data.timebuckets import utc_hour_start, wib_day_start, wib_day_start_utc

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _touched(name: str, key: str, *values: Column) -> Table:
    """A per-connection temporary table of the (sensor, period) pairs a batch touched, so one INSERT ... SELECT
    recomputes them all from the finer rows, however many there are (emptied at commit on PostgreSQL)."""
    return Table(
        name,
        MetaData(),
        Column("sensor_id", String(64), primary_key=True),
        Column(key, DateTime, primary_key=True),
        Column(f"{key}_end", DateTime, nullable=False),
        *values,
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DELETE ROWS",
    )


# The (sensor, hour) pairs a batch touched and its aggregates there.
TOUCHED_HOURS = _touched(
    "rollup_touched_hours",
    "hour",
    Column("n", Integer, nullable=False),
    Column("total", Float, nullable=False),
    Column("min_value", Float, nullable=False),
    Column("max_value", Float, nullable=False),
    Column("stale", Boolean, nullable=False),
)
_CREATE_TOUCHED = CreateTable(TOUCHED_HOURS, if_not_exists=True)
# The (sensor, WIB day) pairs whose hours changed: each is recomputed from its (at most 24) hourly rows.
TOUCHED_DAYS = _touched("rollup_touched_days", "day")
_CREATE_TOUCHED_DAYS = CreateTable(TOUCHED_DAYS, if_not_exists=True)
_OBS = Observation.__table__
_HOURLY = ObservationHourly.__table__
_DAILY = ObservationDaily.__table__
_KEY = ["sensor_id", "hour"]
_DAILY_FIELDS = ["sensor_id", "day", "hours", "hourly_mean_sum", "max_value"]


class HourlyAggregate(NamedTuple):
    """One sensor's readings in one UTC hour, as the hourly rollup holds them."""

    sensor_id: str
    hour: datetime
    n: int
    total: float
    min_value: float
    max_value: float


_FIELDS = list(HourlyAggregate._fields)


def rebuild_observation_rollups(engine: Engine) -> None:
    """Recompute every rollup from scratch (after a bulk load)."""
    with engine.begin() as conn:
        conn.execute(delete(ObservationHourly))
        conn.execute(delete(ObservationDaily))
        conn.execute(delete(SensorLatest))
        hour = utc_hour_start(Observation.observed_at)
        conn.execute(
            ObservationHourly.__table__.insert().from_select(
                _FIELDS,
                select(
                    Observation.sensor_id,
                    hour,
                    func.count(),
                    func.sum(Observation.value),
                    func.min(Observation.value),
                    func.max(Observation.value),
                ).group_by(Observation.sensor_id, hour),
            )
        )
        fill_daily_rollup(conn)
        _upsert_latest(conn, select(Sensor.id.label("sensor_id")))


def fill_daily_rollup(conn: Connection) -> None:
    """The daily rollup from the hourly one, in one INSERT ... SELECT (into an empty table)."""
    h = _HOURLY.c
    day = wib_day_start(h.hour)
    per_day = select(h.sensor_id, day, func.count(), func.sum(h.total / h.n), func.max(h.max_value))
    conn.execute(_DAILY.insert().from_select(_DAILY_FIELDS, per_day.group_by(h.sensor_id, day)))


def update_observation_rollups(conn: Connection, hours: Sequence[HourlyAggregate], all_new: bool = False) -> None:
    """Bring the hours a batch touched, and its sensors' latest values, up to date: set-based, a fixed
    handful of statements whatever the batch holds.

    An hour whose readings were all new gets the batch's aggregates added (exact, and it spares reading
    back the raw rows, most of a batch's cost). An hour where a reading repeated one already stored (a file
    sent twice, an interrupted load run again, a redelivered MQTT message) is recomputed from the raw rows:
    it is found because its raw count is not the stored count plus the batch's. `all_new` (every reading
    of the batch was inserted) skips that check.
    """
    if not hours:
        return
    conn.execute(_CREATE_TOUCHED)
    conn.execute(delete(TOUCHED_HOURS))
    conn.execute(TOUCHED_HOURS.insert(), [{**h._asdict(), "hour_end": h.hour + HOUR, "stale": False} for h in hours])
    t, o, old = TOUCHED_HOURS.c, _OBS.c, _HOURLY.c
    if not all_new:
        raw_count = _in_hour(func.count())
        stored = select(old.n).where(old.sensor_id == t.sensor_id, old.hour == t.hour).scalar_subquery()
        conn.execute(update(TOUCHED_HOURS).values(stale=raw_count != func.coalesce(stored, 0) + t.n))
        aggregates = (func.count(), func.sum(o.value), func.min(o.value), func.max(o.value))
        recomputed = select(t.sensor_id, t.hour, *(_in_hour(a) for a in aggregates)).where(t.stale)
        stmt = upsert_statement(conn.engine, _HOURLY).from_select(_FIELDS, recomputed)
        conn.execute(stmt.on_conflict_do_update(index_elements=_KEY, set_={c: stmt.excluded[c] for c in _FIELDS[2:]}))
    added = select(*(t[c] for c in _FIELDS)).where(~t.stale)
    stmt = upsert_statement(conn.engine, _HOURLY).from_select(_FIELDS, added)
    new = stmt.excluded
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=_KEY,
            set_={
                "n": old.n + new.n,
                "total": old.total + new.total,
                "min_value": case((new.min_value < old.min_value, new.min_value), else_=old.min_value),
                "max_value": case((new.max_value > old.max_value, new.max_value), else_=old.max_value),
            },
        )
    )
    _update_days(conn, {(h.sensor_id, wib_day_start_utc(h.hour)) for h in hours})
    _upsert_latest(conn, select(t.sensor_id).distinct())


def _update_days(conn: Connection, days: set[tuple[str, datetime]]) -> None:
    """Recompute the daily rows of the (sensor, day) pairs whose hours a batch changed, from the hourly rows."""
    conn.execute(_CREATE_TOUCHED_DAYS)
    conn.execute(delete(TOUCHED_DAYS))
    conn.execute(TOUCHED_DAYS.insert(), [{"sensor_id": s, "day": d, "day_end": d + DAY} for s, d in days])
    t, h = TOUCHED_DAYS.c, _HOURLY.c

    def in_day(aggregate):  # noqa: ANN001, ANN202 - an index range scan of the day's hours, as in _in_hour
        return select(aggregate).where(h.sensor_id == t.sensor_id, h.hour >= t.day, h.hour < t.day_end)

    aggregates = (func.count(), func.sum(h.total / h.n), func.max(h.max_value))
    recomputed = select(t.sensor_id, t.day, *(in_day(a).scalar_subquery() for a in aggregates)).where(
        t.day.is_not(None)  # a WHERE, or SQLite reads the ON of ON CONFLICT as a join's
    )
    stmt = upsert_statement(conn.engine, _DAILY).from_select(_DAILY_FIELDS, recomputed)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["sensor_id", "day"], set_={c: stmt.excluded[c] for c in _DAILY_FIELDS[2:]}
        )
    )


def _in_hour(aggregate):  # noqa: ANN001, ANN202 - SQL expressions
    """An aggregate of a touched hour's raw readings, as a correlated subquery: an index range scan per hour.

    A join would leave the plan to the planner, and with no statistics on the temporary table SQLite may
    build an automatic index over all the readings (13 s on 10 million) and PostgreSQL may hash-join them.
    """
    t, o = TOUCHED_HOURS.c, _OBS.c
    in_hour = (o.sensor_id == t.sensor_id, o.observed_at >= t.hour, o.observed_at < t.hour_end)
    return select(aggregate).where(*in_hour).scalar_subquery()


def _upsert_latest(conn: Connection, sensor_ids: Select) -> None:
    """Set the latest and previous reading of the sensors `sensor_ids` selects, in one statement.

    Each column is its own scalar subquery (an index seek from the newest end): nothing for either
    planner to turn into a scan of the readings.
    """
    ids = sensor_ids.subquery("ids")

    def newest(column: str, skip: int):  # noqa: ANN202 - a scalar subquery
        return (
            select(_OBS.c[column])
            .where(_OBS.c.sensor_id == ids.c.sensor_id)
            .order_by(_OBS.c.observed_at.desc())
            .limit(1)
            .offset(skip)
            .scalar_subquery()
        )

    latest = select(
        ids.c.sensor_id, newest("observed_at", 0), newest("value", 0), newest("value", 1), newest("observed_at", 1)
    ).where(newest("observed_at", 0).is_not(None))
    stmt = upsert_statement(conn.engine, SensorLatest.__table__).from_select(
        ["sensor_id", "observed_at", "value", "previous_value", "previous_at"], latest
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["sensor_id"],
            set_={c: stmt.excluded[c] for c in ("observed_at", "value", "previous_value", "previous_at")},
        )
    )


__all__ = [
    "HourlyAggregate",
    "fill_daily_rollup",
    "rebuild_observation_rollups",
    "update_observation_rollups",
]
