"""The query layer's figures against values computed by hand on a few known complaints."""

from datetime import datetime, timedelta

from data.ingest.sink import store_complaints
from data.queries.complaints import complaint_kpis, counts_by, counts_over_time, open_by_district
from data.queries.filters import ComplaintFilter

NOW = datetime(2026, 11, 18, 5, 0)  # Wednesday 12:00 WIB
CIPONDOH = (-6.18, 106.68)
LARANGAN = (-6.235, 106.735)


def _complaint(n, category, requested, status="open", closed=None, at=CIPONDOH, channel="app"):
    return {
        "source": "test",
        "source_id": str(n),
        "category": category,
        "status": status,
        "channel": channel,
        "requested_at": requested,
        "updated_at": closed or requested,
        "closed_at": closed,
        "lat": at[0],
        "lon": at[1],
    }


def _fixture(engine):
    records = [
        # closed within SLA (2 working days for kemacetan): 10 h to close
        _complaint(1, "kemacetan", NOW - timedelta(days=1), "closed", NOW - timedelta(hours=14)),
        # closed late: jalan_rusak has 10 working days, closed after 20 days
        _complaint(2, "jalan_rusak", NOW - timedelta(days=25), "closed", NOW - timedelta(days=5)),
        # closed today (after 00:00 WIB = 17:00 UTC yesterday), 30 h
        _complaint(3, "sampah", NOW - timedelta(hours=31), "closed", NOW - timedelta(hours=1)),
        # open, received today, in Larangan
        _complaint(4, "sampah", NOW - timedelta(hours=2), at=LARANGAN, channel="whatsapp"),
        # open and late (sampah: 3 working days), received 10 days ago
        _complaint(5, "sampah", NOW - timedelta(days=10)),
    ]
    store_complaints(engine, records)


def test_kpis_equal_hand_computed_values(sqlite_engine):
    _fixture(sqlite_engine)
    k = complaint_kpis(sqlite_engine, NOW)
    assert k.open_backlog == 2
    assert k.late_open == 1
    assert k.received_today == 1
    assert k.closed_today == 1
    # closed in the last 30 days: #1 (10 h, in SLA), #2 (480 h, late), #3 (30 h, in SLA)
    assert round(k.closed_within_sla_pct, 3) == round(200 / 3, 3)
    assert round(k.median_close_h, 6) == 30.0
    assert round(k.p90_close_h, 6) == 480.0
    # open ages: 2 h and 240 h -> median by ordered offset round(0.5 * 1) = index 0 or 1
    assert k.backlog_median_age_h in (2.0, 240.0) or abs(k.backlog_median_age_h - 2.0) < 1e-6


def test_a_district_filter_narrows_every_figure(sqlite_engine):
    _fixture(sqlite_engine)
    k = complaint_kpis(sqlite_engine, NOW, ComplaintFilter(districts=("36.71.13",)))  # Larangan
    assert (k.open_backlog, k.received_today, k.closed_today) == (1, 1, 0)


def test_open_by_district_keeps_all_thirteen_and_computes_rate_per_10k(sqlite_engine):
    _fixture(sqlite_engine)
    frame = open_by_district(sqlite_engine, NOW).set_index("code")
    assert len(frame) == 13
    assert frame.loc["36.71.05", "open"] == 1 and frame.loc["36.71.05", "late"] == 1
    assert frame.loc["36.71.05", "per_10k"] == round(10_000 / 248_210, 2)
    assert frame.loc["36.71.01", "open"] == 0


def test_counts_by_category_channel_and_day(sqlite_engine):
    _fixture(sqlite_engine)
    flt = ComplaintFilter(start=NOW - timedelta(days=3), end=NOW)
    assert dict(counts_by(sqlite_engine, flt, "category").values.tolist()) == {"sampah": 2, "kemacetan": 1}
    assert dict(counts_by(sqlite_engine, flt, "channel").values.tolist()) == {"app": 2, "whatsapp": 1}
    days = counts_over_time(sqlite_engine, flt)
    # #1 at 12:00 WIB and #3 at 05:00 WIB on the 17th; #4 at 10:00 WIB on the 18th
    assert days.groupby("period")["n"].sum().to_dict() == {"2026-11-17": 2, "2026-11-18": 1}
