"""One engine's measurements: data-layer figures vs floor and peer, pages in a browser, callbacks in
process and over HTTP through gunicorn, memory, and ingest."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import requests

from bench import browser, figures
from bench.city import City
from bench.ingest import measure_api, measure_ingest, measure_mqtt, measure_mqtt_consumers
from bench.replay import SqlCapture, in_process, over_http, refresh_batches, replay_sql
from bench.servers import ROOT, Gunicorn
from bench.stats import PeakRss, Timing, fmt_ms, summarise, time_calls
from data.store import make_engine, utcnow
from layouts import ids

# The production layout's shared cache (README), on a Redis database of the benchmark's own, emptied
# before each engine so one city's figures can never answer for another's.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/15"
PAGES = {"wall": "/wall", "leader": "/leader", "district": "/leader?district=36.71.01", "analyst": "/analyst"}


@dataclass
class CallbackResult:
    page: str
    name: str
    kind: str  # "tick", "load"
    server: Timing
    floor_sql: Timing | None
    http: Timing | None = None


@dataclass
class EngineResult:
    city: City
    figures: dict = field(default_factory=dict)
    peer: dict = field(default_factory=dict)
    trivial: dict = field(default_factory=dict)
    first_render: dict = field(default_factory=dict)
    first_render_cold: dict = field(default_factory=dict)
    callbacks: list[CallbackResult] = field(default_factory=list)
    refresh_http: Timing | None = None
    refresh_server: Timing | None = None
    analyst_change_http: Timing | None = None
    map_page_http: Timing | None = None
    rss_peak_mb: float = 0.0
    private_peak_mb: float = 0.0
    ingest: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    tick_bodies: list[str] = field(default_factory=list)


def run_peer(city: City, runs: int, log) -> dict:  # noqa: ANN001
    log("  peer: loading every table into pandas ...")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "bench.peer", city.url, out.name, str(runs)], cwd=ROOT, check=True)
        return json.loads(open(out.name).read())


def trivial_round_trip(port: int, runs: int) -> dict:
    from bench import trivial_app

    client = trivial_app.server.test_client()
    server = Gunicorn("bench.trivial_app:server", port, {}, workers=1, threads=4)
    try:
        server.wait_ready()
        http = time_calls(over_http(requests.Session(), server.url, trivial_app.BODY), runs * 3)
    finally:
        server.stop()
    return {"server": time_calls(in_process(client, trivial_app.BODY), runs * 3), "http": http}


def record_pages(
    base_url: str,
    tick_s: float,
    loads: int,
    log,  # noqa: ANN001
) -> tuple[dict, dict, dict, list[dict], list[str]]:
    """First full render of each page and the callbacks each ran: the first navigation after the server
    started (its cache empty) apart, then several more (p50 / p95, as a screen opened on a running room)."""
    driver = browser.open_browser()
    renders, cold, bodies, errors = {}, {}, {}, []
    tick: list[dict] = []
    try:
        for name, path in PAGES.items():
            times = []
            for i in range(1 + (loads if name == "wall" else max(2, loads // 2))):
                load = browser.load_page(driver, base_url, path)
                errors.extend(f"{path}: {e}" for e in load.errors)
                if i == 0:
                    cold[name] = load.filled_ms
                elif load.filled_ms is not None:
                    times.append(load.filled_ms)
            renders[name] = summarise(times) if times else None
            bodies[name] = [r["body"] for r in load.requests if r["status"] in (200, 204) and r["body"]]
            log(f"  {path}: full in {renders[name].cell() if renders[name] else 'n/a'} ({len(bodies[name])} callbacks)"
                f", first navigation after start {fmt_ms(cold[name])}")  # fmt: skip
            if name == "wall":
                load = browser.load_page(driver, base_url, path)
                tick = browser.wait_tick(driver, tick_s, ids.WALL_TICK)
                log(f"  /wall tick fired {len(tick)} callbacks")
    finally:
        driver.quit()
    return renders, cold, bodies, tick, errors


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def live_write(engine) -> None:  # noqa: ANN001
    """What a live city does between two refreshes: a reading and a citizen's complaint arrive, so the
    versions of both kinds of data change and no cached figure of today can answer."""
    from data.ingest.sink import store_complaints, store_observations

    at = utcnow().replace(microsecond=0)
    with engine.connect() as conn:
        sensor = conn.exec_driver_sql("SELECT id FROM sensors ORDER BY id LIMIT 1").scalar()
    store_observations(engine, [(sensor, at, 1.0)])
    complaint = {"source": "bench", "source_id": f"live-{secrets.token_hex(8)}", "category": "banjir",
                 "status": "open", "requested_at": at, "lat": -6.178, "lon": 106.63}  # fmt: skip
    store_complaints(engine, [complaint])


def map_page(base_url: str, before, runs: int) -> Timing:  # noqa: ANN001
    """The wall map's page (GET /maps/wall: the folium map built from the current figures), new data each time."""
    session = requests.Session()

    def get() -> None:
        response = session.get(f"{base_url}/maps/wall?lang=id&measure=per_10k", timeout=120)
        response.raise_for_status()

    return time_calls(get, runs, before=before)


