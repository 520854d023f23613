"""The analysts' charts: each one grouped query under the page's filter, returning a small frame.

Over time, by category and by channel reuse `data.queries.complaints` (an AnalystFilter is a
ComplaintFilter); the rest are here: by district (with the rate per 10,000 residents), time to close by
agency, the hour-by-weekday heatmap, backlog age and sensors against complaints.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, Select, case, func, select

from data.complaint_rollups import AGENCY_CLOSES, CLOSE_SPANS, close_span
from data.frames import frame_of
from data.models import Complaint, District, ObservationDaily, Sensor
from data.queries import complaint_flows as flows
from data.queries.analyst_filter import AnalystFilter
from data.queries.complaints import OPEN_STATUSES, counts_by, counts_over_time
from data.timebuckets import hours_between, wib_day, wib_day_start_utc, wib_hour, wib_week, wib_weekday

# (label, lower bound in hours inclusive, upper bound exclusive): the buckets of time to close and backlog age
CLOSE_BUCKETS = tuple(zip(("<1d", "1-3d", "3-7d", "7-14d", ">14d"), CLOSE_SPANS, (*CLOSE_SPANS[1:], None), strict=True))
AGE_BUCKETS = CLOSE_BUCKETS
SPAN_LABELS = {low: label for label, low, _ in CLOSE_BUCKETS}
NO_AGENCY = "—"
DEFAULT_SENSOR_KINDS = ("rainfall", "water_level")
DEFAULT_SENSOR_CATEGORIES = ("banjir",)

__all__ = [
    "backlog_age",
    "by_district",
    "close_by_agency",
    "counts_by",
    "counts_over_time",
    "hour_weekday",
    "sensor_vs_complaints",
]


def _bucket(expr: object, buckets: tuple) -> object:
    """The label of the bucket `expr` falls in; below the first bound or NULL counts as the first bucket.

    Each WHEN tests only its upper bound (the earlier ones failed), so the expression, a date difference
    the database recomputes at every mention, is evaluated at most once per bucket instead of twice.
    """
    whens = [(expr < high, label) for label, _, high in buckets if high is not None]
    last_label, last_low, _ = buckets[-1]
    return case(*whens, (expr >= last_low, last_label), else_=buckets[0][0])


def _frame(engine: Engine, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a frame with these column names."""
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), columns)


def by_district(engine: Engine, flt: AnalystFilter) -> pd.DataFrame:
    """Complaints per kecamatan within the filter (all 13 rows) and per 10,000 residents."""
    if flows.answers_per_hour(flt):  # the window's hours from the rollup, not its complaints
        hours = flows.received_per_hour(flt, "district_code")
        counts = select(hours.c.district_code.label("code"), func.sum(hours.c.n).label("n"))
        counts = counts.group_by(hours.c.district_code).subquery()
    else:
        counts = (
            select(Complaint.district_code.label("code"), func.count().label("n"))
            .where(*flt.clauses())
            .group_by(Complaint.district_code)
            .subquery()
        )
    stmt = (
        select(District.code, District.name, District.population, func.coalesce(counts.c.n, 0).label("n"))
        .join(counts, counts.c.code == District.code, isouter=True)
        .order_by(District.code)
    )
    frame = _frame(engine, stmt, ["code", "name", "population", "n"])
    frame["per_10k"] = frame["n"] * 10_000 / frame["population"]
    return frame


def close_by_agency(engine: Engine, flt: AnalystFilter) -> pd.DataFrame:
    """Per agency, complaints closed (of those received in the filter) by time-to-close bucket, and within SLA.
    A window of whole hours narrowed by nothing but agencies, WIB hours and weekdays of receipt reads the
    rollup of closures by hour of receipt; a narrower filter reads its (then fewer) rows."""
    if agency_rollup_answers(flt):
        a = AGENCY_CLOSES.c
        where = [a.hour >= flt.start, a.hour < flt.end]
        if flt.agencies:
            where.append(a.agency.in_(flt.agencies))
        local_hours, weekdays = flt.time_of_day()
        if local_hours:
            where.append(wib_hour(a.hour).in_(local_hours))
        if weekdays:
            where.append(wib_weekday(a.hour).in_(weekdays))
        agency, span = a.agency, a.span
        n, within = func.sum(a.closed), func.sum(a.closed_within_sla)
    else:
        agency, span = func.coalesce(Complaint.agency, ""), close_span(Complaint.requested_at, Complaint.closed_at)
        n, within = func.count(), func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0))
        where = [Complaint.closed_at.is_not(None), *flt.clauses()]
    stmt = select(agency, span, n, within).where(*where).group_by(agency, span)
    rows = _frame(engine, stmt, ["agency", "span", "n", "within"])
    rows = rows[rows["n"] > 0]
    out = pd.DataFrame(
        {
            "agency": [value or NO_AGENCY for value in rows["agency"]],
            "bucket": rows["span"].map(SPAN_LABELS),
            "n": rows["n"].astype(int),
            "within": rows["within"].fillna(0).astype(int),
        }
    )
    return out.groupby(["agency", "bucket"], as_index=False, sort=True)[["n", "within"]].sum()


