"""Leader figures: KPIs per district and agency at any moment, against hand-computed values."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from data.ingest.sink import store_complaints
from data.queries.complaints import complaint_kpis
from data.queries.filters import ComplaintFilter
from data.queries.leader import (
    agency_ranking,
    complaint_kpis_by,
    district_ranking,
    late_complaints,
    score_at,
    sla_gaps,
)
from data.queries.snapshot import city_snapshot
from tests.conftest import DEMO_END

NOW = datetime(2026, 11, 18, 5, 0)
TARGETS = Path(__file__).resolve().parents[2] / "data" / "config" / "targets.yaml"
CIPONDOH, LARANGAN = (-6.18, 106.68), (-6.235, 106.735)


def _c(n, category, requested, closed=None, at=CIPONDOH, agency="DLH"):
    return {
        "source": "test",
        "source_id": str(n),
        "category": category,
        "status": "closed" if closed else "open",
        "requested_at": requested,
        "updated_at": closed or requested,
        "closed_at": closed,
        "lat": at[0],
        "lon": at[1],
        "agency": agency,
    }


@pytest.fixture
def city(sqlite_engine):
    store_complaints(
        sqlite_engine,
        [
            _c(1, "sampah", NOW - timedelta(days=10)),  # open, late
            _c(2, "sampah", NOW - timedelta(days=9), NOW - timedelta(days=2)),  # closed 2 days ago, late (3 wd SLA)
            _c(3, "sampah", NOW - timedelta(hours=30), NOW - timedelta(hours=1)),  # closed today, in SLA
            _c(4, "kemacetan", NOW - timedelta(hours=2), at=LARANGAN, agency="Dinas Perhubungan"),  # open today
        ],
    )
    return sqlite_engine


def test_kpis_by_district_now_and_a_week_ago(city):
    now = complaint_kpis_by(city, NOW, "district").set_index("key")
    assert now.loc["36.71.05", "open_backlog"] == 1 and now.loc["36.71.05", "late_open"] == 1
    assert now.loc["36.71.13", "open_backlog"] == 1 and now.loc["36.71.13", "received_today"] == 1
    assert now.loc["36.71.05", "closed_within_sla_pct"] == pytest.approx(50.0)
    # a week ago #1 and #2 were both open and #3, #4 not yet received; #2 closed after that moment
    week = complaint_kpis_by(city, NOW - timedelta(days=7), None).iloc[0]
    # #1 (Sun 8 Nov 12:00 WIB, 3 working days) falls due exactly then (Wed 11 Nov 12:00 WIB): not late yet
    assert week["open_backlog"] == 2 and week["late_open"] == 0
    assert week["closed_within_sla_pct"] is None or week["closed_within_sla_pct"] != week["closed_within_sla_pct"]


def test_whole_city_row_equals_the_wall_kpis(city):
    mine = complaint_kpis_by(city, NOW).iloc[0]
    wall = complaint_kpis(city, NOW)
    for field in ("open_backlog", "late_open", "received_today", "closed_today"):
        assert mine[field] == getattr(wall, field)
    assert mine["median_close_h"] == pytest.approx(wall.median_close_h)
    assert mine["closed_within_sla_pct"] == pytest.approx(wall.closed_within_sla_pct)


def test_agency_ranking_and_late_list(city):
    agencies = agency_ranking(city, NOW, TARGETS).set_index("code")
    assert set(agencies.index) == {"DLH", "Dinas Perhubungan"}
    assert agencies.loc["DLH", "late"] == 1 and agencies.loc["DLH", "sla_pct"] == pytest.approx(50.0)
    late = late_complaints(city, NOW, ComplaintFilter(agencies=("DLH",)))
    assert late["id"].tolist() == [1]
    assert late.iloc[0]["late_h"] > 24


def test_sla_gaps_worst_first(city):
    gaps = sla_gaps(city, NOW, min_closed=1)
    assert gaps.iloc[0][["district", "category", "closed", "within"]].tolist() == ["Cipondoh", "sampah", 2, 1]


def test_district_ranking_scores_match_the_district_snapshot(small_city):
    ranking = district_ranking(small_city, DEMO_END, TARGETS).set_index("code")
    assert len(ranking) == 13
    assert ranking["score"].dropna().is_monotonic_decreasing
    snap = city_snapshot(small_city, DEMO_END, TARGETS, "36.71.05")
    assert ranking.loc["36.71.05", "score"] == pytest.approx(snap.score)
    assert ranking.loc["36.71.05", "open"] == snap.complaints.open_backlog
    now_point = score_at(small_city, DEMO_END, TARGETS)
    assert now_point["kpis"].open_backlog == city_snapshot(small_city, DEMO_END, TARGETS).complaints.open_backlog
