"""The 30-day closing figures assembled from remembered whole days and two live slivers equal one full scan."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text

from callbacks.cache import VersionedCache
from data.ingest.sink import store_complaints
from data.queries.closures import CLOSE_WINDOW_DAYS, closing_performance
from data.queries.filters import ComplaintFilter
from data.timebuckets import wib_midnight_utc, wib_today
from tests.conftest import DEMO_END


def _one_scan(engine, end, district=None):
    sql = (
        "SELECT (julianday(closed_at) - julianday(requested_at)) * 24.0, closed_at <= due_at FROM complaints "
        "WHERE closed_at >= :s AND closed_at <= :e AND NOT outside_city"
        + (" AND district_code = :d" if district else "")
    )
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"s": end - timedelta(days=CLOSE_WINDOW_DAYS), "e": end, "d": district}).all()
    hours = np.sort(np.array([r[0] for r in rows]))
    n = hours.size
    return n, 100.0 * sum(r[1] for r in rows) / n, hours[round(0.5 * (n - 1))], hours[round(0.9 * (n - 1))]


@pytest.mark.parametrize(
    "end",
    [DEMO_END, wib_midnight_utc(wib_today(DEMO_END)), wib_midnight_utc(wib_today(DEMO_END)) + timedelta(seconds=1)],
    ids=["mid-day", "at-midnight", "just-after-midnight"],
)
def test_split_window_equals_one_scan(small_city, end):
    got = closing_performance(small_city, end)
    n, pct, median, p90 = _one_scan(small_city, end)
    assert got.closed == n > 100
    assert got.within_sla_pct == pytest.approx(pct)
    assert got.median_h == pytest.approx(median) and got.p90_h == pytest.approx(p90)


def test_remembered_days_give_the_same_figures_and_today_stays_live(small_city):
    memo = VersionedCache(small_city, ttl_s=600, version_check_s=0).get_or_compute
    flt = ComplaintFilter.for_district("36.71.01")
    first = closing_performance(small_city, DEMO_END, flt, memo)
    assert first == closing_performance(small_city, DEMO_END, flt)
    record = {"source": "t", "source_id": "fast", "category": "banjir", "district_code": "36.71.01",
              "status": "closed", "requested_at": DEMO_END - timedelta(minutes=30), "closed_at": DEMO_END}  # fmt: skip
    store_complaints(small_city, [record])
    after = closing_performance(small_city, DEMO_END, flt, memo)  # whole days from the memo, today read again
    assert after.closed == first.closed + 1
    assert after == closing_performance(small_city, DEMO_END, flt)
