"""Replaying recorded callback requests: in process (server side), over HTTP, and as bare SQL (the floor)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from sqlalchemy import Engine, event

from bench.stats import Timing, summarise, time_calls

DISPATCH = "/_dash-update-component"


@dataclass
class SqlCapture:
    """Every SELECT an engine runs while `active`, with its parameters, for replay as the floor."""

    engine: Engine
    active: bool = False
    statements: list[tuple[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:  # noqa: ANN001
        if self.active and not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))

    def run(self, fn: Callable[[], object]) -> list[tuple[str, object]]:
        self.statements = []
        self.active = True
        try:
            fn()
        finally:
            self.active = False
        return list(self.statements)


def replay_sql(engine: Engine, statements: list[tuple[str, object]], runs: int) -> Timing | None:
    """The bare SQL a callback ran, through the driver with no ORM or Dash, fetching every row."""
    if not statements:
        return None
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()

        def once() -> None:
            for sql, params in statements:
                cur.execute(sql, params)
                cur.fetchall()

        return time_calls(once, runs)
    finally:
        raw.close()


def in_process(client, body: str) -> Callable[[], int]:  # noqa: ANN001 - a Flask test client
    def call() -> int:
        response = client.post(DISPATCH, data=body, content_type="application/json")
        if response.status_code not in (200, 204):
            raise RuntimeError(f"callback failed with HTTP {response.status_code}: {response.data[:300]!r}")
        return len(response.data)

    return call


def over_http(session: requests.Session, base_url: str, body: str) -> Callable[[], int]:
    url = base_url.rstrip("/") + DISPATCH
    payload = body.encode("utf-8")  # a str body would go out as Latin-1 and break on "µg/m³" or "—"

    def call() -> int:
        response = session.post(url, data=payload, headers={"Content-Type": "application/json"}, timeout=120)
        if response.status_code not in (200, 204):
            raise RuntimeError(f"callback failed with HTTP {response.status_code}: {response.text[:300]}")
        return len(response.content)

    return call


def refresh_batches(
    base_url: str, bodies: list[str], runs: int, before_each: Callable[[], None] | None = None
) -> tuple[Timing, list[Timing], list[str]]:
    """Fire a tick's callbacks together, as the browser does; time the batch and each callback (and list
    the failures, which the report shows rather than the run stopping)."""
    sessions = [requests.Session() for _ in bodies]
    calls = [over_http(s, base_url, b) for s, b in zip(sessions, bodies, strict=True)]
    batch: list[float] = []
    each: list[list[float]] = [[] for _ in bodies]
    failures: list[str] = []

    def timed(i: int) -> float:
        start = time.perf_counter()
        try:
            calls[i]()
        except (RuntimeError, requests.RequestException) as exc:
            failures.append(str(exc)[:200])
        return (time.perf_counter() - start) * 1000

    with ThreadPoolExecutor(max_workers=max(1, len(bodies))) as pool:
        for run in range(runs + 1):
            if before_each:
                before_each()
            start = time.perf_counter()
            results = list(pool.map(timed, range(len(bodies))))
            if run == 0:
                continue  # warm-up
            batch.append((time.perf_counter() - start) * 1000)
            for i, ms in enumerate(results):
                each[i].append(ms)
    return summarise(batch), [summarise(e) for e in each], failures


@dataclass
class Window:
    """Each request's timings over a window of wall refreshes against a live server."""

    seconds: float
    ticks: int
    timings: dict[str, Timing]
    failures: list[str]


def live_window(
    base_url: str, posts: dict[str, str], gets: dict[str, str], window_s: float, interval_s: float
) -> Window:
    """What a wall meets for `window_s` seconds: every `interval_s` its tick's callbacks (`posts`, name ->
    recorded body) and pages (`gets`, name -> path) are sent together, as the browser sends them, while
    the server's own simulator writes; p50 / p95 per request over every tick (none excluded)."""
    base = base_url.rstrip("/")
    calls = {name: over_http(requests.Session(), base, body) for name, body in posts.items()}
    for name, path in gets.items():
        session = requests.Session()

        def get(session: requests.Session = session, path: str = path) -> int:
            response = session.get(base + path, timeout=120)
            response.raise_for_status()
            return len(response.content)

        calls[name] = get
    samples: dict[str, list[float]] = {name: [] for name in calls}
    failures: list[str] = []

    def timed(name: str) -> None:
        start = time.perf_counter()
        try:
            calls[name]()
        except (RuntimeError, requests.RequestException) as exc:
            failures.append(f"{name}: {exc}"[:200])
        samples[name].append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    ticks = 0
    with ThreadPoolExecutor(max_workers=max(1, len(calls))) as pool:
        while time.perf_counter() - began < window_s:
            list(pool.map(timed, calls))
            ticks += 1
            time.sleep(max(0.0, began + ticks * interval_s - time.perf_counter()))
    timings = {name: summarise(values) for name, values in samples.items() if values}
    return Window(time.perf_counter() - began, ticks, timings, failures)
