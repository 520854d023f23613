"""The benchmark harness's own logic: its cities at both densities, the `serve` window's replay, the report."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bench.city import SIZES, City, density_of, size_name, spec_for, url_for
from bench.replay import DISPATCH, Window, live_window
from bench.report import targets
from bench.run import ColdStart, EngineResult, ServeResult, _named
from bench.stats import Timing
from data.demo.generate import observation_interval_s
from tests.helpers.live import LoopbackHttp, QuietHandler


def test_every_city_is_one_the_demo_seed_accepts() -> None:
    for size in SIZES:
        assert observation_interval_s(spec_for(size)) >= 10, size  # `seed` refuses faster devices


def test_the_60_day_city_spreads_1m_complaints_over_60_days() -> None:
    spec = spec_for("1m-60d")
    assert (spec.complaints, spec.days, spec.observations, spec.sensors) == (1_000_000, 60, 10_000_000, 500)
    assert spec_for("1m").days == 730


def test_size_names_carry_their_density() -> None:
    assert size_name("1m", "730d") == "1m" and size_name("1m", "60d") == "1m-60d"
    assert density_of("1m") == "730d" and density_of("10k-60d") == "60d"
    assert "search_path%3Dcity_1m_60d" in url_for("1m-60d", "postgresql", "postgresql+psycopg://h")


def test_callbacks_with_the_same_outputs_get_distinct_names() -> None:
    body = json.dumps({"outputs": {"id": "wall-kpis", "property": "children"}})
    assert list(_named([body, body])) == ["wall-kpis.children", "wall-kpis.children (2)"]


class _Wall(QuietHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(200 if self.path == DISPATCH else 404)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(200 if self.path.startswith("/maps/") else 500)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def test_the_window_sends_every_request_each_tick_and_reports_failures() -> None:
    server = LoopbackHttp(_Wall)
    try:
        posts = {"kpis": json.dumps({"output": "wall-kpis.children"})}
        window = live_window(server.url, posts, {"map page": "/maps/wall", "broken": "/nope"}, 0.5, 0.2)
    finally:
        server.close()
    assert window.ticks >= 2
    assert set(window.timings) == {"kpis", "map page", "broken"}
    assert all(t.runs == window.ticks for t in window.timings.values())
    assert window.failures and all(f.startswith("broken:") for f in window.failures)


def _result(engine: str, size: str, kpis_p95: float) -> EngineResult:
    city = City(size, engine, "sqlite://", 1_000_000, 10_000_000, 1.0, 1.0, datetime(2026, 1, 1).isoformat())
    result = EngineResult(city)
    timings = {"kpis": Timing(50, kpis_p95, 30), "map page": Timing(300, 400, 30)}
    result.serve = ServeResult(ColdStart(20_000, 900), Window(300, 30, timings, []), 300, 250)
    return result


@pytest.mark.parametrize(("small", "verdict"), [(100.0, "1.40x (met)"), (50.0, "2.80x (missed)")])
def test_targets_have_a_column_per_engine_and_density_and_a_growth_ratio_each(small: float, verdict: str) -> None:
    results = [_result("sqlite", "1m", 120), _result("sqlite", "1m-60d", 200)]
    growth = {
        "60d": {
            "10k-60d": {"live": Timing(small, small, 10), "cold": Timing(1, 1, 10)},
            "1m-60d": {"live": Timing(140, 140, 10), "cold": Timing(1, 1, 10)},
        }
    }
    rows = targets(results, growth)
    assert rows[0] == "| Target | Limit | sqlite 730d | sqlite 60d |"
    worst = next(r for r in rows if "every wall callback" in r)
    assert "120 ms (met)" in worst and "200 ms (missed (1.3x))" in worst
    assert rows[-1].endswith(f"| - | {verdict} |")


HEAP = "heap = bytearray(150_000_000)\nheap[::4096] = b'x' * len(heap[::4096])\n"  # 150 MB, every page touched


def _memory_of(script: str, children: bool) -> tuple[float, float, float]:
    """`bench.stats.memory_mb` of a Python process running `script` (and its children), once it prints ready."""
    import subprocess
    import sys

    import psutil

    from bench.stats import memory_mb

    ready = script + "print('ready', flush=True); time.sleep(60)\n"
    process = subprocess.Popen([sys.executable, "-c", ready], stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout.readline().strip() == "ready"
        return memory_mb(process.pid, children=children)
    finally:
        for child in psutil.Process(process.pid).children():
            child.kill()
        process.kill()


def test_memory_tells_allocated_memory_from_mapped_file_pages(tmp_path):
    """The 600 MB target counts what a server allocates, not the database pages it maps (USS counts those)."""
    data = tmp_path / "city.db"
    data.write_bytes(b"\1" * 200_000_000)
    mapped = (
        "import mmap, time\n"
        f"f = open({str(data)!r}, 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n"
        "sum(m[i] for i in range(0, len(m), 4096))\n"  # touch every page of the file
    )
    rss, uss, anonymous = _memory_of(mapped + HEAP, children=False)
    assert 150 <= anonymous < 250, anonymous
    assert uss >= anonymous + 180, (uss, anonymous)  # the mapped file's pages count as private in USS
    assert rss >= uss


def test_memory_counts_pages_a_forked_worker_shares_with_its_master_once():
    forked = (
        "import os, time\n"
        + HEAP
        + "for _ in range(2):\n    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n"
    )
    _rss, _uss, anonymous = _memory_of(forked, children=True)
    assert 150 <= anonymous < 250, anonymous  # three processes, one copy of the heap
