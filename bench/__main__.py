"""python -m bench: build (once) the benchmark cities and measure the room on SQLite and PostgreSQL.

python -m bench                          # both densities, both engines, growth 10k/100k/1m -> bench/results/latest.md
python -m bench --densities 60d          # 1M complaints over 60 days only (730d: over two years)
python -m bench --engines sqlite --densities 730d --size 10k --growth 10k --window 30 --runs 3 --out /tmp/trial.md
python -m bench --build-only             # build (or catch up) every city the run above would use, measure nothing
python -m bench --growth 10k,100k,1m,10m # the 10M-complaint city too (builds once, long)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.city import COUNTS, DENSITIES, City, ensure_city, size_name
from bench.report import write
from bench.run import EngineResult, Plan, growth, run_engine

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"


def log(message: str) -> None:
    print(message, flush=True)


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--engines", default="sqlite,postgresql", help="comma list: sqlite, postgresql")
    p.add_argument("--densities", default=",".join(DENSITIES),
                   help="comma list: 730d (1M complaints over two years), 60d (1M over 60 days)")  # fmt: skip
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                   help="PostgreSQL server (the harness creates and uses its own database 'bench')")  # fmt: skip
    p.add_argument("--size", default="1m", help="the city the targets are measured on (10k: a quick trial)")
    p.add_argument("--runs", type=int, default=10, help="measured runs per figure")
    p.add_argument("--window", type=float, default=300, help="seconds of live wall refreshes against `serve`")
    p.add_argument("--growth", default="10k,100k,1m", help="city sizes for the growth series, per density ('' to skip)")
    p.add_argument("--port", type=int, default=8077, help="port for the app under test (and the next one)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--browser-loads", type=int, default=5, help="navigations per page for first render")
    p.add_argument("--no-peer", action="store_true", help="skip the pandas peer (needs ~4 GB and minutes)")
    p.add_argument("--rebuild", action="store_true", help="rebuild cached cities")
    p.add_argument("--build-only", action="store_true", help="build and catch up the cities, measure nothing")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    engines, densities, counts = _list(args.engines), _list(args.densities), _list(args.growth)
    for name in engines:
        if name not in ("sqlite", "postgresql"):
            p.error(f"unknown engine {name!r}")
    for density in densities:
        if density not in DENSITIES:
            p.error(f"unknown density {density!r} (one of {', '.join(DENSITIES)})")
    for count in [args.size, *counts]:
        if count not in COUNTS:
            p.error(f"unknown size {count!r} (one of {', '.join(COUNTS)})")

    rebuilt: set[tuple[str, str]] = set()

    def city(count: str, density: str, engine_name: str) -> City:
        """The cached city (--rebuild: built anew the first time this run asks for it)."""
        key = (size_name(count, density), engine_name)
        rebuild = args.rebuild and key not in rebuilt
        rebuilt.add(key)
        return ensure_city(*key, args.pg_url, log, rebuild)

    if args.build_only:
        for density in densities:
            for name in engines:
                city(args.size, density, name)
            for count in counts:
                city(count, density, "sqlite")
        return 0
    started = time.perf_counter()
    plan = Plan(args.runs, args.port, args.workers, args.browser_loads, args.window)
    results: list[EngineResult] = []
    series: dict[str, dict] = {}
    for density in densities:
        peer: dict = {}
        for name in engines:
            try:
                result = run_engine(city(args.size, density, name), plan, log, peer=not (args.no_peer or peer),
                                    ingest=density == densities[0])  # fmt: skip
            except Exception as exc:  # noqa: BLE001 - one engine failing must not lose the others' tables
                log(f"[{name} {density}] failed: {type(exc).__name__}: {exc}")
                continue
            peer = peer or result.peer  # the peer's in-memory answers do not depend on the engine it loaded from
            result.peer = peer
            results.append(result)
            write(args.out, results, series, plan)  # a partial report after each engine
        tick = next((r.tick_bodies for r in results if r.tick_bodies and r.city.density == density), [])
        if counts and tick:
            log(f"growth at {density}: the wall's refresh on cities of growing history (SQLite) ...")
            series[density] = growth([city(c, density, "sqlite") for c in counts], tick, args.runs, log)
            write(args.out, results, series, plan)
    log(f"wrote {args.out} in {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
