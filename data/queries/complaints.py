"""Complaint figures, each one aggregation in the database returning a small result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, Integer, TableClause, and_, case, cast, func, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from data.complaint_rollups import OPEN_STATUSES
from data.frames import frame_of
from data.memo import Memo, no_memo
from data.models import Complaint, District
from data.queries import close_quantiles
from data.queries import complaint_flows as flows
from data.queries.closures import closing_performance, quantile_offsets
from data.queries.filters import ComplaintFilter
from data.timebuckets import hours_between, wib_day, wib_midnight_utc, wib_today, wib_week

# OPEN_STATUSES is listed (not `!= 'closed'`) so the (status, ...) indexes answer with range seeks, not a scan.


ROLLUP_COLUMNS = ("category", "channel", "district_code")  # what the hourly rollup is keyed by


@dataclass(frozen=True)
class ComplaintKpis:
    """The complaint tiles of the wall at one moment."""

    open_backlog: int
    late_open: int
    backlog_median_age_h: float | None
    received_today: int
    closed_today: int
    closed_within_sla_pct: float | None
    median_close_h: float | None
    p90_close_h: float | None


class _id_in_ids(FunctionElement):  # noqa: N801 - reads as SQL
    """`id` is one of the ids a subquery returns, in the form each engine plans from the subquery's indexes.

    Untyped on purpose: a Boolean-typed function gets `= 1` appended on SQLite, which hides the IN from
    the planner."""

    inherit_cache = True


@compiles(_id_in_ids)
def _id_in_ids_default(element, compiler, **kw) -> str:  # noqa: ANN001
    column, ids = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"{column} IN {ids}"


@compiles(_id_in_ids, "postgresql")
def _id_in_ids_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    column, ids = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"{column} = ANY(ARRAY{ids})"  # an InitPlan, then primary-key lookups (no hash join over the table)


def any_of_indexed(*conditions: Callable[[TableClause], ColumnElement[bool]]) -> ColumnElement[bool]:
    """Complaints matching any condition, each condition answered by its own index (ids UNION ALL).

    Beside a `requested_at` range, a plain OR made SQLite walk the whole requested_at index and a
    `status != 'closed'` term made both engines scan (0.3-2 s at 1M complaints); this takes ~50 ms (bench/).
    """
    table = Complaint.__table__.alias("c_any")
    ids = union_all(*(select(table.c.id).where(cond(table)) for cond in conditions))
    return _id_in_ids(Complaint.id, ids.scalar_subquery())


def _open_now(engine: Engine) -> ColumnElement[bool]:
    """Complaints open now, in the form each planner answers from the (status, ...) index at 1M complaints:
    PostgreSQL plans the plain IN well (8 ms; 21 ms through the id list), while SQLite then walks the
    district index instead (1.5-4 s), so it is handed the ids from the status index first (19 ms)."""
    if engine.dialect.name == "postgresql":
        return Complaint.status.in_(OPEN_STATUSES)
    return any_of_indexed(lambda c: c.c.status.in_(OPEN_STATUSES))


def _count(conn: Connection, *where: object) -> int:
    return int(conn.execute(select(func.count()).select_from(Complaint).where(*where)).scalar() or 0)


def _quantiles(
    conn: Connection, expr: object, where: list, qs: tuple[float, ...], n: int | None = None
) -> list[float | None]:
    """Exact quantiles (the value at ordered offset round(q * (n - 1))) of `expr` over the filtered rows.

    SQLite: one indexed scan returning a float column (a third of a count plus an ORDER BY/OFFSET per
    quantile). PostgreSQL, when the caller already counted the rows (`n`): the server sorts once and
    returns only the rows at those offsets (the open backlog's ~7,000 ages at 1M complaints: 33 -> 9 ms).
    """
    if n is not None and conn.dialect.name == "postgresql":
        picked = _picked_in_database(conn, expr, where, qs, n)
        if picked is not None:
            return picked
    values = np.fromiter((row[0] for row in conn.execute(select(expr).select_from(Complaint).where(*where))), float)
    if values.size == 0:
        return [None for _ in qs]
    values.sort()
    return [float(values[i]) for i in quantile_offsets(values.size, qs)]


def _picked_in_database(
    conn: Connection, expr: object, where: list, qs: tuple[float, ...], n: int
) -> list[float | None] | None:
    """The values at the quantiles' offsets, ranked by the database; None when the rows changed since
    they were counted (another statement, another snapshot), so the caller falls back to one pass."""
    if n == 0:
        return [None for _ in qs]
    wanted = quantile_offsets(n, qs)
    ranked = (
        select(
            expr.label("x"),
            (func.row_number().over(order_by=expr) - 1).label("i"),
            func.count().over().label("n"),
        )
        .select_from(Complaint)
        .where(*where)
        .subquery()
    )
    rows = conn.execute(select(ranked.c.i, ranked.c.x, ranked.c.n).where(ranked.c.i.in_(set(wanted)))).all()
    if any(row.n != n for row in rows) or len(rows) != len(set(wanted)):
        return None
    found = {row.i: float(row.x) for row in rows}
    return [found[i] for i in wanted]


def complaint_kpis(
    engine: Engine, now: datetime, flt: ComplaintFilter | None = None, memo: Memo = no_memo
) -> ComplaintKpis:
    """Backlog, today's flow and closing performance as of `now` (naive UTC), under a filter."""
    flt = flt or ComplaintFilter()
    base = flt.clauses(include_time=False)
    day_start = wib_midnight_utc(wib_today(now))
    still_open = Complaint.status.in_(OPEN_STATUSES)
    with engine.connect() as conn:
        if flows.answers(flt):  # the rollups: cost flat in complaints per day
            open_backlog, late_open = flows.open_backlog(conn, now, flt)
            today = flows.flow_between(conn, day_start, now, flt)
            received_today, closed_today = today.received, today.closed
        else:
            open_backlog = _count(conn, still_open, Complaint.requested_at <= now, *base)
            late_open = _count(conn, still_open, Complaint.due_at < now, *base)
            received_today = _count(conn, Complaint.requested_at >= day_start, Complaint.requested_at <= now, *base)
            closed_today = _count(conn, Complaint.closed_at >= day_start, Complaint.closed_at <= now, *base)
        if close_quantiles.answers(flt, by_district=True):  # the open-per-hour rollup: one hour's rows read
            age_median = close_quantiles.backlog_median_age(conn, now, flt)
        else:
            age_h = hours_between(Complaint.requested_at, now)
            (age_median,) = _quantiles(
                conn, age_h, [still_open, Complaint.requested_at <= now, *base], (0.5,), n=open_backlog
            )
    closing = closing_performance(engine, now, flt, memo)
    return ComplaintKpis(
        open_backlog=open_backlog,
        late_open=late_open,
        backlog_median_age_h=age_median,
        received_today=received_today,
        closed_today=closed_today,
        closed_within_sla_pct=closing.within_sla_pct,
        median_close_h=closing.median_h,
        p90_close_h=closing.p90_h,
    )


def open_by_district(engine: Engine, now: datetime, flt: ComplaintFilter | None = None) -> pd.DataFrame:
    """Open and late complaints per kecamatan, with the rate per 10,000 residents (all 13 rows, zeros kept)."""
    flt = flt or ComplaintFilter()
    counts = (
        select(
            Complaint.district_code.label("code"),
            func.count().label("open"),
            func.sum(case((Complaint.due_at < now, 1), else_=0)).label("late"),
        )
        .where(
            _open_now(engine),
            Complaint.requested_at <= now,
            *flt.clauses(include_time=False),
        )
        .group_by(Complaint.district_code)
        .subquery()
    )
    stmt = (
        select(
            District.code,
            District.name,
            District.population,
            func.coalesce(counts.c.open, 0).label("open"),
            func.coalesce(counts.c.late, 0).label("late"),
        )
        .join(counts, counts.c.code == District.code, isouter=True)
        .order_by(District.code)
    )
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt), ["code", "name", "population", "open", "late"])
    frame["per_10k"] = (frame["open"] * 10_000 / frame["population"]).round(2)
    return frame