def measure_callbacks(result: EngineResult, bodies: dict, tick: list[str], base_url: str, runs: int, log) -> None:  # noqa: ANN001
    """Each recorded callback in process (cache cleared each time: the cost when data just changed),
    with the SQL it ran replayed bare, then over HTTP."""
    from callbacks.cache import EXTRAS_KEY
    from callbacks.context import RUNTIME_KEY
    from dashboard.app import create_app
    from dashboard.settings import Settings

    app = create_app(Settings(database_url=result.city.url))
    rt = app.server.extensions[RUNTIME_KEY]
    client = app.server.test_client()
    capture = SqlCapture(rt.engine)
    session = requests.Session()

    def cold(call):  # noqa: ANN001, ANN202
        def run() -> None:
            cache = rt.extras.get(EXTRAS_KEY)
            if cache is not None:
                cache.clear()
            call()

        return run

    jobs = [("wall", b, "tick") for b in tick] + [(p, b, "load") for p, bs in bodies.items() for b in bs]
    for page, body, kind in jobs:
        name = browser.output_name(body)
        try:
            call = in_process(client, body)
            statements = capture.run(call)
            server = time_calls(cold(call), runs)
            floor = replay_sql(rt.engine, statements, runs)
            http = time_calls(over_http(session, base_url, body), max(5, runs // 2))
        except Exception as exc:  # noqa: BLE001 - a failing callback is reported, the run goes on
            result.errors.append(f"{page} {name}: {exc}"[:300])
            continue
        result.callbacks.append(CallbackResult(page, name, kind, server, floor, http))
    if tick:
        calls = [cold(in_process(client, b)) for b in tick]
        result.refresh_server = time_calls(lambda: [c() for c in calls], runs)
        engine = make_engine(result.city.url)

        def before() -> None:
            live_write(engine)
            time.sleep(1.1)  # past the cache's version check: every refresh sees new data

        result.refresh_http, _, failures = refresh_batches(base_url, tick, max(10, runs // 2), before)
        result.errors.extend(f"wall refresh over HTTP: {f}" for f in sorted(set(failures)))
        try:
            result.map_page_http = map_page(base_url, before, max(10, runs // 2))
        except requests.RequestException as exc:  # reported, the run goes on
            result.errors.append(f"wall map page over HTTP: {exc}"[:300])
        engine.dispose()
    change = [b for b in bodies.get("analyst", []) if browser.reads(b, ids.ANALYST_FILTER)]
    if change:  # what an analyst waits for: every chart and the grid of one filter change, fired together
        result.analyst_change_http, _, failures = refresh_batches(base_url, change, max(10, runs // 2))
        result.errors.extend(f"analyst filter change over HTTP: {f}" for f in sorted(set(failures)))
    log(f"  {len(result.callbacks)} callbacks measured")


def run_engine(  # noqa: ANN001 - log is print-like
    city: City, runs: int, port: int, workers: int, browser_loads: int, log, peer: bool = True,
    mqtt_url: str = "mqtt://127.0.0.1:1883", redis_url: str = BENCH_REDIS_URL,
) -> EngineResult:  # fmt: skip
    result = EngineResult(city)
    engine = city.engine()
    now = utcnow()
    log(f"[{city.engine_name}] data-layer figures and their floor ...")
    result.figures = figures.measure(engine, now, runs)
    engine.dispose()
    if peer:
        result.peer = run_peer(city, max(5, runs // 3), log)
    result.trivial = trivial_round_trip(port + 1, runs)
    token = "bench-" + secrets.token_hex(16)
    flush_redis(redis_url)
    env = {"DATABASE_URL": city.url, "INGEST_TOKEN": token, "DEMO_ON_EMPTY": "0", "REDIS_URL": redis_url}
    server = Gunicorn("dashboard.wsgi:server", port, env, workers=workers)
    try:
        server.wait_ready("/api/health")
        with PeakRss(server.pid) as rss:
            renders, cold, bodies, tick, errors = record_pages(server.url, 10, browser_loads, log)
            result.first_render, result.first_render_cold, result.errors = renders, cold, errors
            result.tick_bodies = [r["body"] for r in tick if r["status"] in (200, 204) and r["body"]]
            measure_callbacks(result, bodies, result.tick_bodies, server.url, runs, log)
        result.rss_peak_mb, result.private_peak_mb = rss.peak, rss.peak_private
        result.ingest = _guarded(lambda: measure_api(city, server.url, token, log), "api")
    finally:
        server.stop()
    result.ingest.update(measure_ingest(city, log))
    result.ingest.update(_guarded(lambda: measure_mqtt(city, mqtt_url, log), "mqtt"))
    result.ingest.update(_guarded(lambda: measure_mqtt_consumers(city, mqtt_url, log), "mqtt_consumers"))
    return result


def _guarded(step, name: str) -> dict:  # noqa: ANN001
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 - a missing broker or route is reported, the run goes on
        return {name: f"failed: {type(exc).__name__}: {exc}"[:300]}


def growth(cities: list[City], tick: list[str], runs: int, log) -> dict[str, dict[str, Timing]]:  # noqa: ANN001
    """The wall's refresh (its tick callbacks, in process) on cities of growing history: after new data
    (a reading and a complaint written before each refresh, what a screen meets every 10 s) and cold
    (cache emptied: the first screen after a restart)."""
    from callbacks.cache import EXTRAS_KEY
    from callbacks.context import RUNTIME_KEY
    from dashboard.app import create_app
    from dashboard.settings import Settings

    out = {}
    for city in cities:
        app = create_app(Settings(database_url=city.url))
        rt = app.server.extensions[RUNTIME_KEY]
        client = app.server.test_client()
        calls = [in_process(client, b) for b in tick]

        def refresh(calls=calls) -> None:  # noqa: ANN001 - bound per city
            for call in calls:
                call()

        def new_data(rt=rt) -> None:  # noqa: ANN001
            live_write(rt.engine)
            rt.extras[EXTRAS_KEY].forget_versions()

        def empty_cache(rt=rt) -> None:  # noqa: ANN001
            rt.extras[EXTRAS_KEY].clear()

        refresh()  # creates the cache
        out[city.size] = {"live": time_calls(refresh, runs, before=new_data),
                          "cold": time_calls(refresh, runs, before=empty_cache)}  # fmt: skip
        log(f"  growth {city.size}: wall refresh after new data {out[city.size]['live'].cell()}, "
            f"cold {out[city.size]['cold'].cell()}")  # fmt: skip
        rt.engine.dispose()
    return out
