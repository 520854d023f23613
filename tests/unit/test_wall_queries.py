"""The wall's figures agree with the database: point-in-time KPIs, daily series, map layers."""

from datetime import timedelta

import pandas as pd
from sqlalchemy import text

from callbacks.cache import VersionedCache
from dashboard.settings import Settings
from data.ingest.sink import store_complaints, store_observations
from data.queries.complaints import complaint_kpis
from data.queries.kpi_board import (
    comparison_moment,
    complaint_figures_at,
    daily_series,
    kpi_board,
    sensors_online_at,
)
from data.queries.wall import district_map_measures, recent_complaint_points
from data.timebuckets import wib_midnight_utc, wib_today
from tests.conftest import DEMO_END


def test_figures_now_equal_the_complaint_kpis_of_the_query_layer(small_city):
    figures = complaint_figures_at(small_city, DEMO_END)
    kpis = complaint_kpis(small_city, DEMO_END)
    assert figures["open_backlog"] == kpis.open_backlog
    assert figures["late_open"] == kpis.late_open
    assert figures["received_today"] == kpis.received_today
    assert figures["closed_today"] == kpis.closed_today
    assert figures["within_sla"] == kpis.closed_within_sla_pct
    assert figures["median_close_h"] == kpis.median_close_h


def test_a_day_ago_counts_what_was_open_then_not_what_is_open_now(small_city):
    then = DEMO_END - timedelta(days=1)
    with small_city.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT COUNT(*) FROM complaints WHERE requested_at <= :t AND NOT outside_city "
                "AND (closed_at IS NULL OR closed_at > :t OR status != 'closed')"
            ),
            {"t": then},
        ).scalar()
    assert complaint_figures_at(small_city, then)["open_backlog"] == expected
    assert expected != complaint_figures_at(small_city, DEMO_END)["open_backlog"]


def test_daily_series_sums_to_the_complaints_received_in_its_window(small_city):
    series = daily_series(small_city, DEMO_END, days=14)
    start = wib_midnight_utc(wib_today(DEMO_END) - timedelta(days=13))
    with small_city.connect() as conn:
        received = conn.execute(
            text(
                "SELECT COUNT(*) FROM complaints WHERE requested_at >= :s AND requested_at <= :e AND NOT outside_city"
            ),
            {"s": start, "e": DEMO_END},
        ).scalar()
    assert len(series) == 14
    assert series["received"].sum() == received
    # the backlog at the end of today is the open backlog now
    assert series["backlog"].iloc[-1] == complaint_figures_at(small_city, DEMO_END)["open_backlog"]
    assert series["median_close_h"].notna().sum() >= 10


def test_kpi_board_compares_with_a_day_and_a_week_earlier(small_city):
    board = kpi_board(small_city, DEMO_END, Settings().targets_path)
    assert board.now["open_backlog"] == complaint_kpis(small_city, DEMO_END).open_backlog
    assert (
        board.day_ago["open_backlog"]
        == complaint_figures_at(small_city, comparison_moment(DEMO_END, timedelta(days=1)))["open_backlog"]
    )
    assert board.score is not None and 0 < board.score <= 2
    assert board.week_ago["city_score"] is not None
    assert {m.measure.key for m in board.measures} >= {"sla_pct", "sensors_online_pct"}


def test_map_measures_cover_every_district_and_rate_per_10k(small_city):
    frame = district_map_measures(small_city, DEMO_END)
    assert len(frame) == 13
    assert frame["open"].sum() == complaint_kpis(small_city, DEMO_END).open_backlog - _open_without_district(small_city)
    row = frame.iloc[0]
    assert row["per_10k"] == round(row["open"] * 10_000 / row["population"], 2)


def _open_without_district(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT COUNT(*) FROM complaints WHERE status != 'closed' AND requested_at <= :n "
                "AND district_code IS NULL AND NOT outside_city"  # unlocated: counted city-wide, in no kecamatan
            ),
            {"n": DEMO_END},
        ).scalar()


