"""The results table (bench/results/latest.md): targets first, then every figure beside floor and peer."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime

import psutil

from bench.run import EngineResult
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


def _verdict(value: float | None, limit: float, lower_is_better: bool = True) -> str:
    if value is None:
        return "not measured"
    ok = value <= limit if lower_is_better else value >= limit
    if ok:
        return "met"
    miss = value / limit if lower_is_better else limit / value
    return f"missed ({miss:.1f}x)"


def _worst(r: EngineResult, page: str, kind: str | None = None) -> Timing | None:
    found = [c.http or c.server for c in r.callbacks if c.page == page and (kind is None or c.kind == kind)]
    return max(found, key=lambda t: t.p95) if found else None


def targets(results: list[EngineResult], growth: dict[str, dict[str, Timing]]) -> list[str]:
    rows = [
        ("Wall refresh p95 (tick callbacks together, HTTP, new data each time)", 150, lambda r: _p95(r.refresh_http)),
        ("Map rebuild p95 (the map page built after new data, HTTP)", 500, lambda r: _p95(r.map_page_http)),
        ("Wall first full render p95 (Chromium)", 2000, lambda r: _p95(r.first_render.get("wall"))),
        ("Analyst callback p95, worst (HTTP)", 300, lambda r: _p95(_worst(r, "analyst"))),
        (
            "Analyst filter change p95 (every chart and the grid together, HTTP)",
            300,
            lambda r: _p95(r.analyst_change_http),
        ),
        ("Leader briefing p95, worst callback (HTTP)", 300, lambda r: _p95(_worst(r, "leader"))),
        ("District page p95, worst callback (HTTP)", 300, lambda r: _p95(_worst(r, "district"))),
        ("Server private memory peak (USS), master + workers (MB)", 600, lambda r: r.private_peak_mb or None),
        ("Server RSS peak incl. mapped SQLite pages (MB, for reference)", 600, lambda r: r.rss_peak_mb or None),
    ]
    head = "| Target | Limit | " + " | ".join(r.city.engine_name for r in results) + " |"
    out = [head, "|" + " --- |" * (2 + len(results))]
    for label, limit, get in rows:
        cells = []
        for r in results:
            v = get(r)
            shown = f"{v:.0f} MB" if "MB" in label and v else fmt_ms(v)
            cells.append(f"{shown} ({_verdict(v, limit)})")
        unit = f"{limit} MB" if "MB" in label else fmt_ms(limit)
        out.append(f"| {label} | {unit} | " + " | ".join(cells) + " |")
    for label, key, limit in (
        ("Ingest CSV, validated (rows/s)", "csv_rows_per_s", 100_000),
        ("Ingest API, batches of 5,000 (readings/s)", "api_rows_per_s", 20_000),
        ("Ingest MQTT end to end, one consumer (messages/s)", "mqtt_msgs_per_s", 5_000),
        ("Ingest MQTT end to end, `--consumers 2` (messages/s)", "mqtt_2_consumers_msgs_per_s", 5_000),
    ):
        values = [r.ingest.get(key) for r in results]
        cells = [f"{v:,.0f} ({_verdict(v, limit, False)})" if isinstance(v, float) else "n/a" for v in values]
        out.append(f"| {label} | >= {limit:,} | " + " | ".join(cells) + " |")
    if "10k" in growth and "1m" in growth:
        ratio = growth["1m"]["live"].p95 / growth["10k"]["live"].p95
        out.append(f"| Refresh at 1M / at 10k complaints (SQLite, p95, after new data) | <= 2.0x | {ratio:.2f}x "
                   f"({'met' if ratio <= 2 else 'missed'}) |" + " |" * (len(results) - 1))  # fmt: skip
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


def write(path, results: list[EngineResult], growth: dict[str, dict[str, Timing]], runs: int) -> str:  # noqa: ANN001
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Measured {now} at commit {_commit()} on {machine()}, by `python -m bench` ({runs} runs per figure,",
        "first call excluded). Times are p50 / p95. 'Server' is the callback dispatched in process (Flask test",
        "client, cache cleared before each call: the cost when data has just changed); 'HTTP' is the same request",
        "through gunicorn (2 workers x 4 threads) on 127.0.0.1.",
        "",
        "## Cities",
        "",
        "| Engine | Complaints | Observations | Seed time | Size on disk |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        c = r.city
        lines.append(f"| {c.engine_name} | {c.complaints:,} | {c.observations:,} | {c.seed_seconds:.0f} s | "
                     f"{c.size_mb / 1000:.1f} GB |")  # fmt: skip
    lines += ["", "## Targets (1M complaints, 10M observations)", "", *targets(results, growth)]
    for r in results:
        lines += ["", f"## {r.city.engine_name}: pages in headless Chromium", ""]
        lines += ["| Page | First full render p50 / p95 | First navigation after the server started |"]
        lines += ["| --- | --- | --- |"]
        lines += [f"| {k} | {v.cell() if v else 'n/a'} | {fmt_ms(r.first_render_cold.get(k))} |"
                  for k, v in r.first_render.items()]  # fmt: skip
        lines += ["", f"## {r.city.engine_name}: callbacks", "", *callbacks_table(r)]
        if r.refresh_server:
            lines += ["", f"Wall refresh, all tick callbacks one after another in process: {r.refresh_server.cell()}."]
        lines += ["", f"## {r.city.engine_name}: figures against floor and peer", "", *figures_table(r)]
        lines += ["", f"## {r.city.engine_name}: ingest", ""]
        lines += [f"- {k}: {f'{v:,.0f}' if isinstance(v, float) else v}" for k, v in r.ingest.items()]
        if r.errors:
            lines += ["", f"## {r.city.engine_name}: errors seen", "", *[f"- {e}" for e in r.errors[:30]]]
    if growth:
        lines += ["", "## Growth: wall refresh (SQLite, in process) against history", ""]
        lines += [
            "A reading and a complaint are written before each refresh ('after new data', what a screen",
            "meets every tick); 'cold' empties the cache first (the first screen after a restart).",
            "",
        ]
        lines += ["| Complaints | After new data p50 / p95 | Cold p50 / p95 |", "| --- | --- | --- |"]
        lines += [f"| {k} | {v['live'].cell()} | {v['cold'].cell()} |" for k, v in growth.items()]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    return text
