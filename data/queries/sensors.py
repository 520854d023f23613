"""Sensor figures: each device's state now (from the latest-reading table) and hourly trends (from the rollup)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, String, select, type_coerce

from data.city import catalogue
from data.frames import frame_of
from data.models import ObservationHourly, Sensor, SensorLatest

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


def hourly_trend(engine: Engine, sensor_ids: list[str], start: datetime, end: datetime) -> pd.DataFrame:
    """Hourly mean, min and max per sensor from the rollup table."""
    if not sensor_ids:
        return pd.DataFrame(columns=["sensor_id", "hour", "mean", "min", "max"])
    stmt = (
        select(
            ObservationHourly.sensor_id,
            # SQLite stores the hour as ISO text: read it as text and parse the column in one vectorised call
            # below, not one Python datetime per row (tens of thousands of rows for a week of every sensor)
            type_coerce(ObservationHourly.hour, String).label("hour"),
            (ObservationHourly.total / ObservationHourly.n).label("mean"),
            ObservationHourly.min_value.label("min"),
            ObservationHourly.max_value.label("max"),
        )
        .where(
            ObservationHourly.sensor_id.in_(sensor_ids),
            ObservationHourly.hour >= start,
            ObservationHourly.hour < end,
        )
        .order_by(ObservationHourly.sensor_id, ObservationHourly.hour)
    )
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt), ["sensor_id", "hour", "mean", "min", "max"])
    frame["hour"] = pd.to_datetime(frame["hour"])
    return frame


def state_counts(states: pd.DataFrame) -> dict[str, int]:
    """How many sensors are in each state (all four keys present)."""
    counts = states["state"].value_counts() if not states.empty else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in STATES}
