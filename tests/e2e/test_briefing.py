"""/briefing printed to PDF by headless Chromium: one A4 page whose figures are the database's."""

import base64
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from dashboard.app import create_app
from data.estate.briefing import complaint_period
from data.estate.registry import coverage_summary
from data.timebuckets import wib_midnight_utc
from layouts.i18n import fmt_number
from layouts.wall_services import connected_phrase
from tests.conftest import DEMO_END
from tests.e2e.conftest import foreign_requests

pytestmark = pytest.mark.e2e


def _pdf_text(driver) -> tuple[int, str]:
    pdf = base64.b64decode(driver.print_page())
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_daily_briefing_prints_on_one_page_with_database_figures(dash_duo, small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/briefing")
    dash_duo.wait_for_element('[data-figure="received"] .brief-value', timeout=30)
    summary = coverage_summary(small_city)
    pages, text = _pdf_text(dash_duo.driver)
    assert pages == 1
    assert "Ringkasan Harian Pimpinan" in text
    assert connected_phrase(summary.connected, summary.total, "id") in text
    assert "Smart Governance" in text and "Smart Environment" in text
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_assessment_pdf_figures_match_the_database(dash_duo, small_city, settings_for):
    first = (DEMO_END + timedelta(hours=7)).date() - timedelta(days=13)
    last = (DEMO_END + timedelta(hours=7)).date() - timedelta(days=1)
    app = create_app(settings_for(str(small_city.url)))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/briefing?view=assessment&start={first}&end={last}")
    period = complaint_period(small_city, wib_midnight_utc(first), wib_midnight_utc(last + timedelta(days=1)))
    assert period.received > 100  # a real period, not an empty one
    dash_duo.wait_for_text_to_equal('[data-figure="received"] .brief-value', fmt_number(period.received, "id"), 30)
    pages, text = _pdf_text(dash_duo.driver)
    assert "Ringkasan Penilaian Smart City" in text
    assert f"{first:%d/%m/%Y} - {last:%d/%m/%Y}" in text
    for value in (fmt_number(period.received, "id"), fmt_number(period.closed, "id"),
                  fmt_number(period.within_sla_pct, "id", 1), fmt_number(period.median_close_h, "id", 1)):  # fmt: skip
        assert value in text, value
    assert pages <= 2
    assert dash_duo.get_logs() == []


def test_bad_period_is_explained_not_crashed(dash_duo, small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/briefing?view=assessment&start=2026-11-10&end=2026-11-01")
    alert = dash_duo.wait_for_element(".briefing-page .alert-danger", timeout=30)
    assert "Periode tidak valid" in alert.text
    assert dash_duo.get_logs() == []


TILE_ROWS = """
const box = document.querySelector('.brief-figures').getBoundingClientRect();
const rows = {};
for (const el of document.querySelectorAll('.brief-figures > .brief-figure')) {
  const r = el.getBoundingClientRect();
  (rows[Math.round(r.top)] = rows[Math.round(r.top)] || []).push(r.width / box.width);
}
return Object.values(rows);
"""


@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768), (768, 1024), (390, 844)])
def test_no_tile_sits_alone_on_a_row_and_list_counts_add_up(dash_duo, small_city, settings_for, size):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.driver.set_window_size(*size)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/briefing")
    dash_duo.wait_for_element('[data-figure="received"] .brief-value', timeout=30)
    rows = dash_duo.driver.execute_script(TILE_ROWS)
    assert sum(len(r) for r in rows) == 5
    for row in rows:  # a tile alone on its row is only allowed as a full-width band
        assert len(row) > 1 or row[0] > 0.9, rows
    for block in dash_duo.find_elements(".brief-two .brief-block"):
        heading = block.find_element("css selector", "h3").text
        items = [li.text for li in block.find_elements("css selector", "li")]
        listed = [i for i in items if "lainnya" not in i]
        more = sum(int(i.split()[2].replace(".", "")) for i in items if "lainnya" in i)
        total = sum(int(n) for n in re.findall(r"(?:·|/ \w+) (\d+)", heading))
        if total:
            assert len(listed) + more == total, (heading, items)
    assert dash_duo.get_logs() == []
