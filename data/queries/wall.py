"""The wall's figures: KPIs at a moment (now, a day ago, a week ago), daily series for sparklines, map layers.

Every figure is one aggregation in the database returning a few rows; the wall's tiles, map and
ticker are built from these small frames and never load a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, inspect, or_, select

from data.cityscore import MeasureScore, city_score, load_measures, score_measures
from data.models import Complaint, District, Observation, Sensor, ServiceMetric
from data.queries.complaints import (
    CLOSE_WINDOW_DAYS,
    OPEN_STATUSES,
    _count,
    _quantiles,
    any_of_indexed,
    open_by_district,
)
from data.queries.filters import ComplaintFilter
from data.queries.sensors import OFFLINE_AFTER_INTERVALS
from data.queries.snapshot import _population, city_snapshot
from data.store import data_versions
from data.timebuckets import hours_between, wib_day, wib_midnight_utc, wib_today

SPARK_DAYS = 14
MAP_COMPLAINT_HOURS = 72
MAP_COMPLAINT_LIMIT = 20_000
ONLINE_LOOKBACK = timedelta(hours=12)  # wider than any network's offline window


def open_at(moment: datetime) -> object:
    """Complaints open at `moment`: received by then and not closed by then (history, not today's status)."""
    return and_(
        Complaint.requested_at <= moment,
        any_of_indexed(
            lambda c: c.c.closed_at.is_(None), lambda c: c.c.closed_at > moment, lambda c: c.c.status.in_(OPEN_STATUSES)
        ),
    )


def complaint_figures_at(engine: Engine, moment: datetime, district: str | None = None) -> dict[str, float | None]:
    """The complaint tiles as they stood at `moment` (naive UTC), so today compares with yesterday at this hour."""
    base = ComplaintFilter.for_district(district).clauses(include_time=False)
    day_start = wib_midnight_utc(wib_today(moment))
    window = [Complaint.closed_at >= moment - timedelta(days=CLOSE_WINDOW_DAYS), Complaint.closed_at <= moment, *base]
    still_open = open_at(moment)
    with engine.connect() as conn:
        backlog = _count(conn, still_open, *base)
        late = _count(conn, still_open, Complaint.due_at < moment, *base)
        received = _count(conn, Complaint.requested_at >= day_start, Complaint.requested_at <= moment, *base)
        closed = _count(conn, Complaint.closed_at >= day_start, Complaint.closed_at <= moment, *base)
        total, within = conn.execute(
            select(func.count(), func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0)))
            .select_from(Complaint)
            .where(*window)
        ).one()
        median_h, p90_h = _quantiles(
            conn, hours_between(Complaint.requested_at, Complaint.closed_at), window, (0.5, 0.9)
        )
        (age_h,) = _quantiles(conn, hours_between(Complaint.requested_at, moment), [still_open, *base], (0.5,))
    return {
        "open_backlog": float(backlog),
        "late_open": float(late),
        "backlog_median_age_h": age_h,
        "received_today": float(received),
        "closed_today": float(closed),
        "within_sla": (100.0 * within / total) if total else None,
        "median_close_h": median_h,
        "p90_close_h": p90_h,
    }


def sensors_online_at(engine: Engine, moment: datetime, district: str | None = None) -> float | None:
    """% of active sensors that had reported within their offline window (3 expected intervals) at `moment`."""
    newest = (
        select(Sensor.id, Sensor.expected_interval_s, func.max(Observation.observed_at).label("last"))
        .join(Observation, and_(Observation.sensor_id == Sensor.id, Observation.observed_at <= moment,
                                Observation.observed_at > moment - ONLINE_LOOKBACK), isouter=True)
        .where(Sensor.active.is_(True))
        .group_by(Sensor.id, Sensor.expected_interval_s)
    )  # fmt: skip
    if district:
        newest = newest.where(Sensor.district_code == district)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(newest).all(), columns=["id", "interval", "last"])
    if frame.empty:
        return None
    age = (pd.Timestamp(moment) - pd.to_datetime(frame["last"])).dt.total_seconds()
    online = age.notna() & (age <= OFFLINE_AFTER_INTERVALS * frame["interval"].fillna(600))
    return 100.0 * float(online.mean())


