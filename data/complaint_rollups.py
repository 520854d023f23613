"""Complaint rollups kept beside the raw rows: arrivals and closures per UTC hour, the open backlog per due hour.

The wall, the briefing and the analysts' presets ask "how many arrived / closed in this window" and "how many
are open, how many late" on every refresh; counting raw rows makes that cost grow with the city's complaints
per day. These tables grow with hours x kecamatan x category x channel instead.

Each complaint row contributes to them through its own fields only, so an insert adds its contribution and an
update (status change, reopen, a record sent again with other fields) takes the old row's away and adds the
new one's, in the ingest's transaction: kept equals rebuilt at every commit. UTC hours serve any Indonesian
zone (whole-hour offsets, no daylight saving): a city day is 24 of them, whatever zone the city pack names.
The backlog is kept per due hour rather than per SLA state, because "late" changes with the clock and not with
any record: late at `now` is every due hour before `now`'s plus the current hour's rows due before `now`.
The closures are also counted per UTC hour and duration bucket (`complaints_close_hours`), so an exact median or
P90 of hours to close over 30 days reads a few thousand rollup rows and one bucket's closures through an index on
the same bucket expression (data/queries/close_quantiles.py), not the window's half a million closures. The
analysts' time to close per agency counts closures by hour of receipt, agency and class of time to close
(`complaints_agency_closes`); their charts of the whole city count arrivals per hour city-wide and per kecamatan,
category and channel each on its own (`complaints_arrivals`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    DateTime,
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from data.models import COMPLAINT_STATUSES, Base, Complaint
from data.store import upsert_statement
from data.timebuckets import utc_day_start, utc_hour_start

NO_DUE = datetime(9999, 12, 31)  # the due hour of a complaint without a due time: never late
# Records located outside the city's area are kept apart: never in the city's figures. '' holds the unlocated
# (no coordinates): counted city-wide, in no kecamatan.
OUTSIDE = "~outside"
OPEN_STATUSES = tuple(s for s in COMPLAINT_STATUSES if s != "closed")
HOUR = timedelta(hours=1)


class ComplaintHourly(Base):
    """Per UTC hour, kecamatan, category and channel: complaints received (by `requested_at`) and closed (by
    `closed_at`, whatever the status now, as the closed-today tile counts), of those closed within their SLA,
    and of those still closed (a reopened complaint keeps its `closed_at` but is open again)."""

    __tablename__ = "complaints_hourly"
    # clustered by its key on SQLite: a window's hours are one contiguous range, not a row lookup each
    __table_args__ = {"sqlite_with_rowid": False}

    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(16), primary_key=True, doc="'' unlocated, OUTSIDE outside")
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    closed: Mapped[int] = mapped_column(Integer)
    closed_within_sla: Mapped[int] = mapped_column(Integer)
    closed_final: Mapped[int] = mapped_column(Integer)


class ComplaintBacklog(Base):
    """Complaints open now (any status but closed) per kecamatan, category and UTC hour their SLA falls due."""

    __tablename__ = "complaints_backlog"
    __table_args__ = {"sqlite_with_rowid": False}

    district_code: Mapped[str] = mapped_column(String(16), primary_key=True, doc="'' unlocated, OUTSIDE outside")
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    due_hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    open: Mapped[int] = mapped_column(Integer)


class ComplaintCloseHours(Base):
    """Closures of the city's complaints (outside records never count) per UTC hour of `closed_at` and duration
    bucket (`close_bucket`), whatever the status now, as the closing figures count them."""

    __tablename__ = "complaints_close_hours"
    __table_args__ = {"sqlite_with_rowid": False}

    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, doc="close_bucket of the closures counted")
    closed: Mapped[int] = mapped_column(Integer)


class ComplaintArrivals(Base):
    """The city's complaints received per UTC hour, city-wide (facet '') and per kecamatan, category and channel
    each on its own: a chart of the whole city reads a few dozen rows per hour, not `complaints_hourly`'s
    hundreds of kecamatan x category x channel combinations."""

    __tablename__ = "complaints_arrivals"
    __table_args__ = {"sqlite_with_rowid": False}

    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    facet: Mapped[str] = mapped_column(String(16), primary_key=True, doc="'', district_code, category or channel")
    value: Mapped[str] = mapped_column(String(64), primary_key=True, doc="the facet's value ('' unlocated / none)")
    received: Mapped[int] = mapped_column(Integer)


class ComplaintAgencyCloses(Base):
    """Closures of the city's complaints per UTC hour of receipt, agency ('' none) and time-to-close class
    (`close_span`), and of those within their SLA: the analysts' time to close per agency for the complaints
    received in a window, from a few dozen rows per hour instead of every closure."""

    __tablename__ = "complaints_agency_closes"
    __table_args__ = {"sqlite_with_rowid": False}

    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True, doc="the UTC hour of `requested_at`")
    agency: Mapped[str] = mapped_column(String(120), primary_key=True)
    span: Mapped[int] = mapped_column(Integer, primary_key=True, doc="close_span of the closures counted")
    closed: Mapped[int] = mapped_column(Integer)
    closed_within_sla: Mapped[int] = mapped_column(Integer)


class ComplaintCloseDays(Base):
    """The same closures per UTC day, kecamatan ('' unlocated) and duration bucket, for the leaders' figures per
    kecamatan (per hour the kecamatan would make it as large as the closures themselves)."""

    __tablename__ = "complaints_close_days"
    __table_args__ = {"sqlite_with_rowid": False}

    day: Mapped[datetime] = mapped_column(DateTime, primary_key=True, doc="the UTC midnight starting the day")
    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    closed: Mapped[int] = mapped_column(Integer)


class ComplaintOpenHours(Base):
    """Complaints open now (any status but closed) per kecamatan ('' unlocated) and UTC hour of receipt, so the
    backlog's median age is found from these counts and one hour's open rows (outside records never count)."""

    __tablename__ = "complaints_open_hours"
    __table_args__ = {"sqlite_with_rowid": False}

    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    open: Mapped[int] = mapped_column(Integer)


class ComplaintHistoryHours(Base):
    """What the backlog at a past moment is made of, per kecamatan ('' unlocated) and UTC hour, for the city's
    complaints: received (hour of `requested_at`); settled = closed now with a close time, at the hour both had
    happened (hour of the later of receipt and close); with a due time, at the hour receipt and due time had
    both passed; settled with a due time, at the hour all three had. Open at t = received - settled up to t
    (as `open_at` counts: closed by then and still closed), late at t = due - settled_due up to t."""

    __tablename__ = "complaints_history_hours"
    __table_args__ = {"sqlite_with_rowid": False}

    district_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    settled: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    settled_due: Mapped[int] = mapped_column(Integer)


class latest(FunctionElement):  # noqa: N801 - reads as SQL
    """The latest of several timestamps (SQLite's scalar max, PostgreSQL's GREATEST)."""

    type = DateTime()
    inherit_cache = True


@compiles(latest, "sqlite")
def _latest_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "max({})".format(", ".join(compiler.process(arg, **kw) for arg in element.clauses))


@compiles(latest, "postgresql")
def _latest_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "GREATEST({})".format(", ".join(compiler.process(arg, **kw) for arg in element.clauses))


# The duration buckets: whole hours up to 12 h, then each doubling of the duration split into six (2 h wide up to a
# day, 4 h up to two days, ...). A bucket is named by its first whole hour; -1 holds closures before receipt.
# Narrow where closures are dense, so the bucket holding a quantile has a few thousand rows at 16,000 a day.
BUCKET_STEPS = ((12, 1), (24, 2), (48, 4), (96, 8), (192, 16), (384, 32), (768, 64))
LAST_STEP = 128


# The analysts' classes of time to close, by their first whole hour: under a day, one to three days, three to
# seven, one to two weeks, longer. A closure before its receipt counts in the first.
CLOSE_SPANS = (0, 24, 72, 168, 336)


def _whole_hours(requested_at: datetime, closed_at: datetime) -> int | None:
    """Whole hours from receipt to close (floor), None for a closure before receipt."""
    taken = closed_at - requested_at
    if taken < timedelta(0):
        return None
    return (taken.days * 86_400 + taken.seconds) // 3600  # floor: timedelta keeps microseconds non-negative


def close_bucket_of(requested_at: datetime, closed_at: datetime) -> int:
    """The duration bucket of one closure, from whole seconds exactly as the SQL of `close_bucket` computes it."""
    hours = _whole_hours(requested_at, closed_at)
    if hours is None:
        return -1
    step = next((width for limit, width in BUCKET_STEPS if hours < limit), LAST_STEP)
    return hours // step * step


def close_span_of(requested_at: datetime, closed_at: datetime) -> int:
    """The time-to-close class of one closure (a CLOSE_SPANS bound), as the SQL of `close_span` computes it."""
    hours = _whole_hours(requested_at, closed_at) or 0
    return max(bound for bound in CLOSE_SPANS if hours >= bound)


class close_bucket(FunctionElement):  # noqa: N801 - reads as SQL
    """`close_bucket_of` in SQL, in integers only (a float's rounding would put a closure of exactly 5 h in the
    4 h bucket). The text is the one revision p007 indexes: SQLite matches an expression index by its text."""

    type = Integer()
    inherit_cache = True


def _whole_seconds_sql(requested: str, closed: str, dialect: str) -> str:
    """Whole seconds from receipt to close (floor) in integer SQL, as Python's timedelta counts them."""
    if dialect == "sqlite":  # whole seconds, less one when the closing second's fraction is below the receipt's
        return (
            f"(CAST(strftime('%s', {closed}) AS INTEGER) - CAST(strftime('%s', {requested}) AS INTEGER)"
            f" - (substr({closed}, 20) < substr({requested}, 20)))"
        )
    return f"CAST(floor(EXTRACT(epoch FROM ({closed} - {requested}))) AS BIGINT)"


