"""Headless Chromium that records every Dash callback request a page makes, and when the page was full.

A script injected before the page loads wraps `fetch`: each `_dash-update-component` request's body,
start and end (ms since navigation) is kept. A page is "filled" when no callback is in flight and
none has started for `quiet_ms`, every callback an earlier load of the page ran having answered; its first
full render is the end of the last of those requests. The recorded bodies are then replayed by the harness,
server side and over HTTP.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

RECORDER_JS = """
(() => {
  const orig = window.fetch;
  window.__dashlog = []; window.__inflight = 0; window.__lastEvent = performance.now(); window.__outputs = {};
  window.fetch = function (resource, opts) {
    const url = String((resource && resource.url) || resource);
    if (!url.includes('_dash-update-component')) { return orig.apply(this, arguments); }
    const t0 = performance.now(); window.__inflight++; window.__lastEvent = t0;
    const body = opts && opts.body;
    const done = (status) => { window.__inflight--; const t1 = performance.now(); window.__lastEvent = t1;
                               window.__dashlog.push({t0: t0, t1: t1, body: body, status: status});
                               try { window.__outputs[JSON.parse(body).output] = 1; } catch (e) {} };
    return orig.apply(this, arguments).then(r => { done(r.status); return r; }, e => { done(-1); throw e; });
  };
})();
"""


@dataclass
class PageLoad:
    """One navigation: when the page was full (ms since navigation) and the callbacks it ran."""

    path: str
    filled_ms: float | None
    requests: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outputs(self) -> frozenset[str]:
        """The callbacks it ran, by their outputs."""
        return frozenset(json.loads(r["body"]).get("output", "") for r in self.requests if r["body"])


def open_browser(width: int = 1920, height: int = 1080):  # noqa: ANN201 - a selenium WebDriver
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    ):  # fmt: skip
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER_JS})
    return driver


def _state(driver) -> dict:  # noqa: ANN001
    return driver.execute_script(
        "return {n: (window.__dashlog||[]).length, inflight: window.__inflight||0,"
        " idle: performance.now() - (window.__lastEvent||0), outputs: Object.keys(window.__outputs||{})}"
    )


def wait_quiet(  # noqa: ANN001
    driver, quiet_ms: float, timeout_s: float, min_requests: int = 1, outputs: frozenset[str] = frozenset()
) -> bool:
    """Wait until callbacks have run (at least `min_requests`, every one of `outputs` answered) and none is in
    flight or starting for `quiet_ms`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        st = _state(driver)
        answered = outputs <= set(st["outputs"])
        if answered and st["n"] >= min_requests and st["inflight"] == 0 and st["idle"] >= quiet_ms:
            return True
        time.sleep(0.05)
    return False


def _log(driver) -> list[dict]:  # noqa: ANN001
    return driver.execute_script("return window.__dashlog || []")


def load_page(
    driver,  # noqa: ANN001 - a WebDriver
    base_url: str,
    path: str,
    quiet_ms: float = 400,
    timeout_s: float = 60,
    expected: frozenset[str] = frozenset(),
) -> PageLoad:
    """Navigate and wait for the page to fill: every callback output in `expected` answered (what earlier loads
    of the page ran: a pause while the browser loads a script chunk is not the page being full), then none in
    flight or starting for `quiet_ms`. Errors are failed callbacks and browser console errors."""
    driver.get("about:blank")
    driver.get(base_url.rstrip("/") + path)
    filled = wait_quiet(driver, quiet_ms, timeout_s, outputs=expected)
    log = _log(driver)
    load = PageLoad(path, max((r["t1"] for r in log), default=None) if filled else None, log)
    load.errors = [f"HTTP {r['status']} for {_outputs(r['body'])}" for r in log if r["status"] != 200]
    if not filled:
        load.errors.append(f"page not filled within {timeout_s:.0f} s")
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            load.errors.append(entry.get("message", "")[:200])
    return load


def wait_tick(driver, tick_s: float, trigger: str) -> list[dict]:  # noqa: ANN001
    """The callbacks one refresh tick fires: those `trigger` (an Interval's id) starts, and those chained on
    their outputs. Faster intervals (a 1 s clock) in the same window are left out."""
    before = len(_log(driver))
    time.sleep(tick_s + 2)
    wait_quiet(driver, 400, 30, before + 1)
    window = _log(driver)[before:]
    chosen: list[dict] = []
    outputs = {f"{trigger}.n_intervals"}
    changed = True
    while changed:
        changed = False
        for request in window:
            if request in chosen or not request["body"]:
                continue
            payload = json.loads(request["body"])
            if set(payload.get("changedPropIds", [])) & outputs:
                chosen.append(request)
                outputs |= _output_keys(payload)
                changed = True
    return chosen


def _output_keys(payload: dict) -> set[str]:
    outs = payload.get("outputs")
    outs = outs if isinstance(outs, list) else [outs]
    keys = set()
    for out in outs:
        if isinstance(out, dict):
            oid = out.get("id")
            oid = json.dumps(oid, sort_keys=True, separators=(",", ":")) if isinstance(oid, dict) else oid
            keys.add(f"{oid}.{out.get('property')}")
    return keys


def _outputs(body: str | None) -> str:
    try:
        return str(json.loads(body or "{}").get("output", "?"))[:120]
    except ValueError:
        return "?"


def output_name(body: str) -> str:
    """A readable name for a callback from its outputs: ids (pattern ids by type) and properties."""
    payload = json.loads(body)
    outputs = payload.get("outputs")
    outputs = outputs if isinstance(outputs, list) else [outputs]
    names = []
    for out in outputs:
        if not isinstance(out, dict):
            continue
        oid = out.get("id")
        oid = oid.get("type", json.dumps(oid)) if isinstance(oid, dict) else oid
        names.append(f"{oid}.{out.get('property')}")
    return ", ".join(dict.fromkeys(names)) or str(payload.get("output"))[:80]


def reads(body: str, component_id: str) -> bool:
    """Whether a recorded callback request has `component_id` among its inputs (what fires it)."""
    inputs = json.loads(body).get("inputs") or []
    flat = [i for group in inputs for i in (group if isinstance(group, list) else [group])]
    return any(isinstance(i, dict) and i.get("id") == component_id for i in flat)
