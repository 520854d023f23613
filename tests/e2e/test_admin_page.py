"""/admin in the open demo at desk and tablet sizes: the product's font, Indonesian grid text, nothing spilling
out, and no log-out button when nobody is signed in."""

import pytest

from dashboard.app import create_app

pytestmark = pytest.mark.e2e

PAGE_FACTS = """
const vw = document.documentElement.clientWidth;
const spills = [];
for (const el of document.querySelectorAll('#admin-page label, #admin-page .btn, #admin-page h1, #admin-page h2')) {
  const r = el.getBoundingClientRect();
  const col = el.closest('.col, [class*="col-"]');
  const c = col ? col.getBoundingClientRect() : {left: 0, right: vw};
  if (r.width && (r.right > Math.min(vw, c.right) + 1 || r.left < c.left - 1)) spills.push(el.textContent);
}
const header = document.querySelector('#admin-page .ag-header-cell-text');
return {spills: spills, font: getComputedStyle(document.getElementById('admin-page')).fontFamily,
        gridFont: header ? getComputedStyle(header).fontFamily : '',
        noRows: [...document.querySelectorAll('#admin-page .ag-overlay')].map(e => e.textContent.trim()),
        scrollWidth: document.documentElement.scrollWidth, vw: vw};
"""


@pytest.mark.parametrize("width", [1920, 1024, 768])
def test_admin_page_is_themed_indonesian_and_nothing_spills_out(dash_duo, small_city, settings_for, width):
    dash_duo.start_server(create_app(settings_for(str(small_city.url))))
    dash_duo.driver.set_window_size(width, 900)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/admin")
    dash_duo.wait_for_element("#admin-open-demo", timeout=30)
    facts = dash_duo.driver.execute_script(PAGE_FACTS)
    assert facts["spills"] == [] and facts["scrollWidth"] <= facts["vw"]
    assert facts["font"].startswith('"Inter"') or facts["font"].startswith("Inter")
    assert "Inter" in facts["gridFont"]
    assert "Tidak ada baris untuk ditampilkan" in " ".join(facts["noRows"]) or not facts["noRows"]
    assert "No Rows To Show" not in dash_duo.find_element("#admin-page").text
    assert not dash_duo.find_elements("#admin-logout") and "Keluar" not in dash_duo.find_element("#admin-page").text
    assert dash_duo.get_logs() == []