def service_daily(engine: Engine, start: datetime, end: datetime) -> pd.DataFrame:
    """Per WIB day: transaction-weighted availability and mean satisfaction of all services."""
    day = wib_day(ServiceMetric.period_start).label("day")
    weight = (
        func.max(ServiceMetric.transactions, 1)
        if engine.dialect.name == "sqlite"
        else func.greatest(ServiceMetric.transactions, 1)
    )
    stmt = (
        select(
            day,
            (func.sum(ServiceMetric.availability_pct * weight) / func.sum(weight)).label("availability"),
            func.avg(ServiceMetric.satisfaction).label("satisfaction"),
        )
        .where(ServiceMetric.period_start >= start, ServiceMetric.period_start < end)
        .where(ServiceMetric.availability_pct.is_not(None))
        .group_by(day)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=["day", "availability", "satisfaction"])


def daily_series(engine: Engine, now: datetime, district: str | None = None, days: int = SPARK_DAYS) -> pd.DataFrame:
    """One row per WIB day of the last `days` (today last): received, closed, backlog at day end, SLA %,
    median and P90 hours to close of that day's closures, service availability and satisfaction."""
    first_day = wib_today(now) - timedelta(days=days - 1)
    start = wib_midnight_utc(first_day)
    base = ComplaintFilter.for_district(district).clauses(include_time=False)
    recv_day = wib_day(Complaint.requested_at).label("day")
    close_day = wib_day(Complaint.closed_at).label("day")
    close_h = func.round(hours_between(Complaint.requested_at, Complaint.closed_at)).label("h")
    closed_in = [Complaint.closed_at >= start, Complaint.closed_at <= now, *base]
    with engine.connect() as conn:
        before = _count(conn, open_at(start), *base)
        received = conn.execute(
            select(recv_day, func.count())
            .where(Complaint.requested_at >= start, Complaint.requested_at <= now, *base)
            .group_by(recv_day)
        ).all()
        closed = conn.execute(
            select(close_day, func.count(), func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0)))
            .where(*closed_in)
            .group_by(close_day)
        ).all()
        hist = conn.execute(
            select(close_day, close_h, func.count()).where(*closed_in).group_by(close_day, close_h)
        ).all()
    index = [str(first_day + timedelta(days=i)) for i in range(days)]
    frame = pd.DataFrame(index=pd.Index(index, name="day"))
    frame["received"] = pd.Series(dict(received), dtype=float).reindex(index).fillna(0)
    closed_frame = pd.DataFrame(closed, columns=["day", "n", "within"]).set_index("day").reindex(index)
    frame["closed"] = closed_frame["n"].fillna(0).astype(float)
    frame["backlog"] = before + frame["received"].cumsum() - frame["closed"].cumsum()
    frame["sla_pct"] = 100.0 * closed_frame["within"] / closed_frame["n"]
    quant = _weighted_quantiles(pd.DataFrame(hist, columns=["day", "h", "n"]))
    frame["median_close_h"] = quant["q50"].reindex(index)
    frame["p90_close_h"] = quant["q90"].reindex(index)
    services = service_daily(engine, start, now + timedelta(seconds=1)).set_index("day").reindex(index)
    frame["availability"] = services["availability"]
    frame["satisfaction"] = services["satisfaction"]
    return frame


def _weighted_quantiles(hist: pd.DataFrame) -> pd.DataFrame:
    """Median and P90 per day from a (day, rounded hours, count) histogram."""
    rows = {}
    for day, group in hist.dropna().groupby("day"):
        group = group.sort_values("h")
        cum = group["n"].cumsum().to_numpy() / group["n"].sum()
        hours = group["h"].to_numpy(dtype=float)
        rows[day] = {
            "q50": hours[np.searchsorted(cum, 0.5)],
            "q90": hours[min(len(hours) - 1, np.searchsorted(cum, 0.9))],
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["q50", "q90"])


