"""Readable from five metres: on every wall screen, at 1080p no visible text is under 18 px and at 4K it has grown
with the screen; no text is cut by its box (wrap or fit, never an ellipsis); lists and the ticker show whole items."""

import time

import pytest

from dashboard.app import create_app
from layouts.wall_screens import screens
from tests.e2e.conftest import resize

pytestmark = pytest.mark.e2e

# Every visible element that holds text of its own (HTML and the charts' SVG): its font size, and whether its box
# cuts it (scroll size beyond the client box on an element that hides overflow).
TEXTS_JS = """
const out = [];
const root = document.getElementById('wall-root');
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!el || seen.has(el) || !node.textContent.trim()) continue;
  seen.add(el);
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  if (style.visibility !== 'visible' || r.width < 1 || r.height < 1 || el.closest('[style*="display: none"]')) continue;
  let hidden = false;
  for (let a = el; a && a !== root; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.display === 'none' || s.opacity === '0') { hidden = true; break; }
  }
  if (hidden) continue;
  const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
  const cut = clips && el.clientWidth > 0
    && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2);
  out.push({text: node.textContent.trim().slice(0, 40), size: parseFloat(style.fontSize), cut: cut,
            cls: (el.getAttribute('class') || el.tagName)});
}
return out;
"""

LEGEND_JS = """
return Array.from(document.querySelectorAll('.map-legend, .map-legend *, .district-label div'))
  .filter(e => e.childNodes.length && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(e => parseFloat(getComputedStyle(e).fontSize));
"""


def _texts(dash_duo, screen: str) -> list[dict]:
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/{screen}?kiosk=1")
    dash_duo.wait_for_element(".wall-slot.active .screen", timeout=30)
    time.sleep(6)  # callbacks fill the panels; wall.js fits the ticker, chips and lists and scales the charts
    return dash_duo.driver.execute_script(TEXTS_JS)


def _legend_sizes(dash_duo) -> list[float]:
    frame = dash_duo.wait_for_element(".wall-slot.active iframe.map-frame.front[src]", timeout=30)
    dash_duo.driver.switch_to.frame(frame)
    dash_duo.wait_for_element(".map-legend", timeout=20)
    sizes = dash_duo.driver.execute_script(LEGEND_JS)
    dash_duo.driver.switch_to.default_content()
    return sizes


@pytest.mark.parametrize(("size", "smallest"), [("wall", 18.0), ("wall4k", 32.0)])
def test_every_wall_text_is_large_enough_and_none_is_cut(dash_duo, small_city, settings_for, size, smallest):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=5, tile_url="none"))
    dash_duo.start_server(app)
    resize(dash_duo.driver, size)
    problems = []
    for screen in screens():
        texts = _texts(dash_duo, screen)
        assert len(texts) > 5, (screen, texts)
        problems += [(screen, t) for t in texts if t["size"] < smallest or t["cut"]]
        if screen in ("overview", "map"):
            legend = _legend_sizes(dash_duo)
            assert legend and min(legend) >= smallest, (screen, sorted(legend)[:5])
    assert problems == [], problems[:12]
    assert dash_duo.get_logs() == []
