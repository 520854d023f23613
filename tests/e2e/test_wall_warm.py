"""Ready means warm (#17.2) in a real browser: after warming, no wall screen computes anything on its first render;
a wall whose server warms or restarts keeps its last figures on screen, marked with their time, and drops the
mark when fresh figures arrive."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from callbacks.cache import EXTRAS_KEY
from callbacks.context import RUNTIME_KEY
from callbacks.warm import WARMTH_KEY, Warmth, warm_wall_screens
from dashboard.app import create_app
from layouts.wall_screens import screens
from tests.helpers.live import LiveApp, chromium, free_port, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SLOT0 = '.wall-slot[data-slot="0"]'
MARKED = "return document.querySelector('.wall.is-reconnecting') !== null"
MARK_TEXT = "return document.querySelector('.reconnecting').innerText"
BACKLOG = f'{SLOT0} [data-kpi="open_backlog"] .kpi-number'


def _text(driver, selector: str) -> str:  # noqa: ANN001 - a selenium WebDriver
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def _heartbeat(driver) -> str:  # noqa: ANN001 - hidden on screen, so read its text from the page
    return driver.execute_script("return document.getElementById('wall-heartbeat')?.textContent || ''")


def _map_shown(driver) -> bool:  # noqa: ANN001
    """The front map frame holds a drawn map (not an error page, not blank)."""
    return driver.execute_script(
        "const f = document.querySelector('" + SLOT0 + " iframe.map-frame.front');"
        "try { return !!(f && f.contentDocument && f.contentDocument.querySelector('.district-label')); }"
        " catch (e) { return false; }"
    )


def _settled(driver, timeout: float) -> None:  # noqa: ANN001
    """The page's header answered and every panel of the slot has content (the map drawn where there is one)."""
    wait_until(lambda: _heartbeat(driver) not in ("", "warming"), timeout, "the wall's first refresh")
    wait_until(
        lambda: driver.execute_script(
            f"return Array.from(document.querySelectorAll('{SLOT0} .wall-panel')).every(p => p.querySelector('iframe')"
            " || p.innerText.trim().length > (p.querySelector('.wall-panel-title')?.innerText.trim().length || 0))"
        ),
        timeout,
        "every panel filled",
    )
    if driver.find_elements(By.CSS_SELECTOR, f"{SLOT0} iframe.map-frame"):
        wait_until(lambda: _map_shown(driver), timeout, "the map drawn")


def test_after_warming_no_wall_screen_computes_on_its_first_render(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=60, tile_url="none"))
    warm_wall_screens(app.server)
    cache = app.server.extensions[RUNTIME_KEY].extras[EXTRAS_KEY]
    live, driver = LiveApp(app), chromium()
    try:
        cold: dict[str, list[str]] = {}
        for name in screens():
            before = set(cache._local)
            driver.get(f"{live.url}/wall/{name}?lang=en")
            _settled(driver, 60)
            computed = sorted(key.split(":")[3] if key.count(":") > 3 else key for key in set(cache._local) - before)
            if computed:
                cold[name] = computed
        assert cold == {}, f"computed on a first render after warming: {cold}"
    finally:
        driver.quit()
        live.close()


def test_a_warming_server_marks_the_figures_until_it_is_warm(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url), refresh_seconds=2, tile_url="none"))
    app.server.extensions[WARMTH_KEY] = Warmth(state="warming")  # as a gunicorn worker answers while it warms
    live, driver = LiveApp(app), chromium()
    try:
        driver.get(f"{live.url}/wall/overview?lang=en")
        wait_until(lambda: driver.execute_script(MARKED), 20, "the mark while the server warms")
        warm_wall_screens(app.server)
        wait_until(lambda: not driver.execute_script(MARKED), 20, "the mark to go once warm")
        _settled(driver, 30)
    finally:
        driver.quit()
        live.close()


class Serve:
    """`python -m dashboard serve` on one port and store, stopped and started again like a deploy."""

    def __init__(self, url: str, log: Path) -> None:
        self.port, self.log, self.process = free_port(), log, None
        kept = {k: v for k, v in os.environ.items() if k not in ("CITY", "DATABASE_URL", "HOST", "PORT")}
        self.env = {**kept, "DATABASE_URL": url, "REFRESH_SECONDS": "2", "CITY_TILE_URL": "none"}

    def start(self) -> None:
        args = ["serve", "--port", str(self.port), "--no-simulate", "--no-alerts"]
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "dashboard", *args], env=self.env,  # noqa: S603
                                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        wait_until(self.answers, 120, "serve to answer")

    def answers(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/api/health", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


def test_a_wall_keeps_its_last_figures_marked_while_its_server_restarts(small_city, tmp_path):
    server = Serve(str(small_city.url), tmp_path / "serve.log")
    small_city.dispose()
    server.start()
    driver = chromium()
    try:
        driver.get(f"http://127.0.0.1:{server.port}/wall/overview?lang=en")
        _settled(driver, 60)
        wait_until(lambda: _text(driver, BACKLOG) != "", 30, "the backlog tile")
        figure = _text(driver, BACKLOG)
        for _ in range(3):  # a wall learns its normal refresh gap from its heartbeats before it judges an outage
            beat = _heartbeat(driver)
            wait_until(lambda: _heartbeat(driver) != beat, 20, "a heartbeat")  # noqa: B023 - polled at once
        server.stop()
        wait_until(lambda: driver.execute_script(MARKED), 40, "the mark once the server is gone")
        assert re.fullmatch(r"last data \d\d:\d\d · reconnecting", driver.execute_script(MARK_TEXT).strip())
        assert _text(driver, BACKLOG) == figure and _map_shown(driver), "the last figures left the screen"
        assert _text(driver, f"{SLOT0} .ticker-panel"), "the ticker emptied"
        server.start()
        wait_until(lambda: not driver.execute_script(MARKED), 40, "the mark to go once the server is back")
        beat = _heartbeat(driver)
        wait_until(lambda: _heartbeat(driver) != beat, 20, "a fresh refresh")
        assert _text(driver, BACKLOG) == figure and _map_shown(driver)
    finally:
        driver.quit()
        server.stop()
    assert "Traceback" not in server.log.read_text()
