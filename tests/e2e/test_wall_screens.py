"""Every wall screen in a real browser at 1080p and 4K: fits the screen, no errors, figures from the database,
new data shown at the next refresh without a reload, the map drawn offline with CITY_TILE_URL=none."""

import time
from datetime import timedelta

import pytest

from dashboard.app import create_app
from data.ingest.sink import store_complaints
from data.queries.complaints import complaint_kpis
from data.queries.sensors import sensor_states
from data.store import utcnow
from layouts.i18n import category_label, fmt_number
from tests.e2e.conftest import foreign_requests, resize

pytestmark = pytest.mark.e2e

OWN_SCREENS = ("overview", "map", "kpi", "complaints", "sensors")
SLOT0 = '.wall-slot[data-slot="0"]'

FITS_JS = """
const w = innerWidth, h = innerHeight, de = document.documentElement;
const out = [];
document.querySelectorAll('.wall-slot.active .wall-panel, .wall-slot.active .kpi-tile, .wall-header').forEach(el => {
  const r = el.getBoundingClientRect();
  if (r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1 || r.width < 10 || r.height < 10)
    out.push(el.className + ' ' + JSON.stringify([r.left, r.top, r.right, r.bottom]));
});
return {scroll: [de.scrollWidth, de.scrollHeight, w, h], outside: out};
"""


def tile_text(dash_duo, key: str) -> str:
    return dash_duo.find_element(f'{SLOT0} [data-kpi="{key}"] .kpi-number').text


@pytest.mark.parametrize("size", ["wall", "wall4k"])
def test_every_screen_fits_without_scrollbars_and_shows_database_figures(dash_duo, small_city, settings_for, size):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=5, tile_url="none"))
    dash_duo.start_server(app)
    resize(dash_duo.driver, size)
    for screen in OWN_SCREENS:
        dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/{screen}?kiosk=1")
        dash_duo.wait_for_element(f"{SLOT0} .wall-panel", timeout=20)
        if screen in ("overview", "kpi", "complaints"):
            expected = fmt_number(complaint_kpis(small_city, utcnow()).open_backlog, "id")
            dash_duo.wait_for_text_to_equal(f'{SLOT0} [data-kpi="open_backlog"] .kpi-number', expected, timeout=30)
        if screen in ("overview", "map"):
            frame = dash_duo.wait_for_element(f"{SLOT0} iframe.map-frame.front[src]", timeout=30)
            dash_duo.driver.switch_to.frame(frame)
            labels = dash_duo.wait_for_element(".district-label", timeout=20)  # polygons and labels, no tiles
            assert labels is not None
            n_labels = dash_duo.driver.execute_script("return document.querySelectorAll('.district-label').length")
            has_tiles = dash_duo.driver.execute_script("return document.querySelectorAll('.leaflet-tile').length")
            dash_duo.driver.switch_to.default_content()
            assert n_labels == 13 and has_tiles == 0
        if screen == "sensors":
            dash_duo.wait_for_element(f"{SLOT0} .kind-table td", timeout=20)
        fits = dash_duo.driver.execute_script(FITS_JS)
        width, height, inner_w, inner_h = fits["scroll"]
        assert width <= inner_w and height <= inner_h, (screen, fits)
        assert fits["outside"] == [], (screen, fits)
        assert (
            dash_duo.driver.execute_script("return getComputedStyle(document.getElementById('wall-root')).cursor")
            == "none"
        )
        assert dash_duo.find_elements(".wall-nav") == []  # kiosk: data only
        assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_new_complaints_appear_at_the_next_refresh_without_a_reload(dash_duo, small_city, settings_for):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=2))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/overview?lang=en")
    before = complaint_kpis(small_city, utcnow()).received_today
    dash_duo.wait_for_text_to_equal(f'{SLOT0} [data-kpi="received_today"] .kpi-number', fmt_number(before, "en"), 30)
    assert dash_duo.find_elements(f'{SLOT0} [data-kpi="received_today"] .stale-banner')  # demo data ended days ago
    front = dash_duo.wait_for_element(f"{SLOT0} iframe.map-frame.front[src]", timeout=30)
    first_map = front.get_attribute("src")
    dash_duo.driver.switch_to.frame(front)  # the browser draws one marker per sensor, shaped by its state
    drawn = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.sensor-icon .s'), e => e.className.split('s-')[1]).sort()"
    )
    dash_duo.driver.switch_to.default_content()
    assert drawn == sorted(sensor_states(small_city, utcnow())["state"])
    dash_duo.driver.execute_script("window.__sameDocument = 'yes'")
    moment = utcnow() - timedelta(seconds=30)
    records = [
        {
            "source": "e2e",
            "source_id": f"N{i}",
            "category": "banjir",
            "status": "open",
            "requested_at": moment,
            "lat": -6.18,
            "lon": 106.63,
        }  # fmt: skip
        for i in range(3)
    ]
    store_complaints(small_city, records)
    expected = fmt_number(before + 3, "en")
    dash_duo.wait_for_text_to_equal(f'{SLOT0} [data-kpi="received_today"] .kpi-number', expected, timeout=20)
    # the complaints feed is fresh again: the tile drops its stale band, the stream shows the newest first
    deadline = time.time() + 20
    while dash_duo.find_elements(f'{SLOT0} [data-kpi="received_today"] .stale-banner') and time.time() < deadline:
        time.sleep(0.5)
    assert not dash_duo.find_elements(f'{SLOT0} [data-kpi="received_today"] .stale-banner')
    newest = f"return document.querySelector('{SLOT0} .tick.complaint .tick-title').textContent"  # may be off-screen
    deadline = time.time() + 20
    while dash_duo.driver.execute_script(newest) != category_label("banjir", "en") and time.time() < deadline:
        time.sleep(0.5)
    assert dash_duo.driver.execute_script(newest) == category_label("banjir", "en")
    # the map changed (three new heat points): the new map loads behind, comes to the front, the old one unloads
    new_front = f'{SLOT0} iframe.map-frame.front[src*="/maps/wall"]:not([src="{first_map}"])'
    dash_duo.wait_for_element(new_front, timeout=30)
    assert dash_duo.find_element(f"{SLOT0} iframe.map-frame.back").get_attribute("src") == "about:blank"
    assert dash_duo.driver.execute_script("return window.__sameDocument") == "yes"
    assert dash_duo.driver.execute_script("return performance.getEntriesByType('navigation').length") == 1
    assert dash_duo.get_logs() == []


