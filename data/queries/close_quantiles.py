"""Exact quantiles of hours to close over a window of closures, without reading the window's closures.

`complaints_close_hours` counts the city's closures per UTC hour and duration bucket (data/complaint_rollups.py):
the counts per bucket over the window's whole hours (plus the partial hours at its edges, from the raw rows) say
which bucket holds the value at each quantile's offset and where in it; the index on the same bucket expression
then reads that bucket's closures of the window, ordered by the database, and returns the one value. The value
is the one a sort of every closure of the window gives (buckets follow the exact durations), at a cost that no
longer grows with the closures per day: at 16,000 complaints a day, ~490,000 closures in 30 days -> about
25,000 rollup rows and one bucket's few thousand index entries per quantile.
`backlog_median_age` finds the open backlog's median age the same way from `complaints_open_hours` (open
complaints per kecamatan and hour received) and one hour's open rows.
`quantiles_by_district` does the same per kecamatan from the daily rollup (`complaints_close_days`), all
kecamatan in one pass. Only unfiltered windows are answered (no category or channel in these rollups);
`answers(flt)` says so.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data.complaint_rollups import CLOSE_DAYS, CLOSE_HOURS, OPEN_HOURS, OPEN_STATUSES, close_bucket, day_of, hour_of
from data.models import Complaint
from data.queries import complaint_flows as flows
from data.queries.filters import ComplaintFilter
from data.timebuckets import hours_between

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def answers(flt: ComplaintFilter, *, by_district: bool = False) -> bool:
    """Whether these rollups carry `flt`: the whole city, or with `by_district` (the open-per-hour rollup) also
    some kecamatan; never a category or channel."""
    return flows.answers(flt) and not (flt.categories or flt.channels or (flt.districts and not by_district))


def quantile_offsets(n: int, qs: tuple[float, ...]) -> list[int]:
    """The ordered offsets of exact quantiles: round(q * (n - 1)), kept inside the sample."""
    return [min(n - 1, max(0, int(round(q * (n - 1))))) for q in qs]


def _counts(conn: Connection, start: datetime, end: datetime, in_city: list, by_district: bool) -> dict[tuple, int]:
    """Closures per (bucket,) or (kecamatan, bucket) with `start <= closed_at <= end`: whole hours (or UTC days,
    per kecamatan) from the rollup, the partial periods at the edges from the rows."""
    table, step, period_of = (CLOSE_DAYS, DAY, day_of) if by_district else (CLOSE_HOURS, HOUR, hour_of)
    bucket = close_bucket(Complaint.requested_at, Complaint.closed_at)
    keys = [func.coalesce(Complaint.district_code, ""), bucket] if by_district else [bucket]
    first = start if start == period_of(start) else period_of(start) + step
    last = period_of(end)

    def raw(lo: datetime, hi: datetime, inclusive: bool) -> list:
        until = Complaint.closed_at <= hi if inclusive else Complaint.closed_at < hi
        stmt = select(*keys, func.count()).where(Complaint.closed_at >= lo, until, *in_city).group_by(*keys)
        return conn.execute(stmt).all()

    if first > last:  # the window lies inside one period
        rows = raw(start, end, True)
    else:
        t = table.c
        kept = [t.district_code, t.bucket] if by_district else [t.bucket]
        period = t.day if by_district else t.hour
        whole = select(*kept, func.sum(t.closed)).where(period >= first, period < last).group_by(*kept)
        rows = [*conn.execute(whole).all(), *raw(start, first, False), *raw(last, end, True)]
    counts: dict[tuple, int] = defaultdict(int)
    for *key, n in rows:
        counts[tuple(key[:-1]) + (int(key[-1]),)] += int(n)
    return counts


@dataclass(frozen=True)
class CloseRanks:
    """The closures of a window ranked by hours to close: how many, and the value at any ordered offset."""

    conn: Connection
    start: datetime
    end: datetime
    in_city: list
    buckets: list[int]
    ends: list[int]  # closures up to and including each bucket

    @property
    def n(self) -> int:
        return self.ends[-1] if self.ends else 0

    def hours_at(self, offsets: list[int]) -> list[float]:
        """The hours to close at each ordered offset (0 = fastest; each below `n`), one indexed pick apiece."""
        hours = hours_between(Complaint.requested_at, Complaint.closed_at)
        bucket = close_bucket(Complaint.requested_at, Complaint.closed_at)
        window = [Complaint.closed_at >= self.start, Complaint.closed_at <= self.end, *self.in_city]
        out = []
        for offset in offsets:
            i = bisect_right(self.ends, offset)
            within = offset - (self.ends[i - 1] if i else 0)
            pick = select(hours).where(bucket == self.buckets[i], *window).order_by(hours).limit(1).offset(within)
            out.append(float(self.conn.execute(pick).scalar_one()))
        return out


def close_ranks(conn: Connection, start: datetime, end: datetime, flt: ComplaintFilter | None = None) -> CloseRanks:
    """Closures with `start <= closed_at <= end` under a filter `answers` accepts, ranked by hours to close."""
    in_city = (flt or ComplaintFilter()).clauses(include_time=False)
    counts = {b: n for (b,), n in _counts(conn, start, end, in_city, by_district=False).items() if n}
    buckets = sorted(counts)
    return CloseRanks(conn, start, end, in_city, buckets, list(accumulate(counts[b] for b in buckets)))


def quantiles_by_district(
    conn: Connection, start: datetime, end: datetime, qs: tuple[float, ...], flt: ComplaintFilter | None = None
) -> dict[str, tuple[int, list[float]]]:
    """Per kecamatan ('' unlocated): closures with `start <= closed_at <= end` and their exact hours to close at
    each quantile, in one pass: per-kecamatan counts per bucket, then one indexed read per bucket that holds a
    quantile of any kecamatan."""
    in_city = (flt or ComplaintFilter()).clauses(include_time=False)
    per_district: dict[str, dict[int, int]] = defaultdict(dict)
    for (district, b), n in _counts(conn, start, end, in_city, by_district=True).items():
        if n:
            per_district[district][b] = n
    wanted: dict[int, list[tuple[str, int, int]]] = defaultdict(list)  # bucket -> (kecamatan, rank in it, q index)
    sizes = {}
    for district, counts in per_district.items():
        buckets = sorted(counts)
        ends = list(accumulate(counts[b] for b in buckets))
        sizes[district] = ends[-1]
        for qi, offset in enumerate(quantile_offsets(ends[-1], qs)):
            i = bisect_right(ends, offset)
            wanted[buckets[i]].append((district, offset - (ends[i - 1] if i else 0), qi))
    hours = hours_between(Complaint.requested_at, Complaint.closed_at)
    bucket = close_bucket(Complaint.requested_at, Complaint.closed_at)
    district_key = func.coalesce(Complaint.district_code, "")
    window = [Complaint.closed_at >= start, Complaint.closed_at <= end, *in_city]
    picked: dict[str, list[float]] = {d: [0.0] * len(qs) for d in sizes}
    for b, picks in wanted.items():
        values: dict[str, list[float]] = defaultdict(list)
        for district, value in conn.execute(select(district_key, hours).where(bucket == b, *window)):
            values[district].append(float(value))
        for district, rank, qi in picks:
            picked[district][qi] = sorted(values[district])[rank]
    return {d: (sizes[d], picked[d]) for d in sizes}


def backlog_median_age(conn: Connection, now: datetime, flt: ComplaintFilter | None = None) -> float | None:
    """Median hours since receipt of the complaints open now and received by `now` (the wall's backlog age):
    the hour holding the median from the open-per-hour rollup (the current hour from the rows), then that
    hour's open rows ordered by the `(status, requested_at)` index. Exact, as a sort of every open row."""
    flt = flt or ComplaintFilter()
    current = hour_of(now)
    o = OPEN_HOURS.c
    whole = (
        select(o.hour, func.sum(o.open))
        .where(o.hour < current, *flows.rollup_clauses(OPEN_HOURS, flt))
        .group_by(o.hour)
        .order_by(o.hour.desc())  # youngest first: ascending age
    )
    hours = [(hour, int(n)) for hour, n in conn.execute(whole)]
    base = [Complaint.status.in_(OPEN_STATUSES), *flt.clauses(include_time=False)]
    this_hour = [Complaint.requested_at >= current, Complaint.requested_at <= now]
    recent = int(conn.execute(select(func.count()).where(*this_hour, *base)).scalar() or 0)
    n = recent + sum(count for _, count in hours)
    if n == 0:
        return None
    (rank,) = quantile_offsets(n, (0.5,))
    if rank >= recent:
        rank -= recent
        for hour, count in hours:
            if rank < count:
                this_hour = [Complaint.requested_at >= hour, Complaint.requested_at < hour + HOUR]
                break
            rank -= count
    age = hours_between(Complaint.requested_at, now)
    pick = select(age).where(*this_hour, *base).order_by(Complaint.requested_at.desc()).limit(1).offset(rank)
    return float(conn.execute(pick).scalar_one())