def counts_over_time(engine: Engine, flt: ComplaintFilter, by: str = "day") -> pd.DataFrame:
    """Complaints received per WIB day (or week) and category within the filter (from the hourly rollup when
    it answers: the window's hours, not its complaints)."""
    period = wib_week if by == "week" else wib_day
    if flows.answers_per_hour(flt):
        hours = flows.received_per_hour(flt, "category")
        bucket = period(hours.c.hour).label("period")
        stmt = select(bucket, hours.c.category, func.sum(hours.c.n).label("n"))
        stmt = stmt.group_by(bucket, hours.c.category).order_by(bucket)
    else:
        bucket = period(Complaint.requested_at).label("period")
        stmt = (
            select(bucket, Complaint.category, func.count().label("n"))
            .where(*flt.clauses())
            .group_by(bucket, Complaint.category)
            .order_by(bucket)
        )
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), ["period", "category", "n"])


def counts_by(engine: Engine, flt: ComplaintFilter, column: str) -> pd.DataFrame:
    """Complaints within the filter grouped by one column (category, channel, status, agency, district_code)."""
    if column in ROLLUP_COLUMNS and flows.answers_per_hour(flt):  # a window of whole hours: the hours' counts
        hours = flows.received_per_hour(flt, column)
        n = cast(func.sum(hours.c.n), Integer)  # PostgreSQL sums integers into numeric otherwise
        stmt = select(hours.c[column], n).group_by(hours.c[column]).order_by(n.desc(), hours.c[column])
        with engine.connect() as conn:
            frame = frame_of(conn.execute(stmt), [column, "n"])
        frame.loc[frame[column] == "", column] = None  # '' is unlocated / no channel, NULL in the rows
        return frame
    if column in ROLLUP_COLUMNS and flows.answers(flt, window=True):  # the presets' windows, from the rollups
        with engine.connect() as conn:
            frame = flows.grouped_flow(conn, flt.start, flt.end, (column,), flt, end_inclusive=False)
        frame = frame.loc[frame["received"] > 0, [column, "received"]].rename(columns={"received": "n"})
        frame[column] = [value or None for value in frame[column]]  # '' is outside the city, NULL in the rows
        return frame.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    col = getattr(Complaint, column)
    stmt = (
        select(col.label(column), func.count().label("n"))
        .where(*flt.clauses())
        .group_by(col)
        .order_by(func.count().desc())
    )
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt), [column, "n"])


