"""Exact quantiles of hours to close over a window of closures, without reading the window's closures.

`complaints_close_hours` counts the city's closures per UTC hour and duration bucket (data/complaint_rollups.py):
the counts per bucket over the window's whole hours (plus the partial hours at its edges, from the raw rows) say
which bucket holds the value at each quantile's offset and where in it; the index on the same bucket expression
then reads that bucket's closures of the window, ordered by the database, and returns the one value. The value
is the one a sort of every closure of the window gives (buckets follow the exact durations), at a cost that no
longer grows with the closures per day: at 16,000 complaints a day, ~490,000 closures in 30 days -> about
25,000 rollup rows and one bucket's few thousand index entries per quantile.
Only the city as a whole is answered (the rollup has no kecamatan or category); `answers(flt)` says so.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data.complaint_rollups import CLOSE_HOURS, close_bucket, hour_of
from data.models import Complaint
from data.queries import complaint_flows as flows
from data.queries.filters import ComplaintFilter
from data.timebuckets import hours_between

HOUR = timedelta(hours=1)


def answers(flt: ComplaintFilter) -> bool:
    """Whether the closures' rollup carries `flt`: the whole city, nothing narrower."""
    return flows.answers(flt) and not (flt.districts or flt.categories or flt.channels)


def _bucket_counts(conn: Connection, start: datetime, end: datetime, in_city: list) -> dict[int, int]:
    """Closures per bucket with `start <= closed_at <= end`: whole hours from the rollup, edges from the rows."""
    bucket = close_bucket(Complaint.requested_at, Complaint.closed_at)
    first = start if start == hour_of(start) else hour_of(start) + HOUR
    last = hour_of(end)

    def raw(lo: datetime, hi: datetime, inclusive: bool) -> list:
        until = Complaint.closed_at <= hi if inclusive else Complaint.closed_at < hi
        stmt = select(bucket, func.count()).where(Complaint.closed_at >= lo, until, *in_city).group_by(bucket)
        return conn.execute(stmt).all()

    if first > last:  # the window lies inside one hour
        rows = raw(start, end, True)
    else:
        h = CLOSE_HOURS.c
        whole = select(h.bucket, func.sum(h.closed)).where(h.hour >= first, h.hour < last).group_by(h.bucket)
        rows = [*conn.execute(whole).all(), *raw(start, first, False), *raw(last, end, True)]
    counts: dict[int, int] = {}
    for b, n in rows:
        counts[int(b)] = counts.get(int(b), 0) + int(n)
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
    counts = _bucket_counts(conn, start, end, in_city)
    buckets = sorted(b for b, n in counts.items() if n)
    return CloseRanks(conn, start, end, in_city, buckets, list(accumulate(counts[b] for b in buckets)))
