"""python -m bench: build (once) the benchmark cities and measure the room on SQLite and PostgreSQL.

python -m bench                          # SQLite + PostgreSQL, growth 10k/100k/1m -> bench/results/latest.md
python -m bench --engines sqlite --runs 10 --growth 10k,1m
python -m bench --growth 10k,100k,1m,10m # the 10M-complaint city too (builds once, long)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.city import SIZES, ensure_city
from bench.report import write
from bench.run import growth, run_engine

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"


def log(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--engines", default="sqlite,postgresql", help="comma list: sqlite, postgresql")
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432",
                   help="PostgreSQL server (the harness creates and uses its own database 'bench')")  # fmt: skip
    p.add_argument("--runs", type=int, default=30, help="measured runs per figure")
    p.add_argument("--growth", default="10k,100k,1m", help="city sizes for the growth series ('' to skip)")
    p.add_argument("--port", type=int, default=8077, help="port for the app under test (and the next one)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--browser-loads", type=int, default=5, help="navigations per page for first render")
    p.add_argument("--no-peer", action="store_true", help="skip the pandas peer (needs ~4 GB and minutes)")
    p.add_argument("--rebuild", action="store_true", help="rebuild cached cities")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    sizes = [s.strip() for s in args.growth.split(",") if s.strip()]
    for name in engines:
        if name not in ("sqlite", "postgresql"):
            p.error(f"unknown engine {name!r}")
    for size in sizes:
        if size not in SIZES:
            p.error(f"unknown size {size!r} (one of {', '.join(SIZES)})")
    started = time.perf_counter()
    results = []
    for name in engines:
        city = ensure_city("1m", name, args.pg_url, log, args.rebuild)
        try:
            results.append(
                run_engine(city, args.runs, args.port, args.workers, args.browser_loads, log, not args.no_peer)
            )
        except Exception as exc:  # noqa: BLE001 - one engine failing must not lose the other's table
            log(f"[{name}] failed: {type(exc).__name__}: {exc}")
            continue
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write(args.out, results, {}, args.runs)  # a partial table after each engine
    series = {}
    tick = next((r.tick_bodies for r in results if r.tick_bodies), [])
    if sizes and tick:
        log("growth: the wall's refresh on cities of growing history (SQLite) ...")
        cities = [ensure_city(s, "sqlite", args.pg_url, log, args.rebuild and s != "1m") for s in sizes]
        series = growth(cities, tick, args.runs, log)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(args.out, results, series, args.runs)
    log(f"wrote {args.out} in {(time.perf_counter() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
