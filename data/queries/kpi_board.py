"""The wall's KPI board: figures now, a day and a week earlier, and 14-day sparklines.

Each part names the data it reads, so a caller's memo recomputes only what new data can have changed.
The comparison moments sit on a 10-minute grid and the sparkline's past days end at midnight: neither
moves when a reading or a complaint arrives, so a refresh after new data costs only today's figures
(bench/: the board went from ~0.7-1.2 s a refresh at 1M complaints to the cost of today's queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.engine import Connection

from data.cityscore import MeasureScore, city_score, load_measures, score_measures
from data.complaint_rollups import HISTORY, HISTORY_COUNTS, hour_of
from data.frames import frame_of
from data.memo import SETTLED_TTL_S, Memo, Unkeyed, no_memo
from data.models import COMPLAINT_STATUSES, Complaint, Observation, Sensor, ServiceMetric
from data.queries import complaint_flows as flows
from data.queries.closures import closing_performance
from data.queries.complaints import OPEN_STATUSES, _count, _quantiles, any_of_indexed
from data.queries.filters import ComplaintFilter
from data.queries.sensors import OFFLINE_AFTER_INTERVALS
from data.queries.snapshot import city_snapshot
from data.queries.wall import has_alerts
from data.timebuckets import hours_between, wib_day, wib_midnight_utc, wib_today

SPARK_DAYS = 14
ONLINE_LOOKBACK = timedelta(hours=12)  # wider than any network's offline window
COMPARISON_GRID = timedelta(minutes=10)  # "a day ago" means a day ago to the ten minutes


def comparison_moment(now: datetime, back: timedelta) -> datetime:
    """`back` before `now`, floored to the comparison grid so every refresh within ten minutes shares it."""
    moment = now - back
    step = int(COMPARISON_GRID.total_seconds())
    return moment - timedelta(seconds=int(moment.timestamp()) % step, microseconds=moment.microsecond)


def open_at(moment: datetime) -> object:
    """Complaints open at `moment`: received by then and not closed by then (history, not today's status)."""
    return and_(
        Complaint.requested_at <= moment,
        any_of_indexed(
            lambda c: c.c.closed_at.is_(None), lambda c: c.c.closed_at > moment, lambda c: c.c.status.in_(OPEN_STATUSES)
        ),
    )


def open_and_late_at(conn: Connection, moment: datetime, flt: ComplaintFilter) -> tuple[int, int]:
    """How many complaints were open at `moment` as `open_at` counts them, and how many of those were past their
    due time, under a kecamatan filter: the history rollup's whole hours before the moment's hour
    (data/complaint_rollups.py `ComplaintHistoryHours`), then the rows whose latest relevant time falls in that
    hour, through the time indexes. Open = received - settled (closed for good by then), late = due - settled_due.
    """
    h = HISTORY.c
    current = hour_of(moment)
    sums = [func.coalesce(func.sum(h[c]), 0) for c in HISTORY_COUNTS]
    received, settled, due, settled_due = (
        int(v) for v in conn.execute(select(*sums).where(h.hour < current, *flows.rollup_clauses(HISTORY, flt))).one()
    )
    base = flt.clauses(include_time=False)

    def in_this_hour(*names: str, settled: bool = False, late: bool = False) -> object:
        """Rows counted by the history columns whose latest time falls in [current, moment]: any of these
        times in that range, each branch through its own index with every condition inside it (beside an
        outer status or time condition, SQLite walks a whole index instead of the few ids)."""

        def branch(name: str) -> object:
            def condition(c: object) -> object:
                # (status, requested_at) and (status, due_at) answer their branches; the closures' branch must
                # take the closed_at index, so its status test is written so no index can answer it
                status_column = c.c.status + "" if name == "closed_at" else c.c.status
                status = status_column == "closed" if settled else status_column.in_(COMPLAINT_STATUSES)
                terms = [status, c.c[name] >= current, c.c[name] <= moment, c.c.requested_at <= moment]
                terms += [c.c.closed_at <= moment] if settled else []
                terms += [c.c.due_at < moment] if late else []
                return and_(*terms)

            return condition

        return any_of_indexed(*(branch(name) for name in names))

    received += _count(conn, Complaint.requested_at >= current, Complaint.requested_at <= moment, *base)
    settled += _count(conn, in_this_hour("requested_at", "closed_at", settled=True), *base)
    due += _count(conn, in_this_hour("requested_at", "due_at", late=True), *base)
    settled_due += _count(conn, in_this_hour("requested_at", "closed_at", "due_at", settled=True, late=True), *base)
    return received - settled, due - settled_due


def complaint_figures_at(engine: Engine, moment: datetime, district: str | None = None) -> dict[str, float | None]:
    """The complaint tiles as they stood at `moment` (naive UTC), so today compares with yesterday at this hour."""
    flt = ComplaintFilter.for_district(district)
    base = flt.clauses(include_time=False)
    day_start = wib_midnight_utc(wib_today(moment))
    still_open = open_at(moment)
    with engine.connect() as conn:
        backlog, late = open_and_late_at(conn, moment, flt)  # the rollups: cost flat in complaints per day
        today = flows.flow_between(conn, day_start, moment, flt)
        received, closed = today.received, today.closed
        age = hours_between(Complaint.requested_at, moment)
        (age_h,) = _quantiles(conn, age, [still_open, *base], (0.5,), n=backlog)
    closing = closing_performance(engine, moment, flt)
    return {
        "open_backlog": float(backlog),
        "late_open": float(late),
        "backlog_median_age_h": age_h,
        "received_today": float(received),
        "closed_today": float(closed),
        "within_sla": closing.within_sla_pct,
        "median_close_h": closing.median_h,
        "p90_close_h": closing.p90_h,
    }


def sensors_online_at(engine: Engine, moment: datetime, district: str | None = None) -> float | None:
    """% of active sensors that had reported within their offline window (3 expected intervals) at `moment`.

    Each sensor's newest reading before `moment` is one seek on the (sensor_id, observed_at) key, so
    the cost does not grow with how often sensors report."""
    last = (
        select(func.max(Observation.observed_at))
        .where(Observation.sensor_id == Sensor.id, Observation.observed_at <= moment,
               Observation.observed_at > moment - ONLINE_LOOKBACK)
        .scalar_subquery()
    )  # fmt: skip
    newest = select(Sensor.id, Sensor.expected_interval_s, last.label("last")).where(Sensor.active.is_(True))
    if district:
        newest = newest.where(Sensor.district_code == district)
    with engine.connect() as conn:
        frame = frame_of(conn.execute(newest), ["id", "interval", "last"])
    if frame.empty:
        return None
    age = (pd.Timestamp(moment) - pd.to_datetime(frame["last"])).dt.total_seconds()
    online = age.notna() & (age <= OFFLINE_AFTER_INTERVALS * frame["interval"].fillna(600))
    return 100.0 * float(online.mean())


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


def figures_at(engine: Engine, moment: datetime, district: str | None = None) -> dict[str, float | None]:
    """Every tile's stored figure at an earlier moment: complaints, sensors online, live alerts."""
    values = complaint_figures_at(engine, moment, district)
    values["sensors_online"] = sensors_online_at(engine, moment, district)
    alerts = active_alerts_at(engine, moment, district)
    values["active_alerts"] = float(alerts["total"])
    values["alerts_danger"], values["alerts_warning"] = float(alerts["danger"]), float(alerts["warning"])
    return values


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
        return frame_of(conn.execute(stmt), ["day", "availability", "satisfaction"])


def daily_flows(engine: Engine, first_day: date, days: int, end: datetime, district: str | None = None) -> pd.DataFrame:
    """Per WIB day from `first_day` for `days` days, up to `end`: received, closed, closed within SLA,
    median and P90 hours to close of that day's closures, service availability and satisfaction."""
    start = wib_midnight_utc(first_day)
    flt = ComplaintFilter.for_district(district)
    base = flt.clauses(include_time=False)
    close_day = wib_day(Complaint.closed_at).label("day")
    close_h = func.round(hours_between(Complaint.requested_at, Complaint.closed_at)).label("h")
    closed_in = [Complaint.closed_at >= start, Complaint.closed_at <= end, *base]
    with engine.connect() as conn:
        counts = flows.daily_flow(conn, start, end, flt)  # the rollups
        # the hours each closure took, for exact median and P90: read per record from the closures' covering index
        hist = conn.execute(
            select(close_day, close_h, func.count()).where(*closed_in).group_by(close_day, close_h)
        ).all()
    index = pd.Index([str(first_day + timedelta(days=i)) for i in range(days)], name="day")
    frame = pd.DataFrame(index=index)
    counts = counts.reindex(index)
    frame["received"] = counts["received"].fillna(0)
    frame["closed"] = counts["closed"].fillna(0)
    frame["within"] = counts["within"].where(frame["closed"] > 0)
    quant = _weighted_quantiles(pd.DataFrame(hist, columns=["day", "h", "n"]))
    frame["median_close_h"] = quant["q50"].reindex(index)
    frame["p90_close_h"] = quant["q90"].reindex(index)
    services = service_daily(engine, start, end + timedelta(seconds=1)).set_index("day").reindex(index)
    frame["availability"] = services["availability"]
    frame["satisfaction"] = services["satisfaction"]
    return frame


def open_count_at(engine: Engine, moment: datetime, district: str | None = None) -> int:
    """How many complaints were open at `moment` (the backlog a series starts from)."""
    with engine.connect() as conn:
        return open_and_late_at(conn, moment, ComplaintFilter.for_district(district))[0]


def daily_series(
    engine: Engine, now: datetime, district: str | None = None, days: int = SPARK_DAYS, memo: Memo = no_memo
) -> pd.DataFrame:
    """One row per WIB day of the last `days` (today last): received, closed, backlog at day end, SLA %,
    median and P90 hours to close of that day's closures, service availability and satisfaction.

    The days before today are final once midnight has passed, so they are remembered apart from today's row."""
    today = wib_today(now)
    first_day = today - timedelta(days=days - 1)
    past = memo((), daily_flows, engine, first_day, days - 1, wib_midnight_utc(today), district, ttl_s=SETTLED_TTL_S)
    before = memo((), open_count_at, engine, wib_midnight_utc(first_day), district, ttl_s=SETTLED_TTL_S)
    current = memo(("complaints", "services"), daily_flows, engine, today, 1, Unkeyed(now), district)
    frame = pd.concat([past, current])
    frame["backlog"] = before + frame["received"].cumsum() - frame["closed"].cumsum()
    frame["sla_pct"] = 100.0 * frame["within"] / frame["closed"].replace(0, np.nan)
    return frame.drop(columns="within")


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


@dataclass(frozen=True)
class KpiBoard:
    """Everything the KPI tiles show: figures now, a day and a week earlier, daily series, the City Score."""

    now: dict[str, float | None]
    day_ago: dict[str, float | None]
    week_ago: dict[str, float | None]
    series: pd.DataFrame
    measures: list[MeasureScore]
    score: float | None


def kpi_board(
    engine: Engine, now: datetime, targets_path: Path, district: str | None = None, memo: Memo = no_memo
) -> KpiBoard:
    """The wall's KPI tiles for the city or one kecamatan, with their comparisons and sparklines."""
    snap = city_snapshot(engine, now, targets_path, district, memo)
    series = daily_series(engine, now, district, memo=memo)
    population = snap.population
    series["city_score"] = daily_city_score(series, targets_path, population)
    measures = load_measures(targets_path)
    current = {m.measure.key: m.actual for m in snap.measures}
    alerts = memo(("alerts",), active_alerts_at, engine, Unkeyed(now), district)
    kpis = snap.complaints
    figures = [
        {
            "open_backlog": float(kpis.open_backlog),
            "late_open": float(kpis.late_open),
            "backlog_median_age_h": kpis.backlog_median_age_h,
            "received_today": float(kpis.received_today),
            "closed_today": float(kpis.closed_today),
            "within_sla": kpis.closed_within_sla_pct,
            "median_close_h": kpis.median_close_h,
            "p90_close_h": kpis.p90_close_h,
            "sensors_online": snap.sensors_online_pct,
            "active_alerts": float(alerts["total"]),
            "alerts_danger": float(alerts["danger"]),
            "alerts_warning": float(alerts["warning"]),
            "service_availability": _measure(snap.measures, "service_availability"),
            "city_score": snap.score,
        }
    ]
    for back in (timedelta(days=1), timedelta(days=7)):
        moment = comparison_moment(now, back)
        values = dict(past_figures(engine, moment, district, memo))  # the memo's copy stays as computed
        day = str(wib_today(moment))
        values["service_availability"] = _at(series, day, "availability")
        actuals = past_actuals(values, series, day, population, current)
        values["city_score"] = city_score(score_measures(measures, actuals))
        figures.append(values)
    return KpiBoard(figures[0], figures[1], figures[2], series, snap.measures, snap.score)


def past_figures(engine: Engine, moment: datetime, district: str | None, memo: Memo = no_memo) -> dict:
    """`figures_at` a comparison moment, under the key the board and its keeper share. Remembered for the
    settled time plus one grid step: the keeper computes a moment up to a step before its slot starts, and the
    figures must last through the slot (late history shows within twenty minutes)."""
    ttl_s = SETTLED_TTL_S + COMPARISON_GRID.total_seconds()
    return memo((), figures_at, engine, moment, district, ttl_s=ttl_s)


def upcoming_comparisons(engine: Engine, now: datetime, memo: Memo, district: str | None = None) -> None:
    """Compute the day- and week-ago figures of the next grid moment before any screen asks for them."""
    for back in (timedelta(days=1), timedelta(days=7)):
        past_figures(engine, comparison_moment(now + COMPARISON_GRID, back), district, memo)


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