def close_bucket_sql(requested: str, closed: str, dialect: str) -> str:
    """The SQL text of `close_bucket` over two column expressions."""
    seconds = _whole_seconds_sql(requested, closed, dialect)
    hours = f"({seconds} / 3600)"
    steps = " ".join(f"WHEN {hours} < {limit} THEN {hours} / {width} * {width}" for limit, width in BUCKET_STEPS)
    return f"(CASE WHEN {seconds} < 0 THEN -1 {steps} ELSE {hours} / {LAST_STEP} * {LAST_STEP} END)"


@compiles(close_bucket)
def _close_bucket_sql(element, compiler, **kw) -> str:  # noqa: ANN001
    requested, closed = (compiler.process(arg, **kw) for arg in element.clauses)
    return close_bucket_sql(requested, closed, compiler.dialect.name)


class close_span(FunctionElement):  # noqa: N801 - reads as SQL
    """`close_span_of` in SQL, in integers only (whole hours, as the rollup's Python counts them)."""

    type = Integer()
    inherit_cache = True


def close_span_sql(requested: str, closed: str, dialect: str) -> str:
    """The SQL text of `close_span` over two column expressions (negative hours fall in the first class)."""
    hours = f"({_whole_seconds_sql(requested, closed, dialect)} / 3600)"
    whens = " ".join(f"WHEN {hours} < {high} THEN {low}" for low, high in pairwise(CLOSE_SPANS))
    return f"(CASE {whens} ELSE {CLOSE_SPANS[-1]} END)"


