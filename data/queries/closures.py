"""Closing performance over the last 30 days: share closed within SLA, median and P90 hours to close.

The window slides with every refresh, but most of it is whole past days that no longer change. Those
are remembered (through the caller's memo) as one sorted array; only the two slivers that move, the
part of the first day still inside the window and today, are read each time. Merging them gives the
exact figures of one full scan in a few milliseconds instead of reading 40,000 closures on every
refresh of a 1M-complaint city (bench/: ~50 ms on SQLite, ~100 ms on PostgreSQL). The whole city's figures
(no filter) come from the closures' duration rollups instead (data/queries/close_quantiles.py), exact from a
cold start at any number of closures a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Engine, case, select
from sqlalchemy.engine import Connection

from data.memo import SETTLED_TTL_S, Memo, no_memo
from data.models import Complaint
from data.queries import close_quantiles
from data.queries import complaint_flows as flows
from data.queries.close_quantiles import quantile_offsets
from data.queries.filters import ComplaintFilter
from data.timebuckets import hours_between, wib_midnight_utc, wib_today

CLOSE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Closures:
    """Complaints closed in a time range: the hours each took (sorted) and how many met their SLA."""

    hours: np.ndarray
    within_sla: int


@dataclass(frozen=True)
class ClosingPerformance:
    closed: int
    within_sla_pct: float | None
    median_h: float | None
    p90_h: float | None


def closures_between(
    conn: Connection, start: datetime, end: datetime, base: list, *, end_inclusive: bool = False
) -> Closures:
    """Closures with `start <= closed_at < end` (or `<= end`) under the filter's clauses, one indexed pass."""
    until = Complaint.closed_at <= end if end_inclusive else Complaint.closed_at < end
    stmt = select(
        hours_between(Complaint.requested_at, Complaint.closed_at),
        case((Complaint.closed_at <= Complaint.due_at, 1), else_=0),
    ).where(Complaint.closed_at >= start, until, *base)
    rows = conn.execute(stmt).all()
    hours = np.fromiter((row[0] for row in rows), float, len(rows))  # np.array(rows) is 200x slower on Rows
    return Closures(np.sort(hours), sum(row[1] for row in rows))


def _whole_days(engine: Engine, start: datetime, end: datetime, flt: ComplaintFilter) -> Closures:
    with engine.connect() as conn:
        return closures_between(conn, start, end, flt.clauses(include_time=False))


def _city_closing_performance(
    engine: Engine, start: datetime, end: datetime, flt: ComplaintFilter
) -> ClosingPerformance:
    """`closing_performance` of the whole city: counts from the hourly rollups, the two quantiles picked from the
    closures' duration rollup and index (data/queries/close_quantiles.py)."""
    with engine.connect() as conn:
        ranks = close_quantiles.close_ranks(conn, start, end, flt)
        if ranks.n == 0:
            return ClosingPerformance(0, None, None, None)
        within = int(flows.grouped_flow(conn, start, end, (), flt)["within"].iloc[0])
        median_h, p90_h = ranks.hours_at(quantile_offsets(ranks.n, (0.5, 0.9)))
    return ClosingPerformance(ranks.n, 100.0 * within / ranks.n, median_h, p90_h)


def closing_performance(
    engine: Engine, end: datetime, flt: ComplaintFilter | None = None, memo: Memo = no_memo
) -> ClosingPerformance:
    """Closures in the 30 days up to `end` (naive UTC): how many, % within SLA, median and P90 hours."""
    flt = flt or ComplaintFilter()
    base = flt.clauses(include_time=False)
    start = end - timedelta(days=CLOSE_WINDOW_DAYS)
    if close_quantiles.answers(flt):  # the whole city: from the rollups, whatever the closures per day
        return _city_closing_performance(engine, start, end, flt)
    first_midnight = wib_midnight_utc(wib_today(start) + timedelta(days=1))
    last_midnight = wib_midnight_utc(wib_today(end))
    days = memo((), _whole_days, engine, first_midnight, last_midnight, flt, ttl_s=SETTLED_TTL_S)
    with engine.connect() as conn:
        head = closures_between(conn, start, first_midnight, base)
        today = closures_between(conn, last_midnight, end, base, end_inclusive=True)
    hours = np.sort(np.concatenate([head.hours, days.hours, today.hours]))
    n = int(hours.size)
    if n == 0:
        return ClosingPerformance(0, None, None, None)
    within = head.within_sla + days.within_sla + today.within_sla
    median_h, p90_h = (float(hours[i]) for i in quantile_offsets(n, (0.5, 0.9)))
    return ClosingPerformance(n, 100.0 * within / n, median_h, p90_h)
