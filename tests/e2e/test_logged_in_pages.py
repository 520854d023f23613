"""Every page as the people who use it: a real person of each role logs in (and a wall screen with its device
token) and opens every page that role may see, in headless Chromium, against one seeded small city.

Any 5xx the server answers (recorded by the app itself, error handlers included) or any error in the browser's
console fails the test. Before: no browser test ran logged in, and every wall slot answered 500 to a person.
"""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import request
from selenium.webdriver.common.by import By
from sqlalchemy import insert

from dashboard.app import create_app
from dashboard.settings import Settings
from data.alerts.queries import active_alerts, audit_trail
from data.auth import tokens, users
from data.models import Sensor
from data.store import utcnow
from layouts import ids
from layouts.wall_screens import screens
from tests.conftest import copy_city
from tests.e2e.conftest import foreign_requests
from tests.helpers.live import LiveApp, chromium, wait_until

pytestmark = pytest.mark.e2e
PASSWORD = "genangan air 2026"
TOKEN = "e2e-logged-in-ingest-token"
GAUGE, GAUGE_NAME = "wl-e2e-login", "Pos Uji Masuk Cisadane"
WALL_ROLES = ("wall", "leader", "analyst", "operator", "admin")
LEADER_ROLES = ("leader", "analyst", "operator", "admin")
DISTRICT = "36.71.05"


@pytest.fixture(scope="module")
def city(small_city_path, tmp_path_factory):
    """One copy of the small city for the module: a person per role, a wall's device token, a danger alert."""
    path = tmp_path_factory.mktemp("logged-in") / "city.db"
    engine = copy_city(small_city_path, path)
    for role in WALL_ROLES:
        users.add_user(engine, f"{role}1", PASSWORD, role)
    device, _ = tokens.create_token(engine, "device", "lobby wall", ["wall"], "admin1")
    with engine.begin() as conn:
        conn.execute(
            insert(Sensor).values(
                id=GAUGE, name=GAUGE_NAME, kind="water_level", unit="cm", lat=-6.19, lon=106.63,
                district_code="36.71.01", warning_threshold=250.0, danger_threshold=320.0, expected_interval_s=300,
            )
        )  # fmt: skip
    app = create_app(Settings(database_url=f"sqlite:///{path}", ingest_token=TOKEN, refresh_seconds=5))
    failures: list[str] = []

    @app.server.after_request
    def record_5xx(response):  # noqa: ANN001, ANN202 - runs for error handlers' answers too
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {request.method} {request.path}")
        return response

    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    readings = [{"sensor_id": GAUGE, "observed_at": (start + timedelta(minutes=5 * i)).isoformat() + "Z", "value": v}
                for i, v in enumerate([300, 326, 331, 335, 338])]  # fmt: skip
    posted = app.server.test_client().post(
        "/api/v1/observations", json=readings, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert posted.status_code == 201
    alerts = active_alerts(engine, utcnow())
    alert_id = int(alerts[alerts["sensor_id"] == GAUGE].iloc[0]["id"])
    live = LiveApp(app)
    yield SimpleNamespace(url=live.url, engine=engine, failures=failures, device=device, alert_id=alert_id)
    live.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def page(city, browser):
    """The browser, signed out; after the test, no 5xx from the server and no error in the console."""
    browser.delete_all_cookies()
    browser.get_log("browser")
    browser.get_log("performance")
    city.failures.clear()
    yield browser
    time.sleep(1.0)  # the last callbacks' answers
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert city.failures == [], city.failures
    assert errors == [], errors
    assert foreign_requests(browser, city.url) == []


def log_in(driver, url: str, role: str) -> None:
    driver.delete_all_cookies()
    open_page(driver, f"{url}/login", "#login-username")
    driver.find_element(By.ID, "login-username").send_keys(f"{role}1")
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait_until(lambda: "/login" not in driver.current_url, 20, f"{role}1 to be logged in")


def open_page(driver, url: str, selector: str, timeout: float = 30) -> None:
    driver.get(url)
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, selector), timeout, f"{selector} on {url}")


