"""Headless Chromium (Debian's chromium + chromium-driver) for dash_duo, with every other host unreachable."""

from __future__ import annotations

import shutil

import pytest
from selenium.webdriver.chrome.options import Options

from tests.conftest import IN_CI

WINDOW_SIZES = {"wall": (1920, 1080), "wall4k": (3840, 2160), "tablet": (1024, 768), "phone": (390, 844)}


def pytest_setup_options() -> Options:
    options = Options()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument("--hide-scrollbars")
    options.add_argument("--disable-background-networking")
    options.add_argument("--disable-component-update")
    options.add_argument("--disable-sync")
    options.add_argument("--no-first-run")
    options.add_argument("--window-size=1920,1080")
    # Any request to a host other than the app's own fails loudly (and shows in the console log).
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost")
    return options


@pytest.fixture(autouse=True)
def _browser_installed() -> None:
    if shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("chromium-browser")):
        return
    message = "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def foreign_requests(driver, origin: str) -> list[str]:
    """URLs of every resource the page loaded from anywhere but the app's own origin."""
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [u for u in urls if not (u.startswith(origin) or u.startswith("data:") or u.startswith("blob:"))]


def resize(driver, size: str) -> None:
    width, height = WINDOW_SIZES[size]
    driver.set_window_size(width, height)
    # The outer window includes no chrome in headless mode, but make the viewport exact regardless.
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
