"""Every analyst chart's figures against values worked out by hand on six known complaints."""

from datetime import date, datetime, timedelta

import pytest

from data.ingest.sink import store_complaints
from data.models import Sensor
from data.queries import analyst as q
from data.queries import complaint_flows as flows
from data.queries.analyst_filter import FilterState, from_query, known_values, to_filter, to_query
from data.queries.analyst_records import complaint_detail, count_records, iter_records, record_page

NOW = datetime(2026, 11, 18, 5, 0)  # Wednesday 12:00 WIB
CIPONDOH, LARANGAN = (-6.18, 106.68), (-6.235, 106.735)
CIPONDOH_CODE, LARANGAN_CODE = "36.71.05", "36.71.13"


def _c(n, category, requested, status="open", closed=None, at=CIPONDOH, channel="app", name=None):
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
        "description": f"uraian {n} 100%_x",
        "reporter_name": name,
        "agency": AGENCY[category],
    }


AGENCY = {"kemacetan": "Dinas Perhubungan", "sampah": "DLH", "banjir": "BPBD"}


@pytest.fixture
def city(sqlite_engine):
    store_complaints(
        sqlite_engine,
        [
            # Mon 16 Nov 09:00 WIB, closed 10 h later (within the 2-day SLA of kemacetan)
            _c(1, "kemacetan", datetime(2026, 11, 16, 2, 0), "closed", datetime(2026, 11, 16, 12, 0)),
            # Mon 16 Nov 09:30 WIB, sampah closed after 100 h (3 working days SLA -> late)
            _c(2, "sampah", datetime(2026, 11, 16, 2, 30), "closed", datetime(2026, 11, 20, 6, 30)),
            # Tue 17 Nov 14:00 WIB in Larangan via WhatsApp, open (age 22 h)
            _c(3, "sampah", datetime(2026, 11, 17, 7, 0), at=LARANGAN, channel="whatsapp", name="Siti"),
            # Sun 8 Nov 10:00 WIB, banjir, open and late (age 10 days + 2 h)
            _c(4, "banjir", datetime(2026, 11, 8, 3, 0)),
            # Wed 18 Nov 08:00 WIB, banjir in Larangan, open (age 5 h)
            _c(5, "banjir", datetime(2026, 11, 18, 0, 0), at=LARANGAN),
            # outside the 7-day window: 1 Oct
            _c(6, "sampah", datetime(2026, 10, 1, 3, 0), "closed", datetime(2026, 10, 2, 3, 0)),
        ],
    )
    return sqlite_engine


def _week(engine, **kw):
    state, rejected = from_query(kw, known_values(engine), date(2026, 11, 18))
    assert rejected == []
    return to_filter(state.with_values(start_day="2026-11-08", end_day="2026-11-18"))


def test_by_district_counts_and_rate_per_10k(city):
    frame = q.by_district(city, _week(city)).set_index("code")
    assert len(frame) == 13
    assert frame.loc[CIPONDOH_CODE, "n"] == 3 and frame.loc[LARANGAN_CODE, "n"] == 2
    pop = frame.loc[LARANGAN_CODE, "population"]
    assert frame.loc[LARANGAN_CODE, "per_10k"] == pytest.approx(2 * 10_000 / pop)
    assert frame["n"].sum() == 5


def test_over_time_category_and_channel(city):
    flt = _week(city)
    days = q.counts_over_time(city, flt, "day")
    assert days.groupby("period")["n"].sum().to_dict() == {
        "2026-11-08": 1,
        "2026-11-16": 2,
        "2026-11-17": 1,
        "2026-11-18": 1,
    }
    weeks = q.counts_over_time(city, flt, "week").groupby("period")["n"].sum().to_dict()
    assert weeks == {"2026-11-02": 1, "2026-11-16": 4}
    assert dict(q.counts_by(city, flt, "category").values.tolist()) == {"sampah": 2, "banjir": 2, "kemacetan": 1}
    assert dict(q.counts_by(city, flt, "channel").values.tolist()) == {"app": 4, "whatsapp": 1}


