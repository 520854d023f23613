"""A live app on a free loopback port and a headless Chromium that records the callbacks a page sends."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import orjson
import pytest

from tests.conftest import IN_CI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout: float, what: str, every: float = 0.25) -> float:
    """Poll `check` until true; returns the seconds it took, fails the test with `what` on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


class LiveApp:
    """The app served by waitress on a free port in this process, as `python -m dashboard serve` serves it."""

    def __init__(self, app) -> None:  # noqa: ANN001
        from waitress.server import create_server

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = create_server(app.server, host="127.0.0.1", port=self.port, threads=8)
        threading.Thread(target=self.server.run, daemon=True).start()

    def close(self) -> None:
        self.server.close()


def chromium():  # noqa: ANN201
    """Headless Chromium with its performance log on, so the test can read the callbacks the page sent."""
    if not shutil.which("chromedriver"):
        if IN_CI:
            pytest.fail("chromedriver is not installed")
        pytest.skip("chromedriver is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1920,1080", "--disable-background-networking"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    return webdriver.Chrome(options=options)


class CallbackRecorder:
    """Bodies of the /_dash-update-component requests a page sent, read from Chrome's network log as it fills."""

    def __init__(self, driver) -> None:  # noqa: ANN001
        self.driver = driver
        self.bodies: list[dict] = []

    def drain(self) -> list[dict]:
        for entry in self.driver.get_log("performance"):
            event = orjson.loads(entry["message"])["message"]
            request = event.get("params", {}).get("request", {})
            if event.get("method") == "Network.requestWillBeSent" and request.get("postData"):
                if urlsplit(request.get("url", "")).path == "/_dash-update-component":
                    self.bodies.append(orjson.loads(request["postData"]))
        return self.bodies


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean (http.server logs every request to stderr)."""

    def log_message(self, *_args: object) -> None:
        return None


class LoopbackHttp:
    """A threaded HTTP server on a free loopback port, answering with `handler`; `url` ends in `path`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], path: str = "/") -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
