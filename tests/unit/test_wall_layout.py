"""Wall layouts: the screen registry, playlist parsing, tiles with a stale state, rankings."""

import pandas as pd
import pytest
from dash import dcc, html

from layouts.components.kpi_board import board_tiles, stale_ages
from layouts.components.tiles import Delta, delta_badge, sparkline_src
from layouts.wall import layout, parse_playlist, playlist_layout
from layouts.wall_screens import ScreenContext, WallScreen, register_screen, screens
from tests.helpers.components import classes, find, find_all, props, text, texts, walk


def test_registry_lists_the_wall_screens_in_order():
    names = list(screens())
    assert names[:5] == ["overview", "map", "kpi", "complaints", "sensors"]
    with pytest.raises(ValueError):
        register_screen(WallScreen(name="playlist", title_key="x", build=lambda ctx: None))


def test_playlist_parses_dwell_and_district_and_names_bad_parts():
    items, errors = parse_playlist("map:60, kpi:20:36.71.01,complaints")
    assert errors == []
    assert [(i.screen, i.dwell_s, i.district) for i in items] == [
        ("map", 60, None),
        ("kpi", 20, "36.71.01"),
        ("complaints", 30, None),
    ]
    items, errors = parse_playlist("map:2,nosuch:10,kpi:ten,sensors:10:abc")
    assert items == [] and len(errors) == 4
    assert "nosuch" in errors[1] and "dwell" in errors[0] and "36.71.01" in errors[3]


def test_bad_playlist_page_explains_instead_of_going_blank():
    page = playlist_layout(screens="map:1")
    error = find(page, class_name="wall-error")
    assert props(error)["role"] == "alert" and find_all(page, class_name="wall-slot") == []
    problems = [text(li) for li in find_all(error, html.Li)]
    assert problems[0] == "'map:1': dwell must be 5-3600 seconds" and problems[1].startswith("Format: screens=")


def test_unknown_screen_says_which_exist():
    error = find(layout(screen="nosuch"), class_name="wall-error")
    assert [text(li) for li in find_all(error, html.Li)] == ["/wall/nosuch"]
    assert "/wall/overview?lang=id" in [props(link)["href"] for link in find_all(error, dcc.Link)]


def test_playlist_renders_every_slot_up_front_with_its_dwell():
    page = playlist_layout(screens="map:60,kpi:20,sensors:30", kiosk="1")
    slots = find_all(page, class_name="wall-slot")
    dwell = {props(c)["data-slot"]: props(c)["data-dwell"] for c in slots}
    assert dwell == {"0": "60", "1": "20", "2": "30", "takeover": "0"}
    assert "active" in classes(slots[0]) and "active" not in classes(slots[1])
    assert {"kiosk", "playlist"} <= classes(page)
    assert find_all(page, html.Nav) == [] and find_all(page, class_name="wall-nav-link") == []  # kiosk: no navigation


def _feeds(stale: dict[str, bool]):
    class F:
        def __init__(self, feed, is_stale):
            self.feed, self.stale, self.age_s = feed, is_stale, 1020.0

    return [F(k, v) for k, v in stale.items()]


def test_a_stale_feed_turns_its_tiles_hatched_with_the_age():
    stale = stale_ages(_feeds({"complaints": True, "sensors.pm25": False}), "en")
    assert stale == {"complaints": "17 min ago"}
    now = {"open_backlog": 120.0, "sensors_online": 97.0, "backlog_median_age_h": 10.0, "late_open": 3.0}
    tiles = board_tiles(["open_backlog", "sensors_online"], now, {}, {}, pd.DataFrame(), {}, stale, "en")
    backlog, sensors = (tile for _, tile in tiles)
    assert props(backlog)["data-kpi"] == "open_backlog" and "stale" in classes(backlog)
    assert texts(find(backlog, class_name="stale-banner")) == ["STALE", " · last data 17 min ago"]
    assert props(sensors)["data-kpi"] == "sensors_online" and "stale" not in classes(sensors)
    assert find_all(sensors, class_name="stale-banner") == []


def test_all_sensor_networks_silent_makes_the_sensor_tile_stale():
    stale = stale_ages(_feeds({"sensors.pm25": True, "sensors.cctv": True}), "id")
    assert "sensors.*" in stale


def test_tile_signature_changes_only_with_its_content():
    now = {"received_today": 10.0}
    series = pd.DataFrame({"received": [1.0, 2.0, 3.0]})
    first = board_tiles(["received_today"], now, {"received_today": 8.0}, {}, series, {}, {}, "id")
    again = board_tiles(["received_today"], now, {"received_today": 8.0}, {}, series, {}, {}, "id")
    moved = board_tiles(["received_today"], {"received_today": 11.0}, {"received_today": 8.0}, {}, series, {}, {}, "id")
    assert first[0][0] == again[0][0] != moved[0][0]


