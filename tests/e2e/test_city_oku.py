"""Kabupaten Ogan Komering Ulu from its pack alone: seeded, served, its whole regency on the wall map at 1080p,
4K and tablet with every kecamatan label inside the frame, its own title and clock, its leaders' ranking."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from data.city import activate, load_pack, using
from data.demo.seed import seed_demo_city
from data.store import make_engine
from tests.conftest import SMALL_CITY
from tests.e2e.conftest import foreign_requests, resize

pytestmark = pytest.mark.e2e

SLOT0 = '.wall-slot[data-slot="0"]'
OUTSIDE_FRAME = """
const box = document.querySelector('.leaflet-container').getBoundingClientRect();
const out = [];
for (const el of document.querySelectorAll('.leaflet-overlay-pane path, .district-label div')) {
  const r = el.getBoundingClientRect();
  if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1))
    out.push((el.textContent || 'polygon') + ' ' + [r.left, r.right, r.top, r.bottom].map(Math.round));
}
return {out: out, labels: document.querySelectorAll('.district-label').length};
"""


@pytest.fixture
def oku_app(tmp_path):
    pack = load_pack("oku")
    url = f"sqlite:///{tmp_path / 'oku.db'}"
    try:
        with using(pack):
            engine = make_engine(url)
            seed_demo_city(engine, SMALL_CITY)
            engine.dispose()
        yield create_app(Settings(city="oku", database_url=url, refresh_seconds=5))
    finally:
        activate(load_pack("tangerang"))  # the process's default city for the tests after this one


@pytest.mark.parametrize("size", ["wall", "wall4k", "tablet"])
def test_the_whole_regency_fits_the_wall_map_with_its_own_title_and_clock(dash_duo, oku_app, size):
    dash_duo.start_server(oku_app)
    resize(dash_duo.driver, size)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/map?kiosk=1")
    dash_duo.wait_for_contains_text(".wall-app", "Ruang Kendali Kabupaten Ogan Komering Ulu", timeout=30)
    dash_duo.wait_for_contains_text("#wall-clock", "WIB", timeout=10)
    frame = dash_duo.wait_for_element(f"{SLOT0} iframe.map-frame.front[src]", timeout=30)
    dash_duo.driver.switch_to.frame(frame)
    dash_duo.wait_for_element(".district-label", timeout=20)
    placed = dash_duo.driver.execute_script(OUTSIDE_FRAME)
    dash_duo.driver.switch_to.default_content()
    assert placed == {"out": [], "labels": 13}
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_the_leaders_rank_the_regencys_13_kecamatan(dash_duo, oku_app):
    dash_duo.start_server(oku_app)
    resize(dash_duo.driver, "tablet")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/leader")
    dash_duo.wait_for_element("#rank-d a", timeout=30)
    rows = [a.text for a in dash_duo.find_elements("#rank-d a")]
    assert len(rows) == 13
    assert any("Baturaja Timur" in r for r in rows) and any("Lengkiti" in r for r in rows)
    assert dash_duo.get_logs() == []