def settled(driver, seconds: float = 1.5) -> None:
    """Let the page's callbacks run (a wall's refresh ticks keep some always loading) before the logs are read."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and driver.find_elements(By.CSS_SELECTOR, '[data-dash-is-loading="true"]'):
        time.sleep(0.25)
    time.sleep(seconds)


def every_wall_screen(driver, url: str, plain_wall: bool = True) -> None:
    """The playlist of every screen (all slots render at once, so each screen's callbacks run), then the wall."""
    names = list(screens())
    playlist = ",".join(f"{n}:10" for n in names)
    open_page(driver, f"{url}/wall/playlist?screens={playlist}&kiosk=1", ".wall-slot .wall-panel")
    for slot in range(len(names)):
        wait_until(lambda s=slot: driver.find_elements(By.CSS_SELECTOR, f'.wall-slot[data-slot="{s}"] > *'), 30,
                   f"slot {slot} ({names[slot]})")  # fmt: skip
    settled(driver, 5.5)  # one refresh tick (REFRESH_SECONDS=5) of every slot
    if plain_wall:
        open_page(driver, f"{url}/wall", ".wall-slot .wall-panel")
        settled(driver)


@pytest.mark.parametrize("role", WALL_ROLES)
def test_every_wall_screen_and_the_playlist_as_each_role(city, page, role):
    log_in(page, city.url, role)
    every_wall_screen(page, city.url, plain_wall=role == "wall")
    assert page.find_elements(By.CSS_SELECTOR, ".kpi-number")


def test_every_wall_screen_as_a_wall_device(city, page):
    page.get(f"{city.url}/wall?token={city.device}&kiosk=1")
    wait_until(lambda: "token=" not in page.current_url, 20, "the token to leave the address bar")
    every_wall_screen(page, city.url)


@pytest.mark.parametrize("role", LEADER_ROLES)
def test_leader_district_and_briefing_as_each_role(city, page, role):
    log_in(page, city.url, role)
    open_page(page, f"{city.url}/leader", ".leader-grid")
    settled(page)
    open_page(page, f"{city.url}/leader/district/{DISTRICT}", ".leader-grid")
    settled(page)
    open_page(page, f"{city.url}/briefing", '[data-figure="received"] .brief-value')
    settled(page, 1.0)


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analyst_with_a_filter_change_as_each_role(city, page, role):
    log_in(page, city.url, role)
    open_page(page, f"{city.url}/analyst?from=2026-11-01&to=2026-11-19", f"#{ids.ANALYST_COUNT}")
    wait_until(lambda: page.find_element(By.ID, ids.ANALYST_COUNT).text.strip(), 30, "the analyst count")
    settled(page)
    before = page.find_element(By.ID, ids.ANALYST_COUNT).text
    page.find_element(By.CSS_SELECTOR, f"#{ids.ANALYST_RANGE} input[value='7d']").click()
    wait_until(lambda: page.find_element(By.ID, ids.ANALYST_COUNT).text != before, 30, "the count to follow")
    settled(page)


def test_ops_acknowledge_as_an_operator_is_signed_with_their_account(city, page):
    log_in(page, city.url, "operator")
    open_page(page, f"{city.url}/ops", f"#{ids.OPS_ALERT_GRID}")
    wait_until(lambda: GAUGE_NAME in page.find_element(By.ID, ids.OPS_ALERT_GRID).text, 30, "the alert")
    page.find_element(By.XPATH, f"//div[contains(@class,'ag-cell') and contains(., '{GAUGE_NAME}')]").click()
    wait_until(lambda: page.find_elements(By.ID, f"ops-alert-{city.alert_id}"), 20, "the alert's detail")
    page.find_element(By.ID, ids.OPS_ACK).click()
    wait_until(lambda: "operator1" in page.find_element(By.ID, ids.OPS_FEEDBACK).text, 20, "the acknowledgement")
    trail = audit_trail(city.engine, alert_id=city.alert_id)
    assert list(trail[trail["action"] == "acknowledged"]["actor"]) == ["operator1"]
    settled(page, 1.0)


def test_ops_and_admin_as_an_admin(city, page):
    log_in(page, city.url, "admin")
    open_page(page, f"{city.url}/ops", f"#{ids.OPS_ALERT_GRID}")
    settled(page)
    open_page(page, f"{city.url}/admin", "#admin-account")
    wait_until(lambda: "admin1" in page.find_element(By.ID, "admin-account").text, 20, "who is signed in")
    settled(page)