def recent_complaints(
    engine: Engine, now: datetime, limit: int = 20, flt: ComplaintFilter | None = None
) -> pd.DataFrame:
    """The newest complaints for the wall's stream: no personal fields, ever."""
    flt = flt or ComplaintFilter()
    stmt = (
        select(
            Complaint.id,
            Complaint.category,
            Complaint.status,
            Complaint.channel,
            Complaint.district_code,
            District.name.label("district"),
            Complaint.requested_at,
            Complaint.due_at,
            Complaint.description,
        )
        .join(District, District.code == Complaint.district_code, isouter=True)
        .where(Complaint.requested_at <= now, *flt.clauses(include_time=False))
        .order_by(Complaint.requested_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return frame_of(conn.execute(stmt))


def received_between(engine: Engine, start: datetime, end: datetime, flt: ComplaintFilter | None = None) -> int:
    flt = flt or ComplaintFilter()
    with engine.connect() as conn:
        return _count(conn, and_(Complaint.requested_at >= start, Complaint.requested_at < end), *flt.clauses(False))


def outside_arrivals(engine: Engine, since: datetime) -> int:
    """Complaints received since `since` that were located outside the city's area: kept and flagged, never in
    its figures; the data-health strip says how many, so a misrouted feed shows."""
    stmt = select(func.count()).where(Complaint.outside_city.is_(True), Complaint.requested_at >= since)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)
