"""The results table (bench/results/latest.md): targets first (a column per engine and complaint density),
then every figure beside floor and peer, the README's `serve` over its window, and growth per density."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime

import psutil

from bench.city import DENSITIES, City, size_name
from bench.run import WALL_REFRESH_S, EngineResult, Plan
from bench.servers import ROOT
from bench.stats import Timing, fmt_ms


def machine() -> str:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def _commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip() or os.environ.get("BENCH_COMMIT", "?")  # BENCH_COMMIT: runs from an export


def _p95(t: Timing | None) -> float | None:
    return t.p95 if t else None


def label(r: EngineResult) -> str:
    """A result's column: engine and density ("sqlite 60d")."""
    return f"{r.city.engine_name} {r.city.density}"


def city_title(city: City) -> str:
    """The city's complaints and how densely they arrive ("1,001,972 complaints over 60 days (~16,700 a day)")."""
    days = DENSITIES[city.density]
    return f"{city.complaints:,} complaints over {days} days (~{city.complaints / days:,.0f} a day)"


def _serve_worst_callback(r: EngineResult) -> float | None:
    window = r.serve.window if r.serve else None
    found = [t.p95 for name, t in window.timings.items() if name != "map page"] if window else []
    return max(found, default=None)


def _serve_map(r: EngineResult) -> float | None:
    window = r.serve.window if r.serve else None
    return _p95(window.timings.get("map page")) if window else None


def _verdict(value: float, limit: float | None, lower_is_better: bool = True) -> str:
    if limit is None:
        return "for reference"
    ok = value <= limit if lower_is_better else value >= limit
    if ok:
        return "met"
    miss = value / limit if lower_is_better else limit / value
    return f"missed ({miss:.1f}x)"


def _worst(r: EngineResult, page: str, kind: str | None = None) -> Timing | None:
    found = [c.http or c.server for c in r.callbacks if c.page == page and (kind is None or c.kind == kind)]
    return max(found, key=lambda t: t.p95) if found else None


