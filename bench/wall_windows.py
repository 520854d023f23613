"""The wall's complaint windows on one store, timed in-process: `python -m bench.wall_windows --db URL`.

A narrower companion of the full harness (`python -m bench`) for comparing two commits on the same city on a
busy machine: each figure is timed `--runs` times and reported as median and best, with the load average.
`kpi_board (empty cache)` is the first computation after a start; `kpi_board (new complaint)` is what each
refresh pays after a complaint arrives (every part reading complaints recomputed, the rest remembered, as
the web app's version-keyed cache does); `figures_at (day ago)` is the comparison a refresh pays when the
ten-minute grid moves.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from data.memo import call, call_key
from data.models import Complaint
from data.queries.complaints import complaint_kpis, counts_by
from data.queries.filters import ComplaintFilter
from data.queries.kpi_board import comparison_moment, daily_flows, figures_at, kpi_board
from data.queries.leader import complaint_kpis_by, sla_gaps
from data.store import make_engine
from data.timebuckets import wib_today

TARGETS = Path("data/config/targets.yaml")


class DomainMemo:
    """Values kept until one of their domains is marked changed, like the web app's version-keyed cache."""

    def __init__(self) -> None:
        self.values: dict[tuple, tuple[object, tuple[str, ...]]] = {}

    def __call__(self, domains: Sequence[str], fn: Callable, *args: object, ttl_s=None, **kwargs: object):  # noqa: ANN001, ANN204
        key = call_key(fn, args, kwargs)
        if key not in self.values:
            self.values[key] = (call(fn, args, kwargs), tuple(domains))
        return self.values[key][0]

    def changed(self, domain: str) -> None:
        self.values = {k: v for k, v in self.values.items() if domain not in v[1]}


def timed(fn: Callable[[], object], runs: int, before: Callable[[], None] = lambda: None) -> list[float]:
    out = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="DATABASE_URL of a seeded city")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = make_engine(args.db)
    with engine.connect() as conn:
        now = conn.execute(select(func.max(Complaint.requested_at))).scalar()
        total = conn.execute(select(func.count()).select_from(Complaint)).scalar()
    memo = DomainMemo()
    kpi_board(engine, now, TARGETS, memo=memo)
    day_ago = comparison_moment(now, timedelta(days=1))
    today = wib_today(now)
    month = ComplaintFilter(start=now - timedelta(days=30), end=now)
    figures = {
        "kpi_board (empty cache)": (lambda: kpi_board(engine, now, TARGETS), lambda: None),
        "kpi_board (new complaint)": (lambda: kpi_board(engine, now, TARGETS, memo=memo),
                                      lambda: memo.changed("complaints")),
        "complaint_kpis (now)": (lambda: complaint_kpis(engine, now), lambda: None),
        "figures_at (day ago)": (lambda: figures_at(engine, day_ago), lambda: None),
        "daily_flows (13 past days)": (lambda: daily_flows(engine, today - timedelta(days=13), 13,
                                                           now - timedelta(hours=24)), lambda: None),
        "daily_flows (today)": (lambda: daily_flows(engine, today, 1, now), lambda: None),
        "leader complaint_kpis_by district": (lambda: complaint_kpis_by(engine, now, "district"), lambda: None),
        "leader sla_gaps (30 days)": (lambda: sla_gaps(engine, now), lambda: None),
        "analyst counts_by category (30 days)": (lambda: counts_by(engine, month, "category"), lambda: None),
    }  # fmt: skip
    print(f"{total:,} complaints, now={now:%Y-%m-%d %H:%M} UTC, runs={args.runs}, load {os.getloadavg()}")
    print("| figure | median ms | best ms |\n|---|---:|---:|")
    for name, (fn, before) in figures.items():
        ms = timed(fn, args.runs, before)
        print(f"| {name} | {statistics.median(ms):.0f} | {min(ms):.0f} |", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
