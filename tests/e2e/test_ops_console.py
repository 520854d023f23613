"""End to end: readings over danger arrive by the API, the alert shows on /ops and on the wall's ticker,
an operator acknowledges it in the browser, and the audit trail records who and when."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import insert

from dashboard.app import create_app
from data.alerts.queries import active_alerts, audit_trail, takeover_alert
from data.models import Sensor
from data.store import utcnow
from layouts import ids
from tests.e2e.conftest import foreign_requests

pytestmark = pytest.mark.e2e
TOKEN = "e2e-ingest-token"
GAUGE = "water-level-e2e"
NAME = "Pos Uji E2E Cisadane"


def _post_readings(base_url: str, values: list[float]) -> dict:
    start = utcnow().replace(microsecond=0) - timedelta(minutes=5 * (len(values) - 1))
    body = [
        {"sensor_id": GAUGE, "observed_at": (start + timedelta(minutes=5 * i)).isoformat() + "Z", "value": v}
        for i, v in enumerate(values)
    ]
    request = urllib.request.Request(
        f"{base_url}/api/v1/observations",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own server
        assert response.status in (200, 201, 202)
        return json.loads(response.read() or b"{}")


def test_danger_by_api_appears_on_ops_and_wall_and_is_acknowledged_with_an_audit_trail(
    dash_duo, small_city, settings_for
):
    with small_city.begin() as conn:
        conn.execute(
            insert(Sensor).values(
                id=GAUGE, name=NAME, kind="water_level", unit="cm", lat=-6.19, lon=106.63, district_code="36.71.01",
                warning_threshold=250.0, danger_threshold=320.0, expected_interval_s=300,
            )
        )  # fmt: skip
    app = create_app(settings_for(str(small_city.url), ingest_token=TOKEN))
    dash_duo.start_server(app)

    _post_readings(dash_duo.server_url, [300, 326, 331, 335, 338])  # 20 min above 320 cm
    alerts = active_alerts(small_city, utcnow())
    mine = alerts[alerts["sensor_id"] == GAUGE]
    assert list(mine["severity"]) == ["danger"], "the API's readings raised one danger alert"
    alert_id = int(mine.iloc[0]["id"])
    assert takeover_alert(small_city, utcnow())["id"] == alert_id

    dash_duo.wait_for_page(f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_contains_text(".wall-ticker", NAME, timeout=30)

    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops")
    dash_duo.wait_for_contains_text(f"#{ids.OPS_ALERT_GRID}", NAME, timeout=30)
    cell = dash_duo.driver.find_element(By.XPATH, f"//div[contains(@class,'ag-cell') and contains(., '{NAME}')]")
    cell.click()
    dash_duo.wait_for_element(f"#ops-alert-{alert_id}", timeout=20)
    operator = dash_duo.find_element(f"#{ids.OPS_OPERATOR}")
    operator.clear()
    operator.send_keys("Rina Operator")
    dash_duo.find_element(f"#{ids.OPS_NOTE}").send_keys("Tim BPBD menuju lokasi")
    clicked_at = utcnow()
    dash_duo.find_element(f"#{ids.OPS_ACK}").click()
    dash_duo.wait_for_contains_text(f"#{ids.OPS_FEEDBACK}", "Rina Operator", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.OPS_ALERT_DETAIL}", "Tim BPBD menuju lokasi", timeout=20)

    trail = audit_trail(small_city, alert_id=alert_id)
    ack = trail[trail["action"] == "acknowledged"].iloc[0]
    assert ack["actor"] == "Rina Operator"
    assert ack["note"] == "Tim BPBD menuju lokasi"
    assert clicked_at - timedelta(seconds=5) <= ack["at"].to_pydatetime() <= utcnow()
    assert takeover_alert(small_city, utcnow()) is None or takeover_alert(small_city, utcnow())["id"] != alert_id
    assert foreign_requests(dash_duo.driver, dash_duo.server_url) == []
    assert dash_duo.get_logs() == []


def test_selected_alert_detail_and_buttons_fit_the_first_screen_of_a_1024_tablet(dash_duo, small_city, settings_for):
    """At 1024x768 the detail opens beside the list, with the acknowledge button in view without scrolling."""
    with small_city.begin() as conn:
        conn.execute(
            insert(Sensor).values(
                id=GAUGE, name=NAME, kind="water_level", unit="cm", lat=-6.19, lon=106.63, district_code="36.71.01",
                warning_threshold=250.0, danger_threshold=320.0, expected_interval_s=300,
            )
        )  # fmt: skip
    dash_duo.start_server(create_app(settings_for(str(small_city.url), ingest_token=TOKEN)))
    _post_readings(dash_duo.server_url, [300, 326, 331, 335, 338])
    dash_duo.driver.set_window_size(1024, 768)
    inner = dash_duo.driver.execute_script("return [window.innerWidth, window.innerHeight]")
    dash_duo.driver.set_window_size(1024 + 1024 - inner[0], 768 + 768 - inner[1])  # the viewport, not the window
    dash_duo.wait_for_page(f"{dash_duo.server_url}/ops")
    dash_duo.wait_for_contains_text(f"#{ids.OPS_ALERT_GRID}", NAME, timeout=30)
    dash_duo.driver.find_element(By.XPATH, f"//div[contains(@class,'ag-cell') and contains(., '{NAME}')]").click()
    dash_duo.wait_for_contains_text(f"#{ids.OPS_ALERT_DETAIL}", NAME, timeout=20)
    boxes = dash_duo.driver.execute_script(
        """const r = s => document.querySelector(s).getBoundingClientRect();
        return {list: r('.ops-list'), detail: r('#ops-alert-detail'), ack: r('#ops-ack'), resolve: r('#ops-resolve'),
                vh: window.innerHeight, scrolled: window.scrollY};"""
    )
    assert boxes["vh"] == 768 and boxes["scrolled"] == 0
    assert boxes["detail"]["left"] >= boxes["list"]["right"]  # beside the list, not under the map
    assert boxes["detail"]["top"] < boxes["vh"] / 2
    for button in ("ack", "resolve"):
        assert 0 <= boxes[button]["top"] and boxes[button]["bottom"] <= boxes["vh"], (button, boxes[button])
    assert dash_duo.get_logs() == []