def district_names(engine: Engine) -> dict[str, str]:
    """Kecamatan code -> name (a few rows), for titles and for checking a district given in a URL."""
    with engine.connect() as conn:
        return dict(conn.execute(select(District.code, District.name).order_by(District.code)).all())


def has_alerts(engine: Engine) -> bool:
    """Whether the alerts feature's tables exist in this store (the wall works without them)."""
    return inspect(engine).has_table("alerts")


def active_alerts_at(engine: Engine, moment: datetime, district: str | None = None) -> dict[str, int]:
    """Alerts live at `moment` (opened by then, resolved later or not at all), by severity."""
    if not has_alerts(engine):
        return {"total": 0, "danger": 0, "warning": 0}
    from data.alerts.models import Alert

    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((Alert.severity == "danger", 1), else_=0)), 0),
        func.coalesce(func.sum(case((Alert.severity == "warning", 1), else_=0)), 0),
    ).where(Alert.opened_at <= moment, or_(Alert.resolved_at.is_(None), Alert.resolved_at > moment))
    if district:
        stmt = stmt.where(Alert.district_code == district)
    with engine.connect() as conn:
        total, danger, warning = conn.execute(stmt).one()
    return {"total": int(total), "danger": int(danger), "warning": int(warning)}


def ticker_alerts(engine: Engine, now: datetime, district: str | None = None, limit: int = 12) -> pd.DataFrame:
    """The newest live alerts for the ticker (empty frame when the alerts feature is absent)."""
    columns = ["id", "severity", "title", "district_code", "opened_at", "status"]
    if not has_alerts(engine):
        return pd.DataFrame(columns=columns)
    from data.alerts.queries import active_alerts

    return active_alerts(engine, now, district).head(limit)[columns]


def takeover(engine: Engine, now: datetime) -> dict | None:
    """The danger alert that takes over the playlist, or None."""
    if not has_alerts(engine):
        return None
    from data.alerts.queries import takeover_alert

    return takeover_alert(engine, now)


def district_map_measures(engine: Engine, now: datetime) -> pd.DataFrame:
    """Per kecamatan: open complaints, per 10,000 residents, SLA breaches (open past due) and live alerts."""
    shapes = select(District.code, District.centroid_lat, District.centroid_lon, District.geometry)
    with engine.connect() as conn:
        places = pd.DataFrame(conn.execute(shapes).mappings().all())
    frame = open_by_district(engine, now).merge(places, on="code", how="left")
    alerts = _alerts_by_district(engine, now)
    frame["alerts"] = frame["code"].map(alerts).fillna(0).astype(int)
    return frame


def _alerts_by_district(engine: Engine, now: datetime) -> dict[str, int]:
    if not has_alerts(engine):
        return {}
    from data.alerts.models import Alert

    stmt = (
        select(Alert.district_code, func.count())
        .where(Alert.status.in_(("open", "acknowledged")), Alert.opened_at <= now)
        .group_by(Alert.district_code)
    )
    with engine.connect() as conn:
        return {code: int(n) for code, n in conn.execute(stmt).all() if code}


def recent_complaint_points(
    engine: Engine, now: datetime, hours: int = MAP_COMPLAINT_HOURS, district: str | None = None
) -> pd.DataFrame:
    """Where complaints were received in the last `hours` (lat, lon only: the heat layer needs no more)."""
    stmt = (
        select(Complaint.lat, Complaint.lon)
        .where(Complaint.requested_at > now - timedelta(hours=hours), Complaint.requested_at <= now)
        .where(Complaint.lat.is_not(None), Complaint.lon.is_not(None))
        .order_by(Complaint.requested_at.desc())
        .limit(MAP_COMPLAINT_LIMIT)
    )
    if district:
        stmt = stmt.where(Complaint.district_code == district)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=["lat", "lon"])


def map_data_version(engine: Engine) -> tuple[int, int, int]:
    """The versions the map depends on; when none moved, the map is not even queried."""
    versions = data_versions(engine)
    return versions.get("complaints", 0), versions.get("observations", 0), versions.get("alerts", 0)


