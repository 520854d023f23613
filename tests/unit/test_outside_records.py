"""Records located outside the city are kept and flagged but never counted in its figures; records without
coordinates are counted city-wide, in no kecamatan (issue #14.7: a Chicago file once raised the wall's backlog)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from data.ingest.sink import store_complaints
from data.models import Complaint
from data.queries.complaints import complaint_kpis, open_by_district, outside_arrivals
from data.queries.filters import ComplaintFilter
from tests.conftest import DEMO_END
from tests.helpers.components import classes, props, texts


def _record(i: int, **place: object) -> dict:
    at = DEMO_END - timedelta(days=20, minutes=i)  # long past its SLA: late if it counted
    return {"source": "chicago", "source_id": f"CHI-{i}", "category": "jalan_rusak", "status": "open",
            "requested_at": at, "updated_at": at, "channel": "web", **place}  # fmt: skip


def test_outside_records_are_kept_but_never_counted_and_unlocated_count_city_wide(small_city):
    before = complaint_kpis(small_city, DEMO_END, ComplaintFilter())
    by_district_before = open_by_district(small_city, DEMO_END).set_index("code")["open"]
    chicago = [_record(i, lat=41.88, lon=-87.63) for i in range(40)]
    unlocated = [_record(100 + i) for i in range(3)]
    store_complaints(small_city, chicago + unlocated)
    with small_city.connect() as conn:
        kept = conn.execute(select(func.count()).where(Complaint.source == "chicago", Complaint.outside_city)).scalar()
    assert kept == 40  # kept, and flagged
    after = complaint_kpis(small_city, DEMO_END, ComplaintFilter())
    assert after.open_backlog == before.open_backlog + 3  # the unlocated only
    assert after.late_open == before.late_open + 3
    by_district_after = open_by_district(small_city, DEMO_END).set_index("code")["open"]
    assert by_district_after.equals(by_district_before)  # in no kecamatan
    assert outside_arrivals(small_city, DEMO_END - timedelta(days=30)) >= 40


def test_the_data_health_strip_says_how_many_arrived_from_outside():
    from layouts.components.freshness import FeedChip, health_strip

    chips = [FeedChip("complaints", "Keluhan", "2 mnt lalu", False, 120.0)]
    strip = health_strip(chips, "id", outside=1234)
    first = strip[0]
    assert props(first)["data-feed"] == "outside" and "stale" in classes(first)
    assert texts(first) == ["1.234", "keluhan dari luar wilayah · 24 jam"]
    assert all(props(c).get("data-feed") != "outside" for c in health_strip(chips, "id"))