def agency_rollup_answers(flt: AnalystFilter) -> bool:
    """Whether `complaints_agency_closes` carries every condition of `flt`."""
    narrowed = flt.districts or flt.subdistricts or flt.categories or flt.channels or flt.statuses
    return flows.whole_hour_window(flt) and not narrowed


def sla_by_agency(buckets: pd.DataFrame) -> pd.DataFrame:
    """% closed within SLA per agency from `close_by_agency`'s rows, lowest first."""
    if buckets.empty:
        return pd.DataFrame(columns=["agency", "closed", "within", "sla_pct"])
    out = buckets.groupby("agency", as_index=False)[["n", "within"]].sum().rename(columns={"n": "closed"})
    out["sla_pct"] = 100.0 * out["within"] / out["closed"]
    return out.sort_values("sla_pct").reset_index(drop=True)


def hour_weekday(engine: Engine, flt: AnalystFilter) -> pd.DataFrame:
    """Complaints received per WIB weekday (0 = Monday) and hour (from the hourly rollup when it answers)."""
    if flows.answers_per_hour(flt):
        hours = flows.received_per_hour(flt)
        wd, hr = wib_weekday(hours.c.hour).label("weekday"), wib_hour(hours.c.hour).label("hour")
        stmt = select(wd, hr, func.sum(hours.c.n)).group_by(wd, hr)
    else:
        wd, hr = wib_weekday(Complaint.requested_at).label("weekday"), wib_hour(Complaint.requested_at).label("hour")
        stmt = select(wd, hr, func.count().label("n")).where(*flt.clauses()).group_by(wd, hr)
    return _frame(engine, stmt, ["weekday", "hour", "n"])


def backlog_age(engine: Engine, flt: AnalystFilter, now: datetime) -> pd.DataFrame:
    """Complaints still open now (of those received in the filter) by age bucket, split late / not late."""
    age_h = hours_between(Complaint.requested_at, now)
    bucket = _bucket(age_h, AGE_BUCKETS).label("bucket")
    late = case((Complaint.due_at < now, 1), else_=0).label("late")
    stmt = (
        select(bucket, late, func.count().label("n"))
        # the open statuses listed, not `!= 'closed'`, so the (status, requested_at) index seeks them
        .where(Complaint.status.in_(OPEN_STATUSES), Complaint.requested_at <= now, *flt.clauses())
        .group_by(bucket, late)
    )
    return _frame(engine, stmt, ["bucket", "late", "n"])


def sensor_vs_complaints(
    engine: Engine, flt: AnalystFilter, by: str = "day"
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """Sensor readings (daily mean per gauge, peak for rivers) beside complaints in the same districts.

    Sensor kinds come from the filter (rainfall and river level by default); complaint categories from the
    filter too (flooding by default), so by default it answers "did rain and rivers bring flood reports?".
    Returns (sensors: period, kind, value), (complaints: period, n) and the categories used.
    """
    kinds = flt.kinds or DEFAULT_SENSOR_KINDS
    bucket_fn = wib_week if by == "week" else wib_day
    daily = ObservationDaily
    period = bucket_fn(daily.day).label("period")
    # rainfall: mm per hour summed over the period, averaged over gauges; others: mean of hourly means,
    # with river level as the period's peak (what floods streets is the peak, not the mean). From the daily
    # rollup, which holds each day's sum of hourly means, its hours and its peak.
    value = case(
        (Sensor.kind == "rainfall", func.sum(daily.hourly_mean_sum)),
        (Sensor.kind == "water_level", func.max(daily.max_value)),
        else_=func.sum(daily.hourly_mean_sum) / func.sum(daily.hours),
    )
    per_sensor = (
        select(Sensor.kind, Sensor.id, period, value.label("value"))
        .join(daily, daily.sensor_id == Sensor.id)
        .where(Sensor.kind.in_(kinds))
        .group_by(Sensor.kind, Sensor.id, period)
    )
    if flt.start is not None:  # whole WIB days: the filter's bounds are WIB midnights
        per_sensor = per_sensor.where(daily.day >= wib_day_start_utc(flt.start))
    if flt.end is not None:
        per_sensor = per_sensor.where(daily.day < flt.end)
    if flt.districts:
        per_sensor = per_sensor.where(Sensor.district_code.in_(flt.districts))
    inner = per_sensor.subquery()
    sensors_stmt = (
        select(inner.c.period, inner.c.kind, func.avg(inner.c.value).label("value"))
        .group_by(inner.c.period, inner.c.kind)
        .order_by(inner.c.period)
    )
    categories = flt.categories or DEFAULT_SENSOR_CATEGORIES
    scoped = AnalystFilter(**{**flt.__dict__, "categories": categories})
    readings = _frame(engine, sensors_stmt, ["period", "kind", "value"])
    reports = counts_over_time(engine, scoped, by).groupby("period", as_index=False)["n"].sum()
    return readings, reports, categories