@dataclass(frozen=True)
class KpiBoard:
    """Everything the KPI tiles show: figures now, a day and a week earlier, daily series, the City Score."""

    now: dict[str, float | None]
    day_ago: dict[str, float | None]
    week_ago: dict[str, float | None]
    series: pd.DataFrame
    measures: list[MeasureScore]
    score: float | None


def kpi_board(engine: Engine, now: datetime, targets_path: Path, district: str | None = None) -> KpiBoard:
    """The wall's KPI tiles for the city or one kecamatan, with their comparisons and sparklines."""
    snap = city_snapshot(engine, now, targets_path, district)
    series = daily_series(engine, now, district)
    population = _population(engine, district)
    series["city_score"] = daily_city_score(series, targets_path, population)
    measures = load_measures(targets_path)
    current = {m.measure.key: m.actual for m in snap.measures}
    figures = []
    for moment in (now, now - timedelta(days=1), now - timedelta(days=7)):
        values = complaint_figures_at(engine, moment, district)
        values["sensors_online"] = sensors_online_at(engine, moment, district)
        alerts = active_alerts_at(engine, moment, district)
        values["active_alerts"] = float(alerts["total"])
        values["alerts_danger"], values["alerts_warning"] = float(alerts["danger"]), float(alerts["warning"])
        day = str(wib_today(moment))
        values["service_availability"] = _at(series, day, "availability")
        actuals = past_actuals(values, series, day, population, current)
        values["city_score"] = city_score(score_measures(measures, actuals))
        figures.append(values)
    figures[0]["sensors_online"] = snap.sensors_online_pct
    figures[0]["service_availability"] = _measure(snap.measures, "service_availability")
    figures[0]["city_score"] = snap.score
    return KpiBoard(figures[0], figures[1], figures[2], series, snap.measures, snap.score)


def past_actuals(
    values: dict[str, float | None], series: pd.DataFrame, day: str, population: int, current: dict[str, float | None]
) -> dict[str, float | None]:
    """The City Score measures as they stood at an earlier moment; measures with no stored history
    (mean PM2.5, river gauges normal) keep their current value, so the change reflects what moved."""
    backlog, received = values.get("open_backlog") or 0.0, values.get("received_today") or 0.0
    return {
        **current,
        "sla_pct": values.get("within_sla"),
        "median_close_h": values.get("median_close_h"),
        "open_per_10k": backlog * 10_000 / population if population else None,
        "late_pct": 100.0 * (values.get("late_open") or 0.0) / backlog if backlog else None,
        "clearance_rate": (values.get("closed_today") or 0.0) / received if received else None,
        "service_availability": values.get("service_availability"),
        "service_satisfaction": _at(series, day, "satisfaction"),
        "sensors_online_pct": values.get("sensors_online"),
    }


def _at(series: pd.DataFrame, day: str, column: str) -> float | None:
    if day not in series.index:
        return None
    value = series.at[day, column]
    return None if pd.isna(value) else float(value)


def _measure(measures: list[MeasureScore], key: str) -> float | None:
    return next((m.actual for m in measures if m.measure.key == key), None)


def daily_city_score(series: pd.DataFrame, targets_path: Path, population: int) -> pd.Series:
    """The City Score of each past day from the measures that have a history (complaints and services).

    Sensor measures have no stored daily state, so the daily line leaves them out; today's tile value
    is the full score of every measure.
    """
    measures = load_measures(targets_path)
    out = []
    for _, row in series.iterrows():
        actuals = {
            "sla_pct": _num(row["sla_pct"]),
            "median_close_h": _num(row["median_close_h"]),
            "open_per_10k": row["backlog"] * 10_000 / population if population else None,
            "clearance_rate": row["closed"] / row["received"] if row["received"] else None,
            "service_availability": _num(row["availability"]),
            "service_satisfaction": _num(row["satisfaction"]),
        }
        out.append(city_score(score_measures(measures, actuals)))
    return pd.Series(out, index=series.index, dtype=float)


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
