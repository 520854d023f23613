"""/wall/services in a real browser at 1080p and 4K: coverage and health equal the database, nothing overflows."""

import pytest

from dashboard.app import create_app
from data.estate.registry import connected_service_health, coverage_summary
from data.store import utcnow
from layouts.wall_services import connected_phrase
from tests.e2e.conftest import foreign_requests, resize

pytestmark = pytest.mark.e2e

OVERFLOW_JS = """
const w = innerWidth, h = innerHeight, de = document.documentElement, out = [];
document.querySelectorAll('.wall-slot.active .wall-panel').forEach(p => {
  const r = p.getBoundingClientRect();
  if (r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1) out.push(p.className);
  p.querySelectorAll('.svc-tile, .dim-tile, .lag-row, .cov-legend').forEach(c => {
    const q = c.getBoundingClientRect();
    if (q.right > r.right + 1 || q.bottom > r.bottom + 1) out.push(c.className);
  });
});
return {scroll: [de.scrollWidth, de.scrollHeight, w, h], outside: out};
"""


@pytest.mark.parametrize("size", ["wall", "wall4k"])
def test_services_screen_shows_registry_coverage_and_fits(dash_duo, small_city, settings_for, size):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=5))
    dash_duo.start_server(app)
    resize(dash_duo.driver, size)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/services?kiosk=1")
    summary = coverage_summary(small_city)
    dash_duo.wait_for_text_to_equal(
        ".cov-headline", connected_phrase(summary.connected, summary.total, "id"), timeout=30
    )
    assert dash_duo.find_element('.cov-count[data-state="not_connected"]').text == str(summary.not_connected)
    health = connected_service_health(small_city, utcnow())
    tiles = dash_duo.find_elements(".svc-tile")
    assert len(tiles) == len(health)
    shown = {t.get_attribute("data-code"): t.get_attribute("data-health") for t in tiles}
    assert shown == dict(zip(health["code"], health["health"], strict=True))
    assert len(dash_duo.find_elements(".dim-tile")) == 6
    dash_duo.wait_for_element(".svc-trend-graph .main-svg", timeout=20)
    fits = dash_duo.driver.execute_script(OVERFLOW_JS)
    width, height, inner_w, inner_h = fits["scroll"]
    assert width <= inner_w and height <= inner_h, fits
    assert fits["outside"] == []
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []
