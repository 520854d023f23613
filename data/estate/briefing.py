"""The figures of the printed briefings: the leaders' daily page and the assessment summary for a period.

Every figure is one aggregation in the database over a bounded window (the last 24 hours, or the period),
so a briefing costs a handful of small queries however big the city's history is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, case, func, inspect, select

from data.cityscore import MeasureScore, load_measures, ranked, score_measures
from data.dimensions import DimensionScore, city_dimensions, dimension_scores
from data.estate.coverage import coverage_by_month
from data.estate.registry import CoverageSummary, coverage_summary
from data.frames import frame_of
from data.models import Complaint, ObservationHourly, Sensor, Service, ServiceMetric
from data.queries.complaints import ComplaintKpis, counts_by
from data.queries.filters import ComplaintFilter
from data.queries.snapshot import city_snapshot
from data.timebuckets import hours_between, wib_week

DAY = timedelta(hours=24)


@dataclass(frozen=True)
class ComplaintPeriod:
    """Complaints over a window: received, closed, closed within SLA and the median time to close."""

    received: int
    closed: int
    closed_within_sla: int
    median_close_h: float | None

    @property
    def within_sla_pct(self) -> float | None:
        return 100.0 * self.closed_within_sla / self.closed if self.closed else None


@dataclass(frozen=True)
class DailyBriefing:
    now: datetime
    score: float | None
    dimensions: list[DimensionScore]
    top: list[MeasureScore]
    bottom: list[MeasureScore]
    kpis: ComplaintKpis
    last_24h: ComplaintPeriod
    top_categories: pd.DataFrame
    alerts: pd.DataFrame
    incidents: pd.DataFrame
    sensors_over: pd.DataFrame
    coverage: CoverageSummary


@dataclass(frozen=True)
class Assessment:
    start: datetime
    end: datetime
    dimensions: list[DimensionScore]
    weekly: pd.DataFrame  # week, dimension, score
    complaints: ComplaintPeriod
    complaints_weekly: pd.DataFrame  # week, received, closed, within_sla_pct
    coverage: CoverageSummary
    coverage_history: pd.DataFrame


def complaint_period(engine: Engine, start: datetime, end: datetime) -> ComplaintPeriod:
    """Received and closed in [start, end), how many closed by their due time, and the median hours to close."""
    closed_in = [Complaint.closed_at >= start, Complaint.closed_at < end]
    close_h = hours_between(Complaint.requested_at, Complaint.closed_at)
    with engine.connect() as conn:
        received = conn.execute(
            select(func.count()).where(Complaint.requested_at >= start, Complaint.requested_at < end)
        ).scalar()
        closed, within = conn.execute(
            select(func.count(), func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0))).where(
                *closed_in
            )
        ).one()
        median = None
        if closed:
            median = conn.execute(
                select(close_h).where(*closed_in).order_by(close_h).offset((int(closed) - 1) // 2).limit(1)
            ).scalar()
    return ComplaintPeriod(int(received or 0), int(closed or 0), int(within or 0),
                           float(median) if median is not None else None)  # fmt: skip


def sensors_over_threshold(engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Sensors whose hourly peak reached their warning level in the window, worst first (from the rollup)."""
    peak = func.max(ObservationHourly.max_value)
    stmt = (
        select(
            Sensor.id,
            Sensor.name,
            Sensor.kind,
            Sensor.unit,
            Sensor.district_code,
            peak.label("peak"),
            Sensor.warning_threshold,
            Sensor.danger_threshold,
        )  # fmt: skip
        .join(ObservationHourly, ObservationHourly.sensor_id == Sensor.id)
        .where(ObservationHourly.hour >= start, ObservationHourly.hour < end, Sensor.warning_threshold.is_not(None))
        .group_by(
            Sensor.id,
            Sensor.name,
            Sensor.kind,
            Sensor.unit,
            Sensor.district_code,
            Sensor.warning_threshold,
            Sensor.danger_threshold,
        )  # fmt: skip
        .having(peak >= Sensor.warning_threshold)
    )
    cols = ["id", "name", "kind", "unit", "district_code", "peak", "warning_threshold", "danger_threshold"]
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt), cols)
    frame["level"] = ["danger" if d is not None and p >= d else "warning"
                      for p, d in zip(frame["peak"], frame["danger_threshold"], strict=True)]  # fmt: skip
    frame["ratio"] = frame["peak"] / frame["warning_threshold"]
    return frame.sort_values(["level", "ratio"], ascending=[True, False]).reset_index(drop=True)


def _opened_between(
    engine: Engine, table: str, columns: tuple[str, ...], start: datetime, end: datetime
) -> pd.DataFrame:
    """Alerts or incidents opened in the window (empty when the alerts module has no tables in this store)."""
    if not inspect(engine).has_table(table):
        return pd.DataFrame(columns=list(columns))
    from data.alerts.models import Alert, Incident

    model = Alert if table == "alerts" else Incident
    severity_rank = case((model.severity == "danger", 0), else_=1)
    stmt = (
        select(*(getattr(model, c) for c in columns))
        .where(model.opened_at >= start, model.opened_at < end)
        .order_by(severity_rank, model.opened_at.desc())
    )
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), list(columns))


