"""/wall/cctv in a real browser: online cameras show live pictures, an offline camera shows OFFLINE and no picture."""

from datetime import timedelta

import pytest
from dash.testing.wait import until
from sqlalchemy import select, update

from dashboard.app import create_app
from data.models import Sensor, SensorLatest
from data.store import utcnow
from tests.e2e.conftest import foreign_requests, resize

pytestmark = pytest.mark.e2e

FITS_JS = """
const w = innerWidth, h = innerHeight, de = document.documentElement, out = [];
document.querySelectorAll('.cctv-tile').forEach(t => {
  const r = t.getBoundingClientRect();
  if (r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1 || r.height < 40) out.push(t.dataset.camera);
});
return {scroll: [de.scrollWidth, de.scrollHeight, w, h], outside: out};
"""


def _cameras_with_one_offline(engine) -> list[str]:
    now = utcnow()
    with engine.begin() as conn:
        ids = list(conn.execute(select(Sensor.id).where(Sensor.kind == "cctv").order_by(Sensor.id)).scalars())
        conn.execute(update(SensorLatest).where(SensorLatest.sensor_id.in_(ids)).values(observed_at=now, value=1.0))
        conn.execute(update(SensorLatest).where(SensorLatest.sensor_id == ids[0])
                     .values(observed_at=now - timedelta(days=1)))  # fmt: skip
    return ids


@pytest.mark.parametrize("size", ["wall", "wall4k"])
def test_cctv_grid_shows_pictures_and_an_offline_camera_as_offline(dash_duo, small_city, settings_for, size):
    ids = _cameras_with_one_offline(small_city)
    app = create_app(settings_for(str(small_city.url), refresh_seconds=5))
    dash_duo.start_server(app)
    resize(dash_duo.driver, size)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall/cctv?kiosk=1&per_page=16")
    offline = dash_duo.wait_for_element(f'.cctv-tile[data-camera="{ids[0]}"]', timeout=30)
    assert offline.get_attribute("data-state") == "offline"
    assert offline.find_elements("css selector", "img") == []
    assert "KAMERA LURING" in offline.text
    online = dash_duo.find_element(f'.cctv-tile[data-camera="{ids[1]}"]')
    assert online.get_attribute("data-state") == "online"
    loaded = "const i = document.querySelector('.cctv-tile[data-camera=\"%s\"] img'); return i && i.naturalWidth;"
    until(lambda: dash_duo.driver.execute_script(loaded % ids[1]) == 640, timeout=20)
    until(lambda: "dtk" in online.find_element("css selector", ".cctv-age").text, timeout=10)
    assert len(dash_duo.find_elements(".cctv-tile")) == len(ids)
    fits = dash_duo.driver.execute_script(FITS_JS)
    width, height, inner_w, inner_h = fits["scroll"]
    assert width <= inner_w and height <= inner_h and fits["outside"] == [], fits
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []
