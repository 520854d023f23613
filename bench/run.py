"""One engine's measurements on one city: data-layer figures vs floor and peer, a cold start and pages in a
browser, callbacks in process and over HTTP through gunicorn, the README's `serve` over a window of live
refreshes, memory, and ingest."""

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
from bench.replay import SqlCapture, Window, in_process, live_window, over_http, refresh_batches, replay_sql
from bench.servers import ROOT, Gunicorn, Serve, Server
from bench.stats import PeakRss, Timing, fmt_ms, summarise, time_calls
from data.store import make_engine, utcnow
from layouts import ids

# The production layout's shared cache (README), on a Redis database of the benchmark's own, emptied
# before each engine so one city's figures can never answer for another's.
BENCH_REDIS_URL = "redis://127.0.0.1:6379/15"
PAGES = {"wall": "/wall", "leader": "/leader", "district": "/leader?district=36.71.01", "analyst": "/analyst"}
WALL_REFRESH_S = 10  # the wall's tick (layouts/wall.py: dcc.Interval 10,000 ms)
MAP_PAGE = "/maps/wall?lang=id&measure=per_10k"  # what the wall's map frame loads when its source changes


@dataclass(frozen=True)
class Plan:
    """How much to measure: runs per figure, the window `serve` is watched over, ports and workers."""

    runs: int
    port: int
    workers: int
    browser_loads: int
    window_s: float
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    redis_url: str = BENCH_REDIS_URL


@dataclass
class ColdStart:
    """From launching a server on the cached city to its first full wall render in Chromium."""

    warm_ms: float  # launch -> /api/health answers and no longer says `warming`
    first_render_ms: float | None  # then: navigation to /wall -> the page full
    errors: list[str] = field(default_factory=list)


@dataclass
class ServeResult:
    """The README's `serve` (simulator and alert clock on): cold start, a window of live wall refreshes,
    and the server process's own memory."""

    cold_start: ColdStart
    window: Window | None = None
    rss_peak_mb: float = 0.0
    private_peak_mb: float = 0.0
    anonymous_peak_mb: float = 0.0
    errors: list[str] = field(default_factory=list)


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
    cold_start: ColdStart | None = None  # gunicorn's
    serve: ServeResult | None = None
    callbacks: list[CallbackResult] = field(default_factory=list)
    refresh_http: Timing | None = None
    refresh_server: Timing | None = None
    analyst_change_http: Timing | None = None
    map_page_http: Timing | None = None
    rss_peak_mb: float = 0.0
    private_peak_mb: float = 0.0
    anonymous_peak_mb: float = 0.0
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


def cold_start(server: Server, driver, log) -> ColdStart:  # noqa: ANN001 - a WebDriver opened before the launch
    """The server was just launched on the cached city: wait until /api/health says warm, then time the
    wall's first full render (the browser was started beforehand, so its own start is not counted)."""
    warm_ms = server.wait_warm()
    load = browser.load_page(driver, server.url, PAGES["wall"])
    log(f"  {server.name} cold start: warm and answering {fmt_ms(warm_ms)} after launch, "
        f"then the wall full in {fmt_ms(load.filled_ms)}")  # fmt: skip
    return ColdStart(warm_ms, load.filled_ms, [f"/wall (cold start): {e}" for e in load.errors])


def record_pages(
    driver,  # noqa: ANN001 - a WebDriver
    base_url: str,
    loads: int,
    first: dict[str, float | None],
    log,  # noqa: ANN001
) -> tuple[dict, dict, dict, list[str], list[str]]:
    """First full render of each page and the callbacks each ran: the first navigation after the server
    started (its cache empty) apart, `first` holding those already made (the wall's, by the cold start),
    then several more (p50 / p95, as a screen opened on a running room)."""
    renders, cold, bodies, errors = {}, dict(first), {}, []
    for name, path in PAGES.items():
        times, ran, outputs = [], [], frozenset()
        measured = loads if name == "wall" else max(2, loads // 2)
        for i in range(measured + (name not in first)):
            load = browser.load_page(driver, base_url, path, expected=outputs)
            outputs |= load.outputs()
            errors.extend(f"{path}: {e}" for e in load.errors)
            if name not in first and i == 0:
                cold[name] = load.filled_ms
            elif load.filled_ms is not None:
                times.append(load.filled_ms)
            ran = max(ran, load.requests, key=len)  # the load that ran the page's whole chain
        renders[name] = summarise(times) if times else None
        bodies[name] = [r["body"] for r in ran if r["status"] in (200, 204) and r["body"]]
        log(f"  {path}: full in {renders[name].cell() if renders[name] else 'n/a'} ({len(bodies[name])} callbacks)"
            f", first navigation after start {fmt_ms(cold[name])}")  # fmt: skip
    browser.load_page(driver, base_url, PAGES["wall"])
    tick = record_tick(driver)
    log(f"  /wall tick fired {len(tick)} callbacks")
    return renders, cold, bodies, tick, errors


def record_tick(driver) -> list[str]:  # noqa: ANN001 - a WebDriver on the wall
    """The bodies of the callbacks one wall refresh fires."""
    tick = browser.wait_tick(driver, WALL_REFRESH_S, ids.WALL_TICK)
    return [r["body"] for r in tick if r["status"] in (200, 204) and r["body"]]


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


def run_engine(city: City, plan: Plan, log, peer: bool = True, ingest: bool = True) -> EngineResult:  # noqa: ANN001
    """Every figure on one city. The pandas peer and ingest can be left out (their figures do not change
    with the complaint density: the caller measures them once)."""
    result = EngineResult(city)
    engine = city.engine()
    log(f"[{city.engine_name} {city.size}] data-layer figures and their floor ...")
    result.figures = figures.measure(engine, utcnow(), plan.runs)
    engine.dispose()
    if peer:
        result.peer = run_peer(city, max(5, plan.runs // 3), log)
    result.trivial = trivial_round_trip(plan.port + 1, plan.runs)
    token = "bench-" + secrets.token_hex(16)
    flush_redis(plan.redis_url)
    env = {"DATABASE_URL": city.url, "INGEST_TOKEN": token, "DEMO_ON_EMPTY": "0", "REDIS_URL": plan.redis_url}
    driver = browser.open_browser()
    try:
        server = Gunicorn("dashboard.wsgi:server", plan.port, env, workers=plan.workers)
        try:
            with PeakRss(server.pid) as rss:
                result.cold_start = cold_start(server, driver, log)
                first = {"wall": result.cold_start.first_render_ms}
                renders, cold, bodies, tick, errors = record_pages(driver, server.url, plan.browser_loads, first, log)
                result.first_render, result.first_render_cold = renders, cold
                result.errors = result.cold_start.errors + errors
                result.tick_bodies = tick
                measure_callbacks(result, bodies, tick, server.url, plan.runs, log)
            result.rss_peak_mb, result.private_peak_mb = rss.peak, rss.peak_private
            result.anonymous_peak_mb = rss.peak_anonymous
            if ingest:
                result.ingest = _guarded(lambda: measure_api(city, server.url, token, log), "api")
        finally:
            server.stop()
    finally:
        driver.quit()
    if ingest:
        result.ingest.update(measure_ingest(city, log))
        result.ingest.update(_guarded(lambda: measure_mqtt(city, plan.mqtt_url, log), "mqtt"))
        result.ingest.update(_guarded(lambda: measure_mqtt_consumers(city, plan.mqtt_url, log), "mqtt_consumers"))
    try:
        result.serve = run_serve(city, plan, log)
    except Exception as exc:  # noqa: BLE001 - reported, the gunicorn figures are kept
        result.errors.append(f"serve: {type(exc).__name__}: {exc}"[:300])
    return result


def run_serve(city: City, plan: Plan, log) -> ServeResult:  # noqa: ANN001
    """The README's `python -m dashboard serve` on the cached city, simulator and alert clock on: a cold
    start, then `plan.window_s` seconds of the wall's refreshes (its tick's callbacks and its map page,
    every 10 s) while the simulator writes. Memory is the server process's own (the simulator and the
    alert clock are processes of their own)."""
    log(f"  serve: cold start, then the wall's refreshes for {plan.window_s:.0f} s with the simulator writing ...")
    driver = browser.open_browser()
    try:
        server = Serve(plan.port, {"DATABASE_URL": city.url, "DEMO_ON_EMPTY": "0"})
        try:
            with PeakRss(server.pid, children=False) as rss:
                result = ServeResult(cold_start(server, driver, log))
                tick = record_tick(driver)
                driver.quit()  # from here on only the replayed wall asks the server
                driver = None
                posts = _named(tick)
                window = live_window(server.url, posts, {"map page": MAP_PAGE}, plan.window_s, WALL_REFRESH_S)
            result.window, result.rss_peak_mb, result.private_peak_mb = window, rss.peak, rss.peak_private
            result.anonymous_peak_mb = rss.peak_anonymous
            result.errors = result.cold_start.errors + [f"serve window: {f}" for f in sorted(set(window.failures))]
            worst = max(window.timings.items(), key=lambda item: item[1].p95, default=None)
            log(f"  serve: {window.ticks} refreshes, worst p95 {worst[0] if worst else 'n/a'} "
                f"{fmt_ms(worst[1].p95) if worst else ''}, memory {rss.peak_anonymous:.0f} MB")  # fmt: skip
        finally:
            server.stop()
    finally:
        if driver is not None:
            driver.quit()
    return result


def _named(bodies: list[str]) -> dict[str, str]:
    """Callback bodies by a readable name, unique (a second callback with the same outputs numbered)."""
    named: dict[str, str] = {}
    for body in bodies:
        name = browser.output_name(body)
        named[name if name not in named else f"{name} ({sum(k.startswith(name) for k in named) + 1})"] = body
    return named


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