def test_close_by_agency_buckets_and_sla(city):
    buckets = q.close_by_agency(city, _week(city))
    got = {(r.agency, r.bucket): (r.n, r.within) for r in buckets.itertuples()}
    assert got == {("Dinas Perhubungan", "<1d"): (1, 1), ("DLH", "3-7d"): (1, 0)}
    sla = q.sla_by_agency(buckets).set_index("agency")["sla_pct"].to_dict()
    assert sla == {"DLH": 0.0, "Dinas Perhubungan": 100.0}


def test_heatmap_cells_in_wib(city):
    cells = {(r.weekday, r.hour): r.n for r in q.hour_weekday(city, _week(city)).itertuples()}
    assert cells == {(0, 9): 2, (1, 14): 1, (6, 10): 1, (2, 7): 1}


def test_backlog_age_buckets_and_late(city):
    frame = q.backlog_age(city, _week(city), NOW)
    got = {(r.bucket, r.late): r.n for r in frame.itertuples()}
    assert got == {("<1d", 0): 2, ("7-14d", 1): 1}


def test_heatmap_cell_and_hour_filters_narrow_every_chart(city):
    state = FilterState(start_day="2026-11-08", end_day="2026-11-18", hours=(9,), weekdays=(0,))
    flt = to_filter(state)
    assert q.by_district(city, flt)["n"].sum() == 2
    assert count_records(city, flt, NOW) == 2


def test_sensor_vs_complaints_daily_values(city):
    with city.begin() as conn:
        conn.execute(
            Sensor.__table__.insert(),
            [
                {"id": "rain-1", "name": "r1", "kind": "rainfall", "unit": "mm/h", "lat": -6.18, "lon": 106.68,
                 "district_code": CIPONDOH_CODE},
                {"id": "river-1", "name": "w1", "kind": "water_level", "unit": "cm", "lat": -6.18, "lon": 106.68,
                 "district_code": CIPONDOH_CODE},
            ],
        )  # fmt: skip
    from data.ingest.sink import store_observations

    # 17 Nov 08:00 and 09:00 WIB: rain 4 and 6 mm/h (10 mm that day); river 100 then 180 cm (peak 180)
    store_observations(
        city,
        [
            ("rain-1", datetime(2026, 11, 17, 1, 0), 4.0),
            ("rain-1", datetime(2026, 11, 17, 2, 0), 6.0),
            ("river-1", datetime(2026, 11, 17, 1, 0), 100.0),
            ("river-1", datetime(2026, 11, 17, 2, 0), 180.0),
        ],
    )
    readings, reports, cats = q.sensor_vs_complaints(city, _week(city, district=CIPONDOH_CODE))
    assert cats == ("banjir",)
    values = {(r.period, r.kind): r.value for r in readings.itertuples()}
    assert values == {("2026-11-17", "rainfall"): 10.0, ("2026-11-17", "water_level"): 180.0}
    assert reports.set_index("period")["n"].to_dict() == {"2026-11-08": 1}


def test_url_round_trip_and_rejected_values(city):
    known = known_values(city)
    params = {"district": [CIPONDOH_CODE, "99.99"], "category": "banjir,nope", "from": "2026-11-01", "to": "2026-11-22"}
    state, rejected = from_query(params, known, date(2026, 11, 23))
    assert rejected == ["district=99.99", "category=nope"]
    assert (state.preset, state.start_day, state.end_day) == ("custom", "2026-11-01", "2026-11-22")
    again, _ = from_query(
        {k: v for k, v in _parse(to_query(state)).items()}, known, date(2026, 12, 25)
    )  # a link opened a month later shows the same days
    assert again == state
    seven, _ = from_query({"range": "7d"}, known, date(2026, 11, 18))
    assert (seven.start_day, seven.end_day) == ("2026-11-12", "2026-11-18")


def _parse(query):
    from urllib.parse import parse_qs

    return parse_qs(query.lstrip("?"))


