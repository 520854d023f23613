"""The analysts' workbench in a real browser: a filter link opens that view, a filter change redraws every
chart, a map click cross-filters, the back button undoes it, and the CSV has exactly the rows the grid counts."""

import csv
import io
import time
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashboard.app import create_app
from data.queries.analyst_filter import from_query, known_values, to_filter
from data.queries.analyst_records import count_records
from data.store import utcnow
from data.timebuckets import wib_today
from layouts import ids
from layouts.i18n import fmt_number
from tests.conftest import DEMO_END
from tests.e2e.conftest import foreign_requests

pytestmark = pytest.mark.e2e

DAY_TO = (DEMO_END + timedelta(hours=7)).date()
DAY_FROM = DAY_TO - timedelta(days=13)
LINK = f"/analyst?from={DAY_FROM}&to={DAY_TO}&district=36.71.05&category=sampah&category=banjir"

CHART_DATA = """
return arguments[0].map(name => {
  const gd = document.querySelector('#analyst-chart-' + name + ' .js-plotly-plot');
  return gd && gd.data ? JSON.stringify(gd.data.map(t => [t.x, t.y, t.z, t.locations])) : null;
});
"""


def _charts(driver):
    return driver.execute_script(CHART_DATA, list(ids.ANALYST_CHARTS))


def _wait_for(predicate, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def _settled_charts(driver):
    """Every chart drawn and unchanged for a second, or None."""
    first = _charts(driver)
    time.sleep(1.0)
    return first if first and all(first) and _charts(driver) == first else None


def _count(dash_duo):
    text = _wait_for(lambda: dash_duo.find_element(f"#{ids.ANALYST_COUNT}").text)
    return text.split()[0]


def test_link_opens_the_view_and_csv_matches_grid(dash_duo, small_city, settings_for):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.wait_for_page(dash_duo.server_url + LINK)
    chips = _wait_for(lambda: dash_duo.find_element(f"#{ids.ANALYST_CHIPS}").text)
    assert "Cipondoh" in chips and "Banjir" in chips and "Sampah menumpuk" in chips
    state, _ = from_query(parse_qs(urlparse(LINK).query), known_values(small_city), wib_today(utcnow()))
    expected = count_records(small_city, to_filter(state), utcnow())
    assert expected > 0
    _wait_for(lambda: _count(dash_duo) == fmt_number(expected, "id"))
    _wait_for(lambda: all(_charts(dash_duo.driver)))
    href = dash_duo.find_element(f"#{ids.ANALYST_EXPORT_CSV}").get_attribute("href")
    with urllib.request.urlopen(href) as response:  # noqa: S310 - the test server
        rows = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert len(rows) - 1 == expected
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_filter_change_redraws_every_chart_and_back_undoes_it(dash_duo, small_city, settings_for):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/analyst?from={DAY_FROM}&to={DAY_TO}")
    before = _wait_for(lambda: _settled_charts(dash_duo.driver))  # not a frame drawn before the URL applied
    count_before = _count(dash_duo)
    dash_duo.find_element(f"#{ids.ANALYST_RANGE} input[value='today']").click()
    after = _wait_for(
        lambda: (c := _charts(dash_duo.driver)) and all(x != y for x, y in zip(c, before, strict=True)) and c
    )
    assert len(after) == len(ids.ANALYST_CHARTS)
    # The URL follows the filter (a history entry), possibly a moment after the charts redraw.
    url = _wait_for(lambda: (u := dash_duo.driver.current_url) and f"from={DAY_FROM}" not in u and u)
    assert "from=" in url
    dash_duo.driver.back()
    _wait_for(lambda: _charts(dash_duo.driver) == before)
    assert _count(dash_duo) == count_before
    assert dash_duo.get_logs() == []


def test_map_click_cross_filters_the_other_charts(dash_duo, small_city, settings_for):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/analyst?from={DAY_FROM}&to={DAY_TO}")
    before = _wait_for(lambda: (c := _charts(dash_duo.driver)) and all(c) and c)
    graph = dash_duo.find_element(f"#{ids.analyst_chart('map')} .js-plotly-plot")
    dash_duo.driver.execute_script(
        "document.documentElement.style.scrollBehavior = 'auto'; arguments[0].scrollIntoView({block: 'center'})", graph
    )
    # Cipondoh's centroid, projected by the map itself to a pixel inside the plot
    x, y = _wait_for(
        lambda: dash_duo.driver.execute_script(
            "const fl = arguments[0]._fullLayout; const sp = fl && fl.map && fl.map._subplot;"
            "const m = sp && sp.map; if (!m || !m.loaded()) return null;"
            "const p = m.project([106.695, -6.185]); const box = m.getCanvas().getBoundingClientRect();"
            "return [p.x + box.left, p.y + box.top];",
            graph,
        )
    )
    ActionChains(dash_duo.driver).move_to_location(int(x), int(y)).click().perform()  # viewport pixels
    _wait_for(lambda: "district=36.71.05" in dash_duo.driver.current_url)
    assert "Cipondoh" in dash_duo.find_element(f"#{ids.ANALYST_CHIPS}").text
    narrowed = {"over_time", "by_category", "by_channel", "heatmap", "backlog_age"}

    def changed() -> set[str]:  # each chart redraws when its own answer arrives, not all at once
        after = _charts(dash_duo.driver) or before
        return {name for name, a, b in zip(ids.ANALYST_CHARTS, before, after, strict=True) if a != b}

    deadline = time.time() + 30
    while not (seen := changed()) >= narrowed and time.time() < deadline:
        time.sleep(0.3)
    assert seen >= narrowed
    assert dash_duo.get_logs() == []


GRID_FACTS = r"""
const panel = document.querySelector('#analyst-grid .ag-paging-panel');
const cut = [...document.querySelectorAll('#analyst-grid .ag-header-cell-text')]
  .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map(el => el.textContent);
const bars = [...document.querySelectorAll('.analyst .modebar-container')]
  .map(el => getComputedStyle(el).opacity);
return {paging: panel ? panel.textContent.replace(/\s+/g, ' ').trim() : '', cut: cut, modebars: bars,
        categories: [...document.querySelectorAll('#analyst-grid .ag-cell[col-id="channel"]')].map(c => c.textContent)};
"""


@pytest.mark.parametrize(("lang", "words"), [("id", ("sampai", "dari", "Halaman")), ("en", ("to", "of", "Page"))])
def test_grid_speaks_the_page_language_and_charts_keep_the_mode_bar_out_of_sight(
    dash_duo, small_city, settings_for, lang, words
):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.driver.set_window_size(1024, 768)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/analyst?lang={lang}")
    _wait_for(lambda: all(_charts(dash_duo.driver)))
    facts = _wait_for(lambda: (f := dash_duo.driver.execute_script(GRID_FACTS))["categories"] and f)
    line = facts["paging"]
    assert all(f" {w} " in f" {line} " for w in words), line
    assert "to" not in line.split() if lang == "id" else "sampai" not in line
    assert facts["cut"] == []
    assert facts["modebars"] and set(facts["modebars"]) == {"0"}  # shown on hover only
    assert "call_112" not in facts["categories"] and "app" not in facts["categories"]
    assert "<1d" not in dash_duo.driver.find_element("css selector", ".analyst-charts").text
    assert dash_duo.get_logs() == []
