"""Rollups kept beside raw observations: each sensor's latest reading and hourly aggregates.

The wall asks "what does each sensor say now" and "how did it move this week" every few seconds;
answering from these small tables keeps that cost flat however many millions of readings exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, func, select, text
from sqlalchemy.engine import Connection

from data.models import Observation, ObservationHourly, SensorLatest
from data.store import upsert_statement
from data.timebuckets import utc_hour_start


def rebuild_observation_rollups(engine: Engine) -> None:
    """Recompute both rollups from scratch (after a bulk load)."""
    with engine.begin() as conn:
        conn.execute(delete(ObservationHourly))
        conn.execute(delete(SensorLatest))
        hour = utc_hour_start(Observation.observed_at)
        conn.execute(
            ObservationHourly.__table__.insert().from_select(
                ["sensor_id", "hour", "n", "total", "min_value", "max_value"],
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
        _refresh_latest(conn, None)


def update_observation_rollups(conn: Connection, touched: Iterable[tuple[str, datetime]]) -> None:
    """Recompute the hours and latest values of the (sensor, time) pairs just written.

    Recomputing from the raw rows (not adding deltas) keeps the rollup right when a batch
    repeats readings already stored.
    """
    by_sensor: dict[str, tuple[datetime, datetime]] = {}
    for sensor_id, at in touched:
        lo, hi = by_sensor.get(sensor_id, (at, at))
        by_sensor[sensor_id] = (min(lo, at), max(hi, at))
    if not by_sensor:
        return
    hour = utc_hour_start(Observation.observed_at)
    for sensor_id, (lo, hi) in by_sensor.items():
        start = lo.replace(minute=0, second=0, microsecond=0)
        end = hi.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        rows = conn.execute(
            select(
                hour.label("hour"),
                func.count().label("n"),
                func.sum(Observation.value).label("total"),
                func.min(Observation.value).label("min_value"),
                func.max(Observation.value).label("max_value"),
            )
            .where(Observation.sensor_id == sensor_id, Observation.observed_at >= start, Observation.observed_at < end)
            .group_by(hour)
        ).all()
        if not rows:
            continue
        stmt = upsert_statement(conn.engine, ObservationHourly.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["sensor_id", "hour"],
            set_={c: stmt.excluded[c] for c in ("n", "total", "min_value", "max_value")},
        )
        conn.execute(
            stmt,
            [
                {
                    "sensor_id": sensor_id,
                    "hour": _as_datetime(r.hour),
                    "n": r.n,
                    "total": r.total,
                    "min_value": r.min_value,
                    "max_value": r.max_value,
                }
                for r in rows
            ],
        )
    _refresh_latest(conn, list(by_sensor))


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _refresh_latest(conn: Connection, sensor_ids: list[str] | None) -> None:
    """Set each sensor's latest and previous reading from the raw table (two index seeks per sensor)."""
    ids = sensor_ids
    if ids is None:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM sensors"))]
    newest = (
        select(Observation.observed_at, Observation.value)
        .where(Observation.sensor_id == bindparam("sid"))
        .order_by(Observation.observed_at.desc())
        .limit(2)
    )
    rows = []
    for sid in ids:
        last_two = conn.execute(newest, {"sid": sid}).all()
        if not last_two:
            continue
        prev = last_two[1] if len(last_two) > 1 else None
        rows.append(
            {
                "sensor_id": sid,
                "observed_at": _as_datetime(last_two[0].observed_at),
                "value": last_two[0].value,
                "previous_value": prev.value if prev else None,
                "previous_at": _as_datetime(prev.observed_at) if prev else None,
            }
        )
    if not rows:
        return
    stmt = upsert_statement(conn.engine, SensorLatest.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["sensor_id"],
        set_={c: stmt.excluded[c] for c in ("observed_at", "value", "previous_value", "previous_at")},
    )
    conn.execute(stmt, rows)


__all__ = ["rebuild_observation_rollups", "update_observation_rollups"]
