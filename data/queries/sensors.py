"""Sensor figures: each device's state now (from the latest-reading table) and hourly trends (from the rollup)."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from data.bulk import sqlite_datetime
from data.city import catalogue
from data.frames import frame_of, packed_records
from data.models import Sensor, SensorLatest

OFFLINE_AFTER_INTERVALS = 3
STATES = ("normal", "warning", "danger", "offline")
# What every reader of the registry needs to place a sensor and judge its readings.
REGISTRY_COLUMNS = (
    Sensor.id,
    Sensor.name,
    Sensor.kind,
    Sensor.unit,
    Sensor.lat,
    Sensor.lon,
    Sensor.district_code,
    Sensor.warning_threshold,
    Sensor.danger_threshold,
    Sensor.expected_interval_s,
)


def sensor_states(engine: Engine, now: datetime, district: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """One row per active sensor: latest value, its age, and state (normal, warning, danger, offline)."""
    stmt = (
        select(
            *REGISTRY_COLUMNS,
            Sensor.snapshot_url,
            Sensor.stream_url,
            SensorLatest.value,
            SensorLatest.observed_at,
            SensorLatest.previous_value,
        )
        .join(SensorLatest, SensorLatest.sensor_id == Sensor.id, isouter=True)
        .where(Sensor.active.is_(True))
        .order_by(Sensor.kind, Sensor.id)
    )
    if district:
        stmt = stmt.where(Sensor.district_code == district)
    if kind:
        stmt = stmt.where(Sensor.kind == kind)
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt))
    if frame.empty:
        return frame
    frame["observed_at"] = pd.to_datetime(frame["observed_at"])
    for column in ("warning_threshold", "danger_threshold", "value", "previous_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)  # all-NULL columns come as object
    frame["age_s"] = (pd.Timestamp(now) - frame["observed_at"]).dt.total_seconds()
    frame["state"] = classify(frame, now)
    frame["trend"] = np.sign((frame["value"] - frame["previous_value"]).fillna(0)).astype(int)
    return frame


def classify(frame: pd.DataFrame, now: datetime) -> np.ndarray:
    """State per row: offline when silent for several intervals (or a camera reporting 0), else by thresholds."""
    offline = frame["age_s"].isna() | (frame["age_s"] > OFFLINE_AFTER_INTERVALS * frame["expected_interval_s"])
    offline |= (frame["kind"] == "cctv") & (frame["value"] < 0.5)
    # a kind whose low values are bad (the pack's catalogue) crosses its thresholds downwards
    sign = np.where(frame["kind"].isin(catalogue().low_is_bad), -1.0, 1.0)
    value = frame["value"] * sign
    danger = frame["danger_threshold"].notna() & (value >= frame["danger_threshold"] * sign)
    warning = frame["warning_threshold"].notna() & (value >= frame["warning_threshold"] * sign)
    return np.select([offline, danger, warning], ["offline", "danger", "warning"], default="normal")


TREND_COLUMNS = ["sensor_id", "hour", "mean", "min", "max"]
# PostgreSQL: the week as one bytea of 40-byte records (the sensor's place in the sorted ids asked for, the hour,
# mean, min, max), sorted here
_TREND_PG = """SELECT string_agg(int8send(s.k) || timestamp_send(h.hour) || float8send(h.total / h.n)
  || float8send(h.min_value) || float8send(h.max_value), '')
FROM unnest(%(ids)s::text[]) WITH ORDINALITY AS s(id, k) JOIN observations_hourly h ON h.sensor_id = s.id
WHERE h.hour >= %(start)s AND h.hour < %(end)s"""
_PG_TREND_RECORD = np.dtype([("place", ">i8"), ("hour", ">i8"), ("mean", ">f8"), ("min", ">f8"), ("max", ">f8")])
# SQLite: rows in the covering index's order, read by numpy straight from the cursor
_TREND_SQLITE = """SELECT sensor_id, hour, total / n, min_value, max_value FROM observations_hourly
WHERE sensor_id IN (SELECT value FROM json_each(:ids)) AND hour >= :start AND hour < :end ORDER BY sensor_id, hour"""
_SQLITE_TREND_ROW = np.dtype([("sensor_id", object), ("hour", "U26"), ("mean", float), ("min", float), ("max", float)])
PG_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")


def hourly_trend(engine: Engine, sensor_ids: list[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Hourly mean, min and max per sensor from the rollup table, ordered by sensor id and hour.

    A week of 500 sensors is ~84,000 rows, where building a Python object per value (a tuple per row, a
    datetime per hour) costs more than the database's work: the columns reach numpy without them.
    """
    ids = sorted(set(sensor_ids))
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            params = {"ids": ids, "start": start, "end": end}
            rows = packed_records(conn, _TREND_PG, params, _PG_TREND_RECORD)
            rows = rows[np.lexsort((rows["hour"], rows["place"]))]
            sensor = np.array(ids, dtype=object)[rows["place"] - 1]
            hour = PG_EPOCH + rows["hour"].astype("m8[us]")
        else:
            params = {"ids": json.dumps(ids), "start": sqlite_datetime(start), "end": sqlite_datetime(end)}
            rows = np.fromiter(conn.connection.cursor().execute(_TREND_SQLITE, params), dtype=_SQLITE_TREND_ROW)
            sensor, hour = rows["sensor_id"], rows["hour"].astype("datetime64[us]")
    values = {name: rows[name].astype(float) for name in TREND_COLUMNS[2:]}
    return pd.DataFrame({"sensor_id": sensor, "hour": hour, **values})


def state_counts(states: pd.DataFrame) -> dict[str, int]:
    """How many sensors are in each state (all four keys present)."""
    counts = states["state"].value_counts() if not states.empty else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in STATES}