def daily_briefing(engine: Engine, now: datetime, targets_path: Path) -> DailyBriefing:
    """The leaders' page for the 24 hours up to `now`."""
    snap = city_snapshot(engine, now, targets_path)
    top, bottom = ranked(snap.measures, 3)
    start = now - DAY
    return DailyBriefing(
        now=now,
        score=snap.score,
        dimensions=dimension_scores(snap.measures, snap.service_health, load_measures(targets_path)),
        top=top,
        bottom=bottom,
        kpis=snap.complaints,
        last_24h=complaint_period(engine, start, now),
        top_categories=counts_by(engine, ComplaintFilter(start=start, end=now), "category").head(5),
        alerts=_opened_between(
            engine, "alerts", ("severity", "title", "district_code", "opened_at", "status"), start, now
        ),  # fmt: skip
        incidents=_opened_between(
            engine, "incidents", ("id", "severity", "title", "district_code", "opened_at", "status"), start, now
        ),  # fmt: skip
        sensors_over=sensors_over_threshold(engine, start, now),
        coverage=coverage_summary(engine),
    )


def service_period(engine: Engine, start: datetime, end: datetime, by_week: bool = False) -> pd.DataFrame:
    """Per connected service (and WIB week): transaction-weighted availability and mean satisfaction."""
    weight = (
        func.max(ServiceMetric.transactions, 1)
        if engine.dialect.name == "sqlite"
        else func.greatest(ServiceMetric.transactions, 1)
    )
    keys = [Service.code, Service.dimension] + ([wib_week(ServiceMetric.period_start).label("week")] if by_week else [])
    stmt = (
        select(
            *keys,
            (func.sum(ServiceMetric.availability_pct * weight) / func.sum(weight)).label("availability_pct"),
            func.sum(ServiceMetric.transactions).label("transactions"),
            func.avg(ServiceMetric.satisfaction).label("satisfaction"),
        )  # fmt: skip
        .join(ServiceMetric, ServiceMetric.service_id == Service.id)
        .where(ServiceMetric.period_start >= start, ServiceMetric.period_start < end)
        .group_by(*keys)
    )
    cols = ["code", "dimension"] + (["week"] if by_week else []) + ["availability_pct", "transactions", "satisfaction"]
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), cols)


def complaints_weekly(engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Per WIB week of closing: complaints closed and the share closed within SLA; and received per week."""
    week = wib_week(Complaint.closed_at).label("week")
    closed = (
        select(
            week,
            func.count().label("closed"),
            func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0)).label("within"),
        )  # fmt: skip
        .where(Complaint.closed_at >= start, Complaint.closed_at < end)
        .group_by(week)
    )
    rweek = wib_week(Complaint.requested_at).label("week")
    received = (
        select(rweek, func.count().label("received"))
        .where(Complaint.requested_at >= start, Complaint.requested_at < end)
        .group_by(rweek)
    )
    with engine.connect() as conn:
        c = frame_of(conn.execute(closed), ["week", "closed", "within"])
        r = frame_of(conn.execute(received), ["week", "received"])
    frame = r.merge(c, on="week", how="outer").fillna(0).sort_values("week").reset_index(drop=True)
    frame["within_sla_pct"] = (100.0 * frame["within"] / frame["closed"].where(frame["closed"] > 0)).round(1)
    return frame[["week", "received", "closed", "within_sla_pct"]]


def assessment(engine: Engine, start: datetime, end: datetime, targets_path: Path) -> Assessment:
    """The period's dimensions (complaint and service measures over the period), weekly trend, SLA and coverage."""
    measures = load_measures(targets_path)
    period = complaint_period(engine, start, end)
    actuals = {"sla_pct": period.within_sla_pct, "median_close_h": period.median_close_h}
    scores = score_measures(tuple(m for m in measures if m.key in actuals), actuals)
    dims = dimension_scores(scores, service_period(engine, start, end), measures)
    weekly_c = complaints_weekly(engine, start, end)
    weekly_s = service_period(engine, start, end, by_week=True)
    sla_by_week = dict(zip(weekly_c["week"], weekly_c["within_sla_pct"], strict=True))
    rows = []
    for week in sorted(set(weekly_s["week"]) | set(sla_by_week)):
        sla = sla_by_week.get(week)
        week_scores = score_measures(tuple(m for m in measures if m.key == "sla_pct"),
                                     {"sla_pct": None if pd.isna(sla) else sla})  # fmt: skip
        for d in dimension_scores(week_scores, weekly_s[weekly_s["week"] == week], measures):
            rows.append({"week": week, "dimension": d.dimension, "score": d.score})
    months = max(1, (end.year - start.year) * 12 + end.month - start.month + 1)
    history = coverage_by_month(engine, end, months)
    return Assessment(start, end, dims, pd.DataFrame(rows, columns=["week", "dimension", "score"]), period,
                      weekly_c, coverage_summary(engine), history)  # fmt: skip


__all__ = ["Assessment", "ComplaintPeriod", "DailyBriefing", "assessment", "city_dimensions", "daily_briefing"]