def test_heat_points_are_the_last_72_hours_with_coordinates_inside_the_city(small_city):
    points = recent_complaint_points(small_city, DEMO_END)
    with small_city.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT COUNT(*) FROM complaints WHERE requested_at > :s AND requested_at <= :e AND lat IS NOT NULL"
                " AND NOT outside_city"
            ),  # fmt: skip
            {"s": DEMO_END - timedelta(hours=72), "e": DEMO_END},
        ).scalar()
    assert len(points) == expected > 0


def test_sensors_online_share_drops_when_readings_stop(small_city):
    assert sensors_online_at(small_city, DEMO_END) > 50
    assert sensors_online_at(small_city, DEMO_END + timedelta(days=2)) == 0


def _counting_memo(cache, computed: list[str]):
    """The cache, noting the name of each part it really computes (a settled part, read by no domain, as
    'name (settled)': today's and the past days' flows are the same function)."""

    def memo(domains, fn, *args, ttl_s=None, **kwargs):
        misses = cache.misses
        value = cache.get_or_compute(domains, fn, *args, ttl_s=ttl_s, **kwargs)
        if cache.misses > misses:
            computed.append(fn.__name__ if domains else f"{fn.__name__} (settled)")
        return value

    return memo


def test_a_remembered_board_shows_what_a_computed_one_shows(small_city):
    memo = _counting_memo(VersionedCache(small_city, ttl_s=600, version_check_s=0), [])
    targets = Settings().targets_path
    remembered = kpi_board(small_city, DEMO_END, targets, memo=memo)
    again = kpi_board(small_city, DEMO_END, targets, memo=memo)
    computed = kpi_board(small_city, DEMO_END, targets)
    for board in (remembered, again):
        assert board.now == computed.now
        assert board.day_ago == computed.day_ago and board.week_ago == computed.week_ago
        pd.testing.assert_frame_equal(board.series, computed.series)
        assert board.score == computed.score


def test_new_data_recomputes_only_the_parts_that_read_it(small_city):
    computed: list[str] = []
    memo = _counting_memo(VersionedCache(small_city, ttl_s=600, version_check_s=0), computed)
    targets = Settings().targets_path
    kpi_board(small_city, DEMO_END, targets, memo=memo)
    assert {"complaint_kpis", "sensor_states", "figures_at (settled)", "daily_flows (settled)", "daily_flows"} <= set(
        computed
    )

    computed.clear()
    with small_city.connect() as conn:
        sensor = conn.exec_driver_sql("SELECT id FROM sensors ORDER BY id LIMIT 1").scalar()
    store_observations(small_city, [(sensor, DEMO_END - timedelta(seconds=1), 1.0)])
    kpi_board(small_city, DEMO_END, targets, memo=memo)
    assert "sensor_states" in computed
    assert set(computed) <= {"sensor_states", "active_alerts_at"}  # a reading may open or close an alert

    computed.clear()
    store_complaints(
        small_city,
        [{"source": "t", "source_id": "new", "category": "banjir", "status": "open", "requested_at": DEMO_END}],
    )
    board = kpi_board(small_city, DEMO_END, targets, memo=memo)
    assert {"complaint_kpis", "daily_flows"} <= set(computed)
    assert not {"sensor_states", "figures_at (settled)", "daily_flows (settled)", "open_count_at (settled)"} & set(
        computed
    )
    assert board.now["received_today"] == complaint_kpis(small_city, DEMO_END).received_today


def test_comparison_moments_sit_on_a_ten_minute_grid():
    moment = comparison_moment(DEMO_END.replace(minute=37, second=12, microsecond=5), timedelta(days=1))
    assert (moment.minute, moment.second, moment.microsecond) == (30, 0, 0)
    assert DEMO_END - timedelta(days=1, minutes=10) < moment <= DEMO_END - timedelta(days=1) + timedelta(minutes=10)
