"""A room's summary for the rooms above it: aggregates only (no complaint text, no reporter, nothing finer than
a kecamatan), typed so the same model builds what a city publishes and checks what a federation receives.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_serializer, field_validator
from sqlalchemy import Engine

from data.alerts.queries import alert_counts
from data.cityscore import load_measures
from data.dimensions import dimension_scores
from data.estate.registry import coverage_summary
from data.feeds import feed_health
from data.queries.kpi_board import daily_city_score, daily_series
from data.queries.snapshot import city_snapshot
from data.queries.wall import district_map_measures

SCHEMA = "cityops.room-summary/1"
HISTORY_DAYS = 30
Text = Annotated[str, StringConstraints(max_length=200)]
Short = Annotated[str, StringConstraints(max_length=40)]


class _Part(BaseModel):
    # Received summaries come from other rooms: unknown fields of a newer version are ignored, never stored.
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class RoomIdentity(_Part):
    name: Text
    short_name: Text
    kind: Short
    code: str = Field(pattern=r"^[0-9]{2}(\.[0-9]{2}){0,2}$")
    zone: Literal["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]
    zone_label: Literal["WIB", "WITA", "WIT"]


class MeasureFigure(_Part):
    key: Text
    label_id: Text
    label_en: Text
    unit: Short
    dimension: Short
    actual: float | None
    target: float
    score: float | None


class DimensionFigure(_Part):
    dimension: Short
    score: float | None


class IntegrationFigures(_Part):
    applications: int = Field(ge=0)
    connected: int = Field(ge=0)
    partial: int = Field(ge=0)
    not_connected: int = Field(ge=0)
    connected_pct: float | None


class ComplaintFigures(_Part):
    open: int = Field(ge=0)
    late: int = Field(ge=0)
    received_today: int = Field(ge=0)
    closed_today: int = Field(ge=0)
    sla_pct: float | None
    median_close_h: float | None


class SensorFigures(_Part):
    active: int = Field(ge=0)
    online: int = Field(ge=0)
    online_pct: float | None


class AlertFigures(_Part):
    danger: int = Field(ge=0)
    warning: int = Field(ge=0)
    unacknowledged: int = Field(ge=0)


class FeedFigure(_Part):
    feed: Text
    age_seconds: float | None
    stale: bool


class DistrictFigure(_Part):
    code: Short
    name: Text
    open: int = Field(ge=0)
    late: int = Field(ge=0)
    per_10k: float | None
    alerts: int = Field(ge=0)


class DayFigure(_Part):
    day: date
    received: int = Field(ge=0)
    closed: int = Field(ge=0)
    backlog: int
    sla_pct: float | None
    score: float | None


class RoomSummary(_Part):
    """Everything a room tells the rooms above it, at `generated_at` (UTC) on its own `local_date`."""

    schema_: Literal["cityops.room-summary/1"] = Field(SCHEMA, alias="schema")
    generated_at: datetime
    local_date: date
    room: RoomIdentity
    score: float | None
    measures: tuple[MeasureFigure, ...] = Field(max_length=50)
    dimensions: tuple[DimensionFigure, ...] = Field(max_length=12)
    integration: IntegrationFigures
    complaints: ComplaintFigures
    sensors: SensorFigures
    alerts: AlertFigures
    feeds: tuple[FeedFigure, ...] = Field(max_length=600)  # a province reports each member room as a feed
    districts: tuple[DistrictFigure, ...] = Field(max_length=600)  # and its members where a city has kecamatan
    history: tuple[DayFigure, ...] = Field(max_length=120)

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False, populate_by_name=True)

    @field_validator("generated_at")
    @classmethod
    def _naive_utc(cls, value: datetime) -> datetime:
        """Stored like every time in the database: naive UTC."""
        if value.tzinfo is not None:
            value = (value - value.utcoffset()).replace(tzinfo=None)
        return value

    @field_serializer("generated_at")
    def _utc(self, value: datetime) -> str:
        return value.isoformat() + "Z"

    def to_json(self) -> bytes:
        return self.model_dump_json(by_alias=True).encode()


def _num(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, 4)


def _history(series: pd.DataFrame) -> list[DayFigure]:
    return [
        DayFigure(
            day=date.fromisoformat(day),
            received=int(row["received"]),
            closed=int(row["closed"]),
            backlog=int(row["backlog"]),
            sla_pct=_num(row["sla_pct"]),
            score=_num(row["city_score"]),
        )
        for day, row in series.iterrows()
    ]


def build_room_summary(
    engine: Engine, identity: RoomIdentity, offset: timedelta, now: datetime, targets_path: Path
) -> RoomSummary:
    """The room's figures now: City Score and measures, the six dimensions, the application estate, complaints
    and SLA, sensors, alerts, feeds, per-kecamatan counts and a daily history on the room's own days."""
    snap = city_snapshot(engine, now, targets_path)
    series = daily_series(engine, now, None, days=HISTORY_DAYS)
    series["city_score"] = daily_city_score(series, targets_path, snap.population)
    measures = load_measures(targets_path)
    coverage = coverage_summary(engine)
    alerts = alert_counts(engine, now)
    states = snap.sensor_states
    online = int((states["state"] != "offline").sum()) if not states.empty else 0
    kpis = snap.complaints
    districts = district_map_measures(engine, now, shapes=False)
    return RoomSummary(
        generated_at=now,
        local_date=(now + offset).date(),
        room=identity,
        score=_num(snap.score),
        measures=[
            MeasureFigure(
                key=m.measure.key,
                label_id=m.measure.label_id,
                label_en=m.measure.label_en,
                unit=m.measure.unit,
                dimension=m.measure.dimension,
                actual=_num(m.actual),
                target=m.measure.target,
                score=_num(m.score),
            )
            for m in snap.measures
        ],  # fmt: skip
        dimensions=[
            DimensionFigure(dimension=d.dimension, score=_num(d.score))
            for d in dimension_scores(snap.measures, snap.service_health, measures)
        ],
        integration=IntegrationFigures(
            applications=coverage.total,
            connected=coverage.connected,
            partial=coverage.partial,
            not_connected=coverage.not_connected,
            connected_pct=_num(coverage.connected_pct),
        ),  # fmt: skip
        complaints=ComplaintFigures(
            open=kpis.open_backlog,
            late=kpis.late_open,
            received_today=kpis.received_today,
            closed_today=kpis.closed_today,
            sla_pct=_num(kpis.closed_within_sla_pct),
            median_close_h=_num(kpis.median_close_h),
        ),  # fmt: skip
        sensors=SensorFigures(active=len(states), online=online, online_pct=_num(snap.sensors_online_pct)),
        alerts=AlertFigures(
            danger=alerts["danger"], warning=alerts["warning"], unacknowledged=alerts["unacknowledged"]
        ),
        feeds=[FeedFigure(feed=f.feed, age_seconds=_num(f.age_s), stale=f.stale) for f in feed_health(engine, now)],
        districts=[
            DistrictFigure(
                code=str(r.code),
                name=str(r.name),
                open=int(r.open),
                late=int(r.late),
                per_10k=_num(r.per_10k),
                alerts=int(r.alerts),
            )
            for r in districts.itertuples()
        ],  # fmt: skip
        history=_history(series),
    )