def test_numbers_and_deltas_are_indonesian_by_default():
    badge = delta_badge(Delta("vs kemarin", 1234.5, 1, "higher"), "id")
    assert text(find(badge, html.B)) == "▲ 1.234,5" and text(badge) == "▲ 1.234,5 vs kemarin"
    assert classes(badge) == {"kpi-delta", "good"}
    badge = delta_badge(Delta("vs yesterday", -3, 0, "higher"), "en")
    assert text(badge) == "▼ 3 vs yesterday" and classes(badge) == {"kpi-delta", "bad"}


def test_sparkline_needs_two_points_and_skips_gaps():
    assert sparkline_src([1.0]) is None
    src = sparkline_src([1.0, None, 3.0, float("nan"), 2.0])
    assert src.startswith("data:image/svg+xml") and "polyline" in src


def test_screen_builders_make_slot_scoped_ids():
    ctx = ScreenContext(slot=3, district=None, lang="id")
    for name, screen in screens().items():
        if name in ("overview", "map", "kpi", "complaints", "sensors"):
            given = [props(node)["id"] for node in walk(screen.build(ctx)) if "id" in props(node)]
            assert given and all(isinstance(i, dict) and i["slot"] == 3 for i in given), (name, given)


def _map_measure(page: html.Div, slot: int = 0) -> str:
    return props(find(page, id={"type": "wall-map-state", "slot": slot}))["data"]["measure"]


def test_map_measure_comes_from_the_query_string_and_falls_back_safely():
    assert _map_measure(layout(screen="map", measure="late")) == "late"
    assert _map_measure(layout(screen="map", measure="drop table")) == "per_10k"
    assert _map_measure(playlist_layout(screens="map:30,kpi:10", measure="alerts")) == "alerts"


def test_an_unknown_screen_links_every_screen_that_exists_in_the_same_language():
    page = layout(screen="foo", lang="en")
    error = find(page, class_name="wall-error")
    hrefs = [props(link)["href"] for link in find_all(error, dcc.Link)]
    assert hrefs == [f"/wall/{name}?lang=en" for name in screens()]
    assert text(find(error, html.B)) == "Unknown screen"
    assert [text(li) for li in find_all(error, html.Li)] == ["/wall/foo"]
    assert not any("screen_foo" in piece for piece in texts(page))


def _takeover_seconds(page: html.Div) -> str:
    return props(find(page, class_name="wall-slot wall-takeover"))["data-takeover-s"]


def test_a_playlist_takeover_lasts_the_configured_seconds_and_a_bad_value_is_named():
    assert _takeover_seconds(playlist_layout(screens="map:20,kpi:10")) == "60"
    assert _takeover_seconds(playlist_layout(screens="map:20", takeover="15")) == "15"
    bad = playlist_layout(screens="map:20", takeover="2")
    errors = [text(li) for li in find_all(find(bad, class_name="wall-error"), html.Li)]
    assert "takeover='2': must be 5-3600 seconds" in errors


def test_feed_chips_put_stale_feeds_first_then_the_oldest_and_end_with_a_count_of_the_rest():
    from layouts.components.freshness import FeedChip, health_strip

    chips = [
        FeedChip("complaints", "Keluhan", "1 mnt", False, 60),
        FeedChip("service_metrics", "Layanan", "19 jam", False, 19 * 3600),
        FeedChip("sensors.noise", "Kebisingan", "2 jam", True, 7200),
        FeedChip("sensors.cctv", "CCTV", "5 jam", True, 5 * 3600),
    ]
    strip = health_strip(chips, "id")
    assert [props(s).get("data-feed") for s in strip] == [
        "sensors.cctv", "sensors.noise", "service_metrics", "complaints", None,
    ]  # fmt: skip
    assert "feed-more" in classes(strip[-1])


def test_the_ticker_counts_the_alerts_and_has_a_counter_and_cameras_say_picture_or_none():
    from datetime import datetime

    from layouts.components.streams import attention_items, ticker_items

    now = datetime(2026, 11, 20, 5, 0)
    alerts = pd.DataFrame(
        {
            "id": range(33),
            "severity": ["danger"] * 3 + ["warning"] * 30,
            "title": [f"Alert {i}" for i in range(33)],
            "district_code": None,
            "opened_at": now,
            "status": "open",
        }  # fmt: skip
    )
    empty = pd.DataFrame(columns=["category", "district", "requested_at"])
    items = ticker_items(alerts, empty, {}, now, "en")
    assert props(items[0])["data-count"] == "33" and "tick-lead" in classes(items[0])
    assert text(find(items[0], html.B)) == "33"
    severities = [c for i in items for c in classes(i) if c.startswith("sev-")]
    assert len(severities) == 33  # every alert, for wall.js to page through
    assert classes(items[-1]) == {"ticker-count"}
    states = pd.DataFrame(
        {
            "id": ["cctv-1", "cctv-2"],
            "kind": "cctv",
            "state": "offline",
            "value": [0.0, 1.0],
            "unit": "online",
            "name": ["CCTV A", "CCTV B"],
            "district_code": None,
            "age_s": [9000.0, 8000.0],
        }  # fmt: skip
    )
    values = [text(find(li, class_name="value")) for li in attention_items(states, {}, "en")]
    assert sorted(values) == ["no picture", "picture"]