def targets(results: list[EngineResult], growth: dict[str, dict[str, dict[str, Timing]]]) -> list[str]:
    rows = [
        ("`serve`: launch to answering warm (cold start)", None,
         lambda r: r.serve.cold_start.warm_ms if r.serve else None),
        ("`serve`: wall first full render after its cold start (Chromium)", 2000,
         lambda r: r.serve.cold_start.first_render_ms if r.serve else None),
        ("`serve`: every wall callback's p95 over the window, worst (simulator writing)", 150, _serve_worst_callback),
        ("`serve`: map rebuild p95 over the window (the map page, simulator writing)", 500, _serve_map),
        ("`serve`: server private memory peak (anonymous: what the server process allocated)", 600,
         lambda r: r.serve.anonymous_peak_mb if r.serve and r.serve.anonymous_peak_mb else None),
        ("`serve`: server USS peak, incl. database file pages only it maps (MB, for reference)", None,
         lambda r: r.serve.private_peak_mb if r.serve and r.serve.private_peak_mb else None),
        ("gunicorn: launch to every worker warm (cold start)", None,
         lambda r: r.cold_start.warm_ms if r.cold_start else None),
        ("gunicorn: wall first full render after its cold start (Chromium)", 2000,
         lambda r: r.cold_start.first_render_ms if r.cold_start else None),
        ("gunicorn: wall refresh p95 (tick callbacks together, HTTP, new data each time)", 150,
         lambda r: _p95(r.refresh_http)),
        ("gunicorn: map rebuild p95 (the map page built after new data, HTTP)", 500, lambda r: _p95(r.map_page_http)),
        ("gunicorn: wall first full render p95, later navigations (Chromium)", 2000,
         lambda r: _p95(r.first_render.get("wall"))),
        ("gunicorn: analyst callback p95, worst (HTTP)", 300, lambda r: _p95(_worst(r, "analyst"))),
        ("gunicorn: analyst filter change p95 (every chart and the grid together, HTTP)", 300,
         lambda r: _p95(r.analyst_change_http)),
        ("gunicorn: leader briefing p95, worst callback (HTTP)", 300, lambda r: _p95(_worst(r, "leader"))),
        ("gunicorn: district page p95, worst callback (HTTP)", 300, lambda r: _p95(_worst(r, "district"))),
        ("gunicorn: server private memory peak (anonymous), master + workers (MB)", 600,
         lambda r: r.anonymous_peak_mb or None),
        ("gunicorn: server USS peak, master + workers, incl. database file pages (MB, for reference)", None,
         lambda r: r.private_peak_mb or None),
        ("gunicorn: server RSS peak incl. mapped SQLite pages (MB, for reference)", None,
         lambda r: r.rss_peak_mb or None),
    ]  # fmt: skip
    head = "| Target | Limit | " + " | ".join(label(r) for r in results) + " |"
    out = [head, "|" + " --- |" * (2 + len(results))]
    for name, limit, get in rows:
        cells = []
        for r in results:
            v = get(r)
            if v is None:
                cells.append("not measured")
                continue
            shown = f"{v:.0f} MB" if "memory" in name or "MB" in name else fmt_ms(v)
            cells.append(f"{shown} ({_verdict(v, limit)})")
        unit = "-" if limit is None else f"{limit} MB" if "memory" in name else fmt_ms(limit)
        out.append(f"| {name} | {unit} | " + " | ".join(cells) + " |")
    for name, key, limit in (
        ("Ingest CSV, validated (rows/s)", "csv_rows_per_s", 100_000),
        ("Ingest API, batches of 5,000 (readings/s)", "api_rows_per_s", 20_000),
        ("Ingest MQTT end to end, one consumer (messages/s)", "mqtt_msgs_per_s", 5_000),
        ("Ingest MQTT end to end, `--consumers 2` (messages/s)", "mqtt_2_consumers_msgs_per_s", 5_000),
    ):
        values = [r.ingest.get(key) for r in results]
        cells = [f"{v:,.0f} ({_verdict(v, limit, False)})" if isinstance(v, float) else "-" for v in values]
        out.append(f"| {name} | >= {limit:,} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        series = growth.get(r.city.density, {})
        small, large = series.get(size_name("10k", r.city.density)), series.get(size_name("1m", r.city.density))
        if r.city.engine_name != "sqlite" or not small or not large:
            cells.append("-")
            continue
        ratio = large["live"].p95 / small["live"].p95
        cells.append(f"{ratio:.2f}x ({'met' if ratio <= 1.5 else 'missed'})")
    out.append("| Wall refresh at 1M / at 10k complaints (SQLite, in process, p95, after new data) | <= 1.5x | "
               + " | ".join(cells) + " |")  # fmt: skip
    return out


def serve_table(r: EngineResult) -> list[str]:
    """The README's `serve` over its window: each request of the wall's refresh, p50 / p95."""
    serve = r.serve
    if serve is None or serve.window is None:
        return ["Not measured (see the errors below)."]
    w = serve.window
    out = [
        f"Cold start: answering warm {fmt_ms(serve.cold_start.warm_ms)} after launch, then the wall full in "
        f"{fmt_ms(serve.cold_start.first_render_ms)}. Window: {w.seconds:.0f} s, {w.ticks} refreshes (every "
        f"{WALL_REFRESH_S} s, the tick's callbacks and the map page sent together, the simulator writing every 5 s). "
        "Server process: "
        f"private memory peak {serve.anonymous_peak_mb:.0f} MB anonymous, {serve.private_peak_mb:.0f} MB USS "
        f"(with the database pages only it maps), RSS peak {serve.rss_peak_mb:.0f} MB.",
        "",
        "| Request | p50 / p95 | Within 150 ms (500 ms for the map page) |",
        "| --- | --- | --- |",
    ]
    for name, t in w.timings.items():
        limit = 500 if name == "map page" else 150
        out.append(f"| {name[:90]} | {t.cell()} | {'yes' if t.p95 <= limit else 'no'} |")
    return out


def callbacks_table(r: EngineResult) -> list[str]:
    trivial_s, trivial_h = r.trivial.get("server"), r.trivial.get("http")
    out = [
        f"Trivial Dash callback round trip: in process {trivial_s.cell() if trivial_s else 'n/a'}, "
        f"HTTP through gunicorn {trivial_h.cell() if trivial_h else 'n/a'} (p50 / p95).",
        "",
        "| Page | Callback (outputs) | Fired by | Server p50 / p95 | HTTP p50 / p95 | Floor p95 (SQL + trivial) | "
        "Server / floor | Within 2x or < 25 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in r.callbacks:
        floor = (c.floor_sql.p95 if c.floor_sql else 0.0) + (trivial_s.p95 if trivial_s else 0.0)
        ratio = c.server.p95 / floor if floor else None
        ok = c.server.p95 < 25 or (ratio is not None and ratio <= 2)
        out.append(
            f"| {c.page} | {c.name[:70]} | {c.kind} | {c.server.cell()} | {c.http.cell() if c.http else 'n/a'} | "
            f"{fmt_ms(floor)} | {f'{ratio:.1f}x' if ratio else 'n/a'} | {'yes' if ok else 'no'} |"
        )
    return out


def figures_table(r: EngineResult) -> list[str]:
    peer = r.peer.get("timings", {})
    out = [
        "| Figure | Ours p50 / p95 | Bare SQL p50 / p95 | Pandas peer p50 / p95 | As fast as the peer (p95) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, (ours, floor) in r.figures.items():
        p = peer.get(name)
        peer_t = Timing(**p) if p else None
        ok = "n/a" if not peer_t else ("yes" if ours.p95 <= peer_t.p95 else f"no ({ours.p95 / peer_t.p95:.1f}x)")
        out.append(
            f"| {name} | {ours.cell()} | {floor.cell() if floor else 'n/a'} | {peer_t.cell() if peer_t else 'n/a'}"
            f" | {ok} |"
        )
    if r.peer:
        out.append("")
        out.append(
            f"Peer start: {r.peer['load_s']:.0f} s to load {sum(r.peer['rows'].values()):,} rows; "
            f"peak RSS {r.peer['rss_mb']:,.0f} MB (one process; every gunicorn worker would hold its own copy). "
            f"The room starts in seconds and its {len(r.callbacks)} callbacks ran with all workers at "
            f"{r.rss_peak_mb:,.0f} MB."
        )
    return out


def write(path, results: list[EngineResult], growth: dict[str, dict[str, dict[str, Timing]]], plan: Plan) -> str:  # noqa: ANN001
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines = [
        "# Benchmark results",
        "",
        f"Measured {now} at commit {_commit()} on {machine()}, load average {load} when written, by",
        f"`python -m bench` ({plan.runs} runs per figure, first call excluded; `serve` watched for "
        f"{plan.window_s:.0f} s).",
        "Times are p50 / p95. 'Server' is the callback dispatched in process (Flask test client, cache cleared",
        "before each call: the cost when data has just changed); 'HTTP' is the same request through gunicorn",
        f"({plan.workers} workers x 4 threads, Redis) on 127.0.0.1. `serve` is the README's `python -m dashboard",
        "serve` (waitress, the simulator and the alert clock as child processes, no Redis). A cold start is",
        "from launching the server on the cached city until /api/health no longer says `warming`, then the",
        "wall's first full render in Chromium (started beforehand). Ingest is measured once per engine, at the",
        "first density (it does not depend on how the complaints are spread); the pandas peer once per density.",
        "",
        "## Cities",
        "",
        "| Engine | Density | Complaints | Observations | Seed time | Size on disk |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        c = r.city
        lines.append(f"| {c.engine_name} | {city_title(c)} | {c.complaints:,} | {c.observations:,} | "
                     f"{c.seed_seconds:.0f} s | {c.size_mb / 1000:.1f} GB |")  # fmt: skip
    lines += ["", "## Targets (1M complaints, 10M observations, each density)", "", *targets(results, growth)]
    for r in results:
        title = f"{r.city.engine_name}, {city_title(r.city)}"
        lines += ["", f"## {title}: `serve` over its window, simulator writing", "", *serve_table(r)]
        lines += ["", f"## {title}: pages in headless Chromium (gunicorn)", ""]
        lines += ["| Page | First full render p50 / p95 | First navigation after the server started |"]
        lines += ["| --- | --- | --- |"]
        lines += [f"| {k} | {v.cell() if v else 'n/a'} | {fmt_ms(r.first_render_cold.get(k))} |"
                  for k, v in r.first_render.items()]  # fmt: skip
        lines += ["", f"## {title}: callbacks", "", *callbacks_table(r)]
        if r.refresh_server:
            lines += ["", f"Wall refresh, all tick callbacks one after another in process: {r.refresh_server.cell()}."]
        lines += ["", f"## {title}: figures against floor and peer", "", *figures_table(r)]
        if r.ingest:
            lines += ["", f"## {r.city.engine_name}: ingest", ""]
            lines += [f"- {k}: {f'{v:,.0f}' if isinstance(v, float) else v}" for k, v in r.ingest.items()]
        errors = r.errors + (r.serve.errors if r.serve else [])
        if errors:
            lines += ["", f"## {title}: errors seen", "", *[f"- {e}" for e in errors[:30]]]
    for density, series in growth.items():
        lines += ["", f"## Growth at {DENSITIES[density]} days: wall refresh (SQLite, in process) against history", ""]
        lines += [
            "A reading and a complaint are written before each refresh ('after new data', what a screen",
            "meets every tick); 'cold' empties the cache first (the first screen after a restart).",
            "",
        ]
        lines += ["| City | After new data p50 / p95 | Cold p50 / p95 |", "| --- | --- | --- |"]
        lines += [f"| {k} | {v['live'].cell()} | {v['cold'].cell()} |" for k, v in series.items()]
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text