@compiles(close_span)
def _close_span_sql(element, compiler, **kw) -> str:  # noqa: ANN001
    requested, closed = (compiler.process(arg, **kw) for arg in element.clauses)
    return close_span_sql(requested, closed, compiler.dialect.name)


HOURLY = ComplaintHourly.__table__
BACKLOG = ComplaintBacklog.__table__
CLOSE_HOURS = ComplaintCloseHours.__table__
CLOSE_DAYS = ComplaintCloseDays.__table__
AGENCY_CLOSES = ComplaintAgencyCloses.__table__
ARRIVALS = ComplaintArrivals.__table__
ARRIVAL_FACETS = ("district_code", "category", "channel")
OPEN_HOURS = ComplaintOpenHours.__table__
HISTORY = ComplaintHistoryHours.__table__
HOURLY_KEY = ["hour", "district_code", "category", "channel"]
HOURLY_COUNTS = ["received", "closed", "closed_within_sla", "closed_final"]
BACKLOG_KEY = ["district_code", "category", "due_hour"]
CLOSE_HOURS_KEY = ["hour", "bucket"]
CLOSE_DAYS_KEY = ["day", "district_code", "bucket"]
OPEN_HOURS_KEY = ["district_code", "hour"]
HISTORY_KEY = ["district_code", "hour"]
AGENCY_CLOSES_KEY = ["hour", "agency", "span"]
ARRIVALS_KEY = ["hour", "facet", "value"]
AGENCY_CLOSES_COUNTS = ["closed", "closed_within_sla"]
HISTORY_COUNTS = ["received", "settled", "due", "settled_due"]


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def day_of(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class RollupDelta:
    """What a batch of complaint writes changes in the rollups, summed in Python and written in one upsert each."""

    def __init__(self) -> None:
        self.hourly: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.backlog: dict[tuple, int] = defaultdict(int)
        self.close_hours: dict[tuple, int] = defaultdict(int)
        self.close_days: dict[tuple, int] = defaultdict(int)
        self.open_hours: dict[tuple, int] = defaultdict(int)
        self.history: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        self.agency_closes: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.arrivals: dict[tuple, int] = defaultdict(int)

    def add(self, row: Any, sign: int = 1) -> None:  # noqa: ANN401 - a Row or any object with the columns
        """Add (sign=1) or take away (sign=-1) one complaint row's contribution."""
        district = OUTSIDE if row.outside_city else row.district_code or ""
        category, channel = row.category, row.channel or ""
        self.hourly[(hour_of(row.requested_at), district, category, channel)][0] += sign
        if row.closed_at is not None:
            within = sign if row.due_at is not None and row.closed_at <= row.due_at else 0
            counts = self.hourly[(hour_of(row.closed_at), district, category, channel)]
            counts[1] += sign
            counts[2] += within
            counts[3] += sign if row.status == "closed" else 0
            if not row.outside_city:
                bucket = close_bucket_of(row.requested_at, row.closed_at)
                self.close_hours[(hour_of(row.closed_at), bucket)] += sign
                self.close_days[(day_of(row.closed_at), district, bucket)] += sign
                span = close_span_of(row.requested_at, row.closed_at)
                by_agency = self.agency_closes[(hour_of(row.requested_at), row.agency or "", span)]
                by_agency[0] += sign
                by_agency[1] += within
        if row.status in OPEN_STATUSES:
            due = hour_of(row.due_at) if row.due_at is not None else NO_DUE
            self.backlog[(district, category, due)] += sign
            if not row.outside_city:
                self.open_hours[(district, hour_of(row.requested_at))] += sign
        if not row.outside_city:
            self._add_history(row, district, sign)
            hour = hour_of(row.requested_at)
            for facet, value in (("", ""), ("district_code", district), ("category", category), ("channel", channel)):
                self.arrivals[(hour, facet, value)] += sign

    def _add_history(self, row: Any, district: str, sign: int) -> None:  # noqa: ANN401
        settled = row.status == "closed" and row.closed_at is not None
        self.history[(district, hour_of(row.requested_at))][0] += sign
        if settled:
            self.history[(district, hour_of(max(row.requested_at, row.closed_at)))][1] += sign
        if row.due_at is not None:
            self.history[(district, hour_of(max(row.requested_at, row.due_at)))][2] += sign
            if settled:
                self.history[(district, hour_of(max(row.requested_at, row.closed_at, row.due_at)))][3] += sign

    def replace(self, old: Any, new: Any) -> None:  # noqa: ANN401
        self.add(old, -1)
        self.add(new, 1)

    def apply(self, conn: Connection) -> None:
        """Write the summed changes in the caller's transaction; rows that fall to zero are removed, so the
        kept tables hold exactly what a rebuild would."""
        for table, key, counts, changes in (
            (HOURLY, HOURLY_KEY, HOURLY_COUNTS, self.hourly),
            (HISTORY, HISTORY_KEY, HISTORY_COUNTS, self.history),
            (AGENCY_CLOSES, AGENCY_CLOSES_KEY, AGENCY_CLOSES_COUNTS, self.agency_closes),
        ):
            if changed := {k: v for k, v in changes.items() if any(v)}:
                _add_counts(conn, table, key, counts, [(*k, *v) for k, v in changed.items()])
                shrunk = [dict(zip(key, k, strict=True)) for k, v in changed.items() if min(v) < 0]
                _drop_empty(conn, table, key, and_(*(table.c[c] == 0 for c in counts)), shrunk)
            changes.clear()
        backlog = {k: v for k, v in self.backlog.items() if v}
        if backlog:
            _add_counts(conn, BACKLOG, BACKLOG_KEY, ["open"], [(*k, v) for k, v in backlog.items()])
            shrunk = [dict(zip(BACKLOG_KEY, k, strict=True)) for k, v in backlog.items() if v < 0]
            _drop_empty(conn, BACKLOG, BACKLOG_KEY, BACKLOG.c.open == 0, shrunk)
        for table, key, changes in (
            (CLOSE_HOURS, CLOSE_HOURS_KEY, self.close_hours),
            (CLOSE_DAYS, CLOSE_DAYS_KEY, self.close_days),
            (OPEN_HOURS, OPEN_HOURS_KEY, self.open_hours),
            (ARRIVALS, ARRIVALS_KEY, self.arrivals),
        ):
            count = {OPEN_HOURS: "open", ARRIVALS: "received"}.get(table, "closed")
            if changed := {k: v for k, v in changes.items() if v}:
                _add_counts(conn, table, key, [count], [(*k, v) for k, v in changed.items()])
                shrunk = [dict(zip(key, k, strict=True)) for k, v in changed.items() if v < 0]
                _drop_empty(conn, table, key, table.c[count] == 0, shrunk)
            changes.clear()
        self.backlog.clear()


def _add_counts(conn: Connection, table: Any, key: list[str], counts: list[str], rows: list[tuple]) -> None:  # noqa: ANN401
    stmt = upsert_statement(conn.engine, table)
    stmt = stmt.on_conflict_do_update(index_elements=key, set_={c: table.c[c] + stmt.excluded[c] for c in counts})
    conn.execute(stmt, [dict(zip(key + counts, row, strict=True)) for row in rows])


def _drop_empty(conn: Connection, table: Any, key: list[str], empty: Any, keys: list[Mapping]) -> None:  # noqa: ANN401
    if keys:
        match = [table.c[c] == bindparam(c) for c in key]
        conn.execute(delete(table).where(*match, empty), keys)


def rebuild_complaint_rollups(conn: Connection) -> None:
    """Recompute the rollups from the raw rows (after a bulk load, or to check the kept ones)."""
    conn.execute(delete(HOURLY))
    conn.execute(delete(BACKLOG))
    conn.execute(delete(CLOSE_HOURS))
    conn.execute(delete(CLOSE_DAYS))
    conn.execute(delete(OPEN_HOURS))
    conn.execute(delete(HISTORY))
    conn.execute(delete(AGENCY_CLOSES))
    conn.execute(delete(ARRIVALS))
    c = Complaint.__table__.c
    district = case((c.outside_city.is_(True), OUTSIDE), else_=func.coalesce(c.district_code, ""))
    channel = func.coalesce(c.channel, "")
    zero = literal(0)
    arrived_hour = utc_hour_start(c.requested_at)
    arrived = select(arrived_hour.label("hour"), district.label("d"), c.category.label("k"), channel.label("ch"),
                     func.count().label("r"), zero.label("c"), zero.label("w"), zero.label("f"))  # fmt: skip
    closed_hour = utc_hour_start(c.closed_at)
    closed = select(
        closed_hour, district, c.category, channel, zero, func.count(),
        func.sum(case((c.closed_at <= c.due_at, 1), else_=0)), func.sum(case((c.status == "closed", 1), else_=0)),
    ).where(c.closed_at.is_not(None))  # fmt: skip
    both = union_all(
        arrived.group_by(arrived_hour, district, c.category, channel),
        closed.group_by(closed_hour, district, c.category, channel),
    ).subquery()
    summed = select(both.c.hour, both.c.d, both.c.k, both.c.ch,
                    func.sum(both.c.r), func.sum(both.c.c), func.sum(both.c.w), func.sum(both.c.f))  # fmt: skip
    summed = summed.group_by(both.c.hour, both.c.d, both.c.k, both.c.ch)
    conn.execute(HOURLY.insert().from_select(HOURLY_KEY + HOURLY_COUNTS, summed))
    due = func.coalesce(utc_hour_start(c.due_at), literal(NO_DUE, DateTime))
    backlog = select(district, c.category, due, func.count()).where(c.status.in_(OPEN_STATUSES))
    conn.execute(BACKLOG.insert().from_select(BACKLOG_KEY + ["open"], backlog.group_by(district, c.category, due)))
    bucket = close_bucket(c.requested_at, c.closed_at)
    city_closures = (c.closed_at.is_not(None), c.outside_city.is_not(True))
    by_hour = select(closed_hour, bucket, func.count()).where(*city_closures).group_by(closed_hour, bucket)
    conn.execute(CLOSE_HOURS.insert().from_select(CLOSE_HOURS_KEY + ["closed"], by_hour))
    closed_day = utc_day_start(c.closed_at)
    by_day = select(closed_day, district, bucket, func.count()).where(*city_closures)
    by_day = by_day.group_by(closed_day, district, bucket)
    conn.execute(CLOSE_DAYS.insert().from_select(CLOSE_DAYS_KEY + ["closed"], by_day))
    received_hour = utc_hour_start(c.requested_at)
    span, agency = close_span(c.requested_at, c.closed_at), func.coalesce(c.agency, "")
    within = func.sum(case((c.closed_at <= c.due_at, 1), else_=0))
    by_agency = select(received_hour, agency, span, func.count(), within)
    by_agency = by_agency.where(*city_closures).group_by(received_hour, agency, span)
    conn.execute(AGENCY_CLOSES.insert().from_select(AGENCY_CLOSES_KEY + AGENCY_CLOSES_COUNTS, by_agency))
    still_open = select(district, received_hour, func.count()).where(
        c.status.in_(OPEN_STATUSES), c.outside_city.is_not(True)
    )
    still_open = still_open.group_by(district, received_hour)
    conn.execute(OPEN_HOURS.insert().from_select(OPEN_HOURS_KEY + ["open"], still_open))
    _rebuild_history(conn, district)
    _rebuild_arrivals(conn, district, channel)


def _rebuild_arrivals(conn: Connection, district: Any, channel: Any) -> None:  # noqa: ANN401 - SQL expressions
    c = Complaint.__table__.c
    hour = utc_hour_start(c.requested_at)
    parts = []
    for facet, value in (("", None), ("district_code", district), ("category", c.category), ("channel", channel)):
        shown = literal("") if value is None else value
        stmt = select(hour.label("h"), literal(facet).label("f"), shown.label("v"), func.count().label("n"))
        stmt = stmt.where(c.outside_city.is_not(True))
        parts.append(stmt.group_by(hour) if value is None else stmt.group_by(hour, value))
    conn.execute(ARRIVALS.insert().from_select(ARRIVALS_KEY + ["received"], union_all(*parts)))


def _rebuild_history(conn: Connection, district: Any) -> None:  # noqa: ANN401 - a SQL expression
    c = Complaint.__table__.c
    in_city = c.outside_city.is_not(True)
    settled = and_(c.status == "closed", c.closed_at.is_not(None))
    parts = []
    for i, (moment, *where) in enumerate(
        (
            (c.requested_at,),
            (latest(c.requested_at, c.closed_at), settled),
            (latest(c.requested_at, c.due_at), c.due_at.is_not(None)),
            (latest(c.requested_at, c.closed_at, c.due_at), settled, c.due_at.is_not(None)),
        )
    ):
        hour = utc_hour_start(moment)
        counts = [func.count() if j == i else literal(0) for j in range(len(HISTORY_COUNTS))]
        stmt = select(district.label("d"), hour.label("h"), *(n.label(f"n{j}") for j, n in enumerate(counts)))
        parts.append(stmt.where(in_city, *where).group_by(district, hour))
    both = union_all(*parts).subquery()
    sums = [func.sum(both.c[f"n{j}"]) for j in range(len(HISTORY_COUNTS))]
    summed = select(both.c.d, both.c.h, *sums).group_by(both.c.d, both.c.h)
    conn.execute(HISTORY.insert().from_select(HISTORY_KEY + HISTORY_COUNTS, summed))


def rebuild_all(engine: Engine) -> None:
    with engine.begin() as conn:
        rebuild_complaint_rollups(conn)


__all__ = [
    "AGENCY_CLOSES",
    "ARRIVALS",
    "ARRIVAL_FACETS",
    "BACKLOG",
    "CLOSE_DAYS",
    "CLOSE_HOURS",
    "HISTORY",
    "HOURLY",
    "NO_DUE",
    "OPEN_HOURS",
    "OPEN_STATUSES",
    "OUTSIDE",
    "CLOSE_SPANS",
    "ComplaintAgencyCloses",
    "ComplaintArrivals",
    "ComplaintBacklog",
    "ComplaintCloseDays",
    "ComplaintCloseHours",
    "ComplaintHourly",
    "ComplaintOpenHours",
    "RollupDelta",
    "close_bucket",
    "close_bucket_of",
    "close_span",
    "close_span_of",
    "day_of",
    "hour_of",
    "rebuild_all",
    "rebuild_complaint_rollups",
]
