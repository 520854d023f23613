"""The leader's pages gathered in data/ (the callbacks only wire and lay out): the figures agree with the
queries they come from, a remembered page equals a computed one, and an unknown code is None."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from callbacks.cache import VersionedCache
from data.queries.complaints import counts_by
from data.queries.filters import ComplaintFilter
from data.queries.kpi_board import comparison_moment
from data.queries.leader import agency_ranking, district_populations, late_complaints, score_at
from data.queries.leader_pages import HISTORY_DAYS, city_briefing, place_detail, slug
from data.queries.snapshot import city_snapshot
from tests.conftest import DEMO_END

TARGETS = Path(__file__).resolve().parents[2] / "data" / "config" / "targets.yaml"


def test_city_briefing_says_what_the_snapshot_and_history_say(small_city):
    city = city_briefing(small_city, DEMO_END, TARGETS, "en")
    snap = city_snapshot(small_city, DEMO_END, TARGETS)
    assert city.figures.open_now == snap.complaints.open_backlog and city.figures.score_now == snap.score
    assert len(city.history) == HISTORY_DAYS
    week = city.history.iloc[-7]
    assert city.figures.open_week_ago == int(week["open"])
    assert week["at"] == DEMO_END.replace(minute=0) - timedelta(days=7)
    assert city.figures.active_alerts == len(city.alerts)
    if not city.gaps.empty:
        assert city.figures.worst_district == city.gaps.iloc[0]["district"]


def test_a_district_page_has_its_own_figures(small_city):
    code = district_populations(small_city)["code"].iloc[0]
    place = place_detail(small_city, DEMO_END, TARGETS, "district", code)
    assert (place.district, place.agency) == (code, None)
    snap = city_snapshot(small_city, DEMO_END, TARGETS, code)
    assert place.points[0]["kpis"] == snap.complaints
    assert [p["at"] for p in place.points[1:]] == [comparison_moment(DEMO_END, timedelta(days=d)) for d in (7, 30)]
    assert place.points[1]["score"] == score_at(small_city, place.points[1]["at"], TARGETS, code)["score"]
    month = counts_by(small_city, ComplaintFilter(DEMO_END - timedelta(days=30), DEMO_END, (code,)), "category")
    assert place.categories == [(r.category, int(r.n)) for r in month.head(6).itertuples()]
    late = late_complaints(small_city, DEMO_END, ComplaintFilter.for_district(code))
    assert [r["id"] for r in place.late] == late["id"].tolist()
    assert place.population > 0 and place.sensor_states is not None and place.open_by_district == []


def test_an_agency_page_is_found_by_its_slug_and_lists_its_districts(small_city):
    agency = agency_ranking(small_city, DEMO_END, TARGETS)["code"].iloc[0]
    place = place_detail(small_city, DEMO_END, TARGETS, "agency", slug(agency))
    assert (place.name, place.district, place.agency) == (agency, None, agency)
    assert place.population is None and place.sensor_states is None
    assert all(n > 0 for _, n in place.open_by_district)
    assert sum(n for _, n in place.open_by_district) <= place.figures.open_now


def test_an_unknown_code_is_none(small_city):
    assert place_detail(small_city, DEMO_END, TARGETS, "district", "99.99.99") is None
    assert place_detail(small_city, DEMO_END, TARGETS, "agency", "no-such-agency") is None


def test_a_remembered_page_equals_a_computed_one(small_city):
    memo = VersionedCache(small_city, ttl_s=600, version_check_s=0).get_or_compute
    code = district_populations(small_city)["code"].iloc[1]
    computed = place_detail(small_city, DEMO_END, TARGETS, "district", code)
    for _ in range(2):
        remembered = place_detail(small_city, DEMO_END, TARGETS, "district", code, memo)
        assert remembered.figures == computed.figures and remembered.categories == computed.categories
        assert [p["score"] for p in remembered.points] == [p["score"] for p in computed.points]
    other_code = district_populations(small_city)["code"].iloc[2]
    other = place_detail(small_city, DEMO_END, TARGETS, "district", other_code, memo)  # no part of another's
    assert other.figures == place_detail(small_city, DEMO_END, TARGETS, "district", other_code).figures
    assert other.name != remembered.name
