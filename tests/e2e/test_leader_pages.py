"""The leaders' briefing fits tablets and a phone (no horizontal scroll, nothing cut off, 44 px targets),
and a tap on a district opens its page with the district's own figures."""

import pytest

from dashboard.app import create_app
from data.queries.snapshot import city_snapshot
from data.store import utcnow
from layouts import ids
from layouts.i18n import fmt_number
from tests.e2e.conftest import WINDOW_SIZES, foreign_requests, resize

pytestmark = pytest.mark.e2e

SIZES = {"tablet": (1024, 768), "tablet_portrait": (768, 1024), "tablet_large": (1366, 1024), "phone": (390, 844)}

LAYOUT_PROBLEMS = """
const vw = document.documentElement.clientWidth;
const problems = [];
const sw = document.documentElement.scrollWidth;
if (sw > vw) problems.push('horizontal scroll ' + sw);
for (const el of document.querySelectorAll('.leader-card, .leader-kpi, .leader-header')) {
  const r = el.getBoundingClientRect();
  if (r.left < -1 || r.right > vw + 1) problems.push('cut off: ' + el.className + ' ' + r.left + '-' + r.right);
}
for (const row of document.querySelectorAll('.leader-rank-head')) {
  const cells = [...row.children].map(c => c.getBoundingClientRect());
  for (let i = 1; i < cells.length; i++) {
    if (cells[i - 1].width && cells[i - 1].right > cells[i].left + 1) problems.push('header cells overlap: ' + i);
  }
  for (const c of row.children) {
    if (c.scrollWidth > c.clientWidth + 1) problems.push('header overflows: ' + c.textContent);
  }
}
for (const el of document.querySelectorAll('.leader a, .leader button')) {
  const r = el.getBoundingClientRect();
  if (r.width && (r.height < 44 || r.width < 44)) problems.push('small target: ' + el.textContent + ' ' + r.height);
}
return problems;
"""


FIRST_SCREEN = """
const bottom = Math.max(...['#kpi-value-city_score', '#leader-summary', '#leader-actions']
  .map(sel => document.querySelector(sel).getBoundingClientRect().bottom + window.scrollY));
return {bottom: bottom, actions: document.querySelectorAll('#leader-actions a').length};
"""


@pytest.fixture
def leader_app(small_city, settings_for):
    return create_app(settings_for(str(small_city.url)))


def test_briefing_fits_tablets_and_phone(dash_duo, leader_app, small_city):
    dash_duo.start_server(leader_app)
    for name, size in SIZES.items():
        WINDOW_SIZES[name] = size
        resize(dash_duo.driver, name)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/leader")
        dash_duo.wait_for_element("#rank-d a", timeout=30)
        assert dash_duo.driver.execute_script(LAYOUT_PROBLEMS) == [], name
        if name in ("tablet", "phone"):  # the first screen: score, what changed, three things to act on
            first = dash_duo.driver.execute_script(FIRST_SCREEN)
            assert first["actions"] >= 1 and first["bottom"] <= size[1], (name, first)
        if name == "phone":  # was 7,067 px with every alert unfolded before the rankings
            assert dash_duo.driver.execute_script("return document.documentElement.scrollHeight") < 4000
    expected = city_snapshot(small_city, utcnow(), leader_app.server.extensions["city_runtime"].settings.targets_path)
    assert dash_duo.find_element(f"#{ids.kpi_value('open_backlog')}").text == fmt_number(
        expected.complaints.open_backlog, "id"
    )
    assert len(dash_duo.find_elements("#rank-d a")) == 13
    assert dash_duo.find_element(f"#{ids.LEADER_SUMMARY}").text.strip()
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_tapping_a_district_opens_its_page(dash_duo, leader_app, small_city):
    dash_duo.start_server(leader_app)
    WINDOW_SIZES["tablet_portrait"] = SIZES["tablet_portrait"]
    resize(dash_duo.driver, "tablet_portrait")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/leader")
    link = dash_duo.wait_for_element("#rank-d-36\\.71\\.05", timeout=30)
    # Bootstrap's smooth scrolling would still be moving when Selenium clicks
    dash_duo.driver.execute_script(
        "document.documentElement.style.scrollBehavior = 'auto'; arguments[0].scrollIntoView({block: 'center'})", link
    )
    link.click()
    dash_duo.wait_for_text_to_equal("#leader-title", "Cipondoh", timeout=30)
    assert dash_duo.driver.current_url.endswith("/leader/district/36.71.05?lang=id")
    dash_duo.wait_for_element("#leader-compare", timeout=30)
    snap = city_snapshot(small_city, utcnow(), leader_app.server.extensions["city_runtime"].settings.targets_path,
                         "36.71.05")  # fmt: skip
    now_cells = [
        r.find_elements("css selector", "td")[0].text for r in dash_duo.find_elements("#leader-compare tbody tr")
    ]
    assert fmt_number(snap.complaints.open_backlog, "id") in now_cells
    assert dash_duo.find_elements("#leader-categories li")
    assert dash_duo.find_elements("#leader-sensors li")
    for card in ("#leader-late", "#leader-sensors"):  # long lists fold after five
        assert len([li for li in dash_duo.find_elements(f"{card} li") if li.is_displayed()]) <= 5
    assert dash_duo.driver.execute_script(LAYOUT_PROBLEMS) == []
    dash_duo.wait_for_page(f"{dash_duo.server_url}/leader/district/nope")
    dash_duo.wait_for_element("#leader-not-found", timeout=30)
    assert dash_duo.get_logs() == []


def test_long_alert_lists_fold_behind_show_all(dash_duo, leader_app):
    """Only the three most severe alerts are in view; the rest open with one tap on "show all N"."""
    dash_duo.start_server(leader_app)
    WINDOW_SIZES["phone"] = SIZES["phone"]
    resize(dash_duo.driver, "phone")
    dash_duo.wait_for_page(f"{dash_duo.server_url}/leader")
    dash_duo.wait_for_element("#leader-alerts", timeout=30)
    visible = [li for li in dash_duo.find_elements("#leader-alerts li") if li.is_displayed()]
    assert len(visible) <= 3
    more = dash_duo.find_elements("#leader-alert-list-more summary")
    if more:
        total = len(dash_duo.find_elements("#leader-alerts li"))
        assert more[0].text.endswith(str(total))
        dash_duo.driver.execute_script("arguments[0].click()", more[0])
        assert all(li.is_displayed() for li in dash_duo.find_elements("#leader-alerts li"))
    assert dash_duo.get_logs() == []