def test_unknown_district_and_bad_playlist_explain_themselves(dash_duo, small_city, settings_for):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=5))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/kpi?district=99.99.99&lang=en")
    dash_duo.wait_for_contains_text("#wall-error", "Unknown district", timeout=20)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/playlist?screens=map:1,nosuch:5&lang=en")
    dash_duo.wait_for_contains_text(".wall-error", "nosuch", timeout=20)
    time.sleep(0.5)
    assert dash_duo.get_logs() == []


def test_reconnecting_shows_only_when_refreshes_stop(dash_duo, small_city, settings_for):
    """The mark never flickers on a healthy wall (first render and first tick come close together), shows
    when refreshes stop reaching the server, and clears when they come back; the figures stay meanwhile."""
    app = create_app(settings_for(str(small_city.url), refresh_seconds=3))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/overview")
    dash_duo.wait_for_element(f'{SLOT0} [data-kpi="open_backlog"] .kpi-number', timeout=30)
    marked = "return document.querySelector('.is-reconnecting') !== null"
    healthy_until = time.time() + 15  # five refreshes
    while time.time() < healthy_until:
        assert not dash_duo.driver.execute_script(marked), "reconnecting shown on a healthy wall"
        time.sleep(0.5)
    figure = tile_text(dash_duo, "open_backlog")
    dash_duo.driver.execute_cdp_cmd("Network.enable", {})
    dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*_dash-update-component*"]})
    deadline = time.time() + 40
    while not dash_duo.driver.execute_script(marked) and time.time() < deadline:
        time.sleep(0.5)
    assert dash_duo.driver.execute_script(marked), "refreshes stopped but the wall does not say so"
    assert tile_text(dash_duo, "open_backlog") == figure  # the last figures stay on screen
    dash_duo.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
    deadline = time.time() + 30
    while dash_duo.driver.execute_script(marked) and time.time() < deadline:
        time.sleep(0.5)
    assert not dash_duo.driver.execute_script(marked)
