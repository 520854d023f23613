"""Complaints received and closed in a window, and the open backlog now, read from the complaint rollups.

Whole UTC hours come from `complaints_hourly` / `complaints_backlog` (data/complaint_rollups.py); the partial
hour at a window's end is counted from the raw rows through their time indexes (at most an hour of rows), so
every figure equals the raw count exactly. A city day is 24 whole UTC hours in any Indonesian zone.
Only filters the rollups carry (kecamatan, category, channel, no requested-time range) are answered here;
`answers(flt)` says so, and callers keep their raw query for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Integer, Subquery, case, cast, func, literal, select
from sqlalchemy.engine import Connection

from data.complaint_rollups import ARRIVAL_FACETS, ARRIVALS, BACKLOG, HOURLY, OPEN_STATUSES, OUTSIDE, hour_of
from data.models import Complaint
from data.queries.filters import ComplaintFilter
from data.timebuckets import wib_hour, wib_today, wib_weekday

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Flow:
    received: int
    closed: int
    closed_within_sla: int


def answers(flt: ComplaintFilter, *, window: bool = False) -> bool:
    """Whether the rollups carry every condition of `flt` (with `window`, a requested-time range too).
    A WIB hour or weekday of receipt is carried only by `received_per_hour`."""
    timed = (flt.start or flt.end) and not (window and flt.start and flt.end)
    return not (timed or flt.subdistricts or flt.statuses or flt.agencies or any(flt.time_of_day()))


def whole_hour_window(flt: ComplaintFilter) -> bool:
    """Whether `flt` receives in a window of whole hours (the analysts' days are city midnights), which a rollup
    keyed by the hour of receipt answers exactly."""
    window = flt.start is not None and flt.end is not None
    return window and flt.start == hour_of(flt.start) and flt.end == hour_of(flt.end)


def answers_per_hour(flt: ComplaintFilter) -> bool:
    """Whether `received_per_hour` counts exactly what the raw rows under `flt` hold: a window of whole hours
    and conditions the hourly rollup carries."""
    plain = replace(flt, hours=(), weekdays=()) if any(flt.time_of_day()) else flt
    return whole_hour_window(flt) and answers(plain, window=True)


def received_per_hour(flt: ComplaintFilter, *by: str) -> Subquery:
    """Complaints received under `flt` per UTC hour of its window (and per `by`: district_code, category,
    channel): columns hour, *by, n. The whole city, or the city split by one facet, reads `complaints_arrivals`
    (a few dozen rows per hour); a filter on kecamatan, category or channel, or two facets, reads
    `complaints_hourly` with its hours summed first, on its key order, so the city-time buckets callers put on
    `hour` are computed once per hour, not per rollup row. A UTC hour's local hour and weekday are those of
    every moment in it (Indonesian zones are whole hours). Ask `answers_per_hour(flt)` first."""
    if len(by) <= 1 and set(by) <= set(ARRIVAL_FACETS) and not (flt.districts or flt.categories or flt.channels):
        a = ARRIVALS.c
        keys = [a.hour] + ([a.value.label(by[0])] if by else [])
        where = [a.hour >= flt.start, a.hour < flt.end, a.facet == (by[0] if by else "")]
        hours = select(*keys, a.received.label("n")).where(*where).subquery()
    else:
        h = HOURLY.c
        keys = [h.hour, *(h[c] for c in by)]
        where = [h.hour >= flt.start, h.hour < flt.end, *rollup_clauses(HOURLY, flt)]
        n = cast(func.sum(h.received), Integer).label("n")  # PostgreSQL sums integers into numeric otherwise
        hours = select(*keys, n).where(*where).group_by(*keys).subquery()
    local_hours, weekdays = flt.time_of_day()
    kept = [hours.c.n > 0]
    if local_hours:
        kept.append(wib_hour(hours.c.hour).in_(local_hours))
    if weekdays:
        kept.append(wib_weekday(hours.c.hour).in_(weekdays))
    return select(hours).where(*kept).subquery()


def rollup_clauses(table, flt: ComplaintFilter) -> list:  # noqa: ANN001
    """`flt` as conditions on a rollup keyed by kecamatan (and category, channel where it has them)."""
    out = [table.c.district_code != OUTSIDE]  # records from outside the city never count in its figures
    if flt.districts:
        out.append(table.c.district_code.in_(flt.districts))
    if flt.categories:
        out.append(table.c.category.in_(flt.categories))
    if "channel" in table.c and flt.channels:
        out.append(table.c.channel.in_(flt.channels))
    return out


def _raw_count(conn: Connection, *where: object) -> int:
    return int(conn.execute(select(func.count()).select_from(Complaint).where(*where)).scalar() or 0)


def _raw_flow(conn: Connection, start: datetime, end: datetime, flt: ComplaintFilter) -> Flow:
    """Received and closed with `start <= time <= end`, from the raw rows (the partial hour at an edge)."""
    base = flt.clauses(include_time=False)
    received = _raw_count(conn, Complaint.requested_at >= start, Complaint.requested_at <= end, *base)
    closed, within = conn.execute(
        select(func.count(), func.coalesce(func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0)), 0))
        .where(Complaint.closed_at >= start, Complaint.closed_at <= end, *base)
    ).one()  # fmt: skip
    return Flow(received, int(closed), int(within))


def flow_between(conn: Connection, start: datetime, end: datetime, flt: ComplaintFilter) -> Flow:
    """Complaints received (by `requested_at`) and closed (by `closed_at`) with `start <= time <= end`;
    `start` on a whole hour (a city midnight)."""
    last_hour = hour_of(end)
    h = HOURLY.c
    received, closed, within = conn.execute(
        select(func.coalesce(func.sum(h.received), 0), func.coalesce(func.sum(h.closed), 0),
               func.coalesce(func.sum(h.closed_within_sla), 0))
        .where(h.hour >= start, h.hour < last_hour, *rollup_clauses(HOURLY, flt))
    ).one()  # fmt: skip
    edge = _raw_flow(conn, max(start, last_hour), end, flt)
    return Flow(int(received) + edge.received, int(closed) + edge.closed, int(within) + edge.closed_within_sla)


def daily_flow(conn: Connection, start: datetime, end: datetime, flt: ComplaintFilter) -> pd.DataFrame:
    """Per city day ('YYYY-MM-DD'), received, closed and closed within SLA with `start <= time <= end`;
    `start` a city midnight. Columns: day, received, closed, within."""
    last_hour = hour_of(end)
    h = HOURLY.c
    rows = conn.execute(
        select(h.hour, func.sum(h.received), func.sum(h.closed), func.sum(h.closed_within_sla))
        .where(h.hour >= start, h.hour < last_hour, *rollup_clauses(HOURLY, flt))
        .group_by(h.hour)  # in key order; the hours fall into city days here (a few hundred rows)
    ).all()  # fmt: skip
    hourly = pd.DataFrame(rows, columns=["hour", "received", "closed", "within"])
    hourly["day"] = [str(wib_today(hour)) for hour in pd.to_datetime(hourly["hour"]).dt.to_pydatetime()]
    frame = hourly.drop(columns="hour").groupby("day").sum().astype(float)
    edge = _raw_flow(conn, max(start, last_hour), end, flt)
    if edge.received or edge.closed:
        edge_day = str(wib_today(end))
        frame.loc[edge_day] = frame.reindex([edge_day]).fillna(0).iloc[0] + [
            edge.received,
            edge.closed,
            edge.closed_within_sla,
        ]
    return frame


def open_backlog(conn: Connection, now: datetime, flt: ComplaintFilter) -> tuple[int, int]:
    """(open, late) now: open = any status but closed and received by `now`; late = open and due before `now`.

    The backlog rollup counts every open complaint per due hour: due hours before `now`'s hour are late
    whole; the rows due within `now`'s hour before `now`, and those received after `now` (a clock ahead),
    are read from the raw rows through the (status, due_at) and (status, requested_at) indexes."""
    b = BACKLOG.c
    current_hour = hour_of(now)
    total, late_hours = conn.execute(
        select(func.coalesce(func.sum(b.open), 0),
               func.coalesce(func.sum(case((b.due_hour < current_hour, b.open), else_=0)), 0))
        .where(*rollup_clauses(BACKLOG, flt))
    ).one()  # fmt: skip
    base = [Complaint.status.in_(OPEN_STATUSES), *flt.clauses(include_time=False)]
    ahead = _raw_count(conn, Complaint.requested_at > now, *base)
    late_now = _raw_count(conn, Complaint.due_at >= current_hour, Complaint.due_at < now, *base)
    return int(total) - ahead, int(late_hours) + late_now


def _raw_grouped(conn: Connection, start: datetime, end: datetime, by: tuple[str, ...], flt: ComplaintFilter,
                 end_inclusive: bool) -> list[tuple]:  # fmt: skip
    """(group..., received, closed, within) from the raw rows with `start <= time < end` (or `<= end`)."""
    keys = [func.coalesce(Complaint.__table__.c[c], "") for c in by]
    base = flt.clauses(include_time=False)
    out = []
    within = func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0))
    for column, counts in (
        (Complaint.requested_at, [func.count(), literal(0), literal(0)]),
        (Complaint.closed_at, [literal(0), func.count(), within]),
    ):
        until = column <= end if end_inclusive else column < end
        stmt = select(*keys, *counts).where(column >= start, until, *base)
        out += conn.execute(stmt.group_by(*keys) if keys else stmt).all()
    return out


def grouped_flow(
    conn: Connection,
    start: datetime,
    end: datetime,
    by: tuple[str, ...],
    flt: ComplaintFilter,
    end_inclusive: bool = True,
) -> pd.DataFrame:
    """Received, closed and closed within SLA with `start <= time <= end` (or `< end`), per `by` (district_code,
    category, channel; '' for a complaint outside the city): whole hours from the rollup, the partial hours at
    both edges from the raw rows. Columns: *by, received, closed, within."""
    first = start if start == hour_of(start) else hour_of(start) + HOUR
    last = hour_of(end)
    if first >= last:
        rows = _raw_grouped(conn, start, end, by, flt, end_inclusive)
    else:
        h = HOURLY.c
        keys = [h[c] for c in by]
        sums = [func.sum(h.received), func.sum(h.closed), func.sum(h.closed_within_sla)]
        stmt = select(*keys, *sums).where(h.hour >= first, h.hour < last, *rollup_clauses(HOURLY, flt))
        rows = conn.execute(stmt.group_by(*keys) if keys else stmt).all()
        rows += _raw_grouped(conn, start, first, by, flt, end_inclusive=False)
        rows += _raw_grouped(conn, last, end, by, flt, end_inclusive)
    frame = pd.DataFrame([tuple(r) for r in rows], columns=[*by, "received", "closed", "within"])
    frame[["received", "closed", "within"]] = frame[["received", "closed", "within"]].fillna(0).astype(int)
    if not by:
        return frame.sum().to_frame().T.astype(int)
    return frame.groupby(list(by), as_index=False).sum()