def test_records_page_sort_filter_and_personal_columns(city):
    flt = _week(city)
    assert count_records(city, flt, NOW) == 5
    page = record_page(city, flt, NOW, 0, 2, [{"colId": "id", "sort": "asc"}])
    assert page["id"].tolist() == [1, 2] and "reporter_name" not in page.columns
    late = record_page(city, flt, NOW, 0, 10, None, {"late": {"filterType": "number", "type": "equals", "filter": 1}})
    assert sorted(late["id"]) == [2, 4]
    # LIKE wildcards in user text are literal
    literal = {"description": {"filterType": "text", "type": "contains", "filter": "1 100%_x"}}
    assert record_page(city, flt, NOW, 0, 10, None, literal)["id"].tolist() == [1]
    assert (
        count_records(city, flt, NOW, {"description": {"filterType": "text", "type": "contains", "filter": "%"}}) == 5
    )
    assert count_records(city, flt, NOW, {"nope": {"type": "contains", "filter": "x"}}) == 5
    personal = record_page(city, flt, NOW, 0, 10, [{"colId": "id", "sort": "asc"}], include_personal=True)
    assert personal.set_index("id").loc[3, "reporter_name"] == "Siti"
    assert len(list(iter_records(city, flt, NOW, batch=2))) == 5


def test_record_detail_has_its_status_timeline(city):
    detail = complaint_detail(city, 2, NOW)
    last = detail["history"][-1]
    assert (last["status"], last["changed_at"]) == ("closed", datetime(2026, 11, 20, 6, 30))
    assert detail["district"] == "Cipondoh" and "reporter_name" not in detail
    assert complaint_detail(city, 999, NOW) is None


def test_hour_and_weekday_filters_narrow_the_category_channel_and_time_charts(city):
    flt = to_filter(FilterState(start_day="2026-11-08", end_day="2026-11-18", hours=(9,), weekdays=(0,)))
    assert dict(q.counts_by(city, flt, "category").values.tolist()) == {"sampah": 1, "kemacetan": 1}
    assert dict(q.counts_by(city, flt, "channel").values.tolist()) == {"app": 2}
    assert q.counts_over_time(city, flt, "day").groupby("period")["n"].sum().to_dict() == {"2026-11-16": 2}
    cells = {(r.weekday, r.hour): r.n for r in q.hour_weekday(city, flt).itertuples()}
    assert cells == {(0, 9): 2}


def test_time_to_close_per_agency_from_its_rollup_equals_the_raw_rows(small_city):
    from data.queries.analyst_filter import AnalystFilter
    from data.timebuckets import wib_midnight_utc
    from tests.conftest import DEMO_END
    from tests.helpers.analyst_rollup import assert_rollup_equals_raw

    end = wib_midnight_utc(DEMO_END.date())
    start = end - timedelta(days=30)
    agencies = tuple(q.close_by_agency(small_city, AnalystFilter(start=start, end=end))["agency"].unique()[:2])
    assert len(agencies) == 2
    for extra in ({"agencies": agencies}, {"agencies": agencies[:1], "hours": (8, 9), "weekdays": (1, 3)}):
        flt = AnalystFilter(start=start, end=end, **extra)
        assert q.agency_rollup_answers(flt)
        assert_rollup_equals_raw(small_city, flt, ("close_by_agency",))
        assert set(q.close_by_agency(small_city, flt)["agency"]) <= set(extra["agencies"])


def test_charts_from_the_hourly_rollup_equal_the_raw_rows_under_every_filter_shape(small_city):
    from data.queries.analyst_filter import AnalystFilter
    from data.timebuckets import wib_midnight_utc
    from tests.conftest import DEMO_END
    from tests.helpers.analyst_rollup import assert_rollup_equals_raw

    end = wib_midnight_utc(DEMO_END.date())
    for days in (1, 7, 30):
        start = end - timedelta(days=days)
        assert flows.answers_per_hour(AnalystFilter(start=start, end=end))
        assert_rollup_equals_raw(small_city, AnalystFilter(start=start, end=end))
    start = end - timedelta(days=30)
    for extra in (
        {"districts": ("36.71.05", "36.71.13")},
        {"categories": ("banjir", "sampah")},
        {"channels": ("whatsapp",)},
        {"hours": (7, 8, 17)},
        {"weekdays": (0, 5)},
        {"hours": (9,), "weekdays": (2,), "categories": ("banjir",)},
    ):
        assert flows.answers_per_hour(AnalystFilter(start=start, end=end, **extra))
        assert_rollup_equals_raw(small_city, AnalystFilter(start=start, end=end, **extra))
    # a window that is not whole hours is answered from the raw rows
    assert not flows.answers_per_hour(AnalystFilter(start=start + timedelta(minutes=30), end=end))
