"""PostgreSQL buckets days at the city's own midnight too (its SQL differs from SQLite's)."""

from __future__ import annotations

from datetime import datetime

import pytest

from data.city import using
from data.ingest.sink import store_complaints
from data.queries.complaints import counts_over_time
from data.queries.filters import ComplaintFilter
from tests.helpers.packs import pack_in_zone

TIMES = (datetime(2026, 11, 20, 15, 30), datetime(2026, 11, 20, 16, 30))  # 22:30/23:30 WIB, 23:30/00:30 WITA


@pytest.mark.parametrize(
    ("zone", "days"),
    [("Asia/Jakarta", {"2026-11-20": 2}), ("Asia/Makassar", {"2026-11-20": 1, "2026-11-21": 1})],
)
def test_postgres_days_start_at_the_citys_midnight(pg_engine, tmp_path, zone, days):
    records = [
        {"source": "zone", "source_id": f"z{i}", "category": "sampah", "status": "open", "channel": "app",
         "requested_at": at, "lat": -6.18, "lon": 106.63}
        for i, at in enumerate(TIMES)
    ]  # fmt: skip
    with using(pack_in_zone(tmp_path / "pack", zone)):
        store_complaints(pg_engine, records)
        frame = counts_over_time(pg_engine, ComplaintFilter())
    assert frame.groupby("period")["n"].sum().to_dict() == days
