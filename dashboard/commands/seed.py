"""seed: build a reproducible demo of the city (the pack `CITY` names) in the store, replacing its city data."""

from __future__ import annotations

import argparse

from tqdm import tqdm

from dashboard.settings import Settings
from data.demo.generate import DemoSpec, observation_interval_s
from data.demo.seed import seed_demo_city
from data.store import make_engine, utcnow

DEFAULTS = {"complaints": 40_000, "observations": 400_000, "days": 60, "sensors": 60, "seed": 42}


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("seed", help="build the demo city (replaces existing city data)")
    p.add_argument("--complaints", type=int, default=DEFAULTS["complaints"], help="about this many complaints")
    p.add_argument("--observations", type=int, default=DEFAULTS["observations"], help="about this many readings")
    p.add_argument("--days", type=int, default=DEFAULTS["days"], help="days of history ending now")
    p.add_argument("--sensors", type=int, default=DEFAULTS["sensors"], help="number of field sensors")
    p.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="random seed (same seed, same city)")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.set_defaults(func=run)


def spec_from(args: argparse.Namespace) -> DemoSpec:
    for name in ("complaints", "observations", "days", "sensors"):
        if getattr(args, name) <= 0:
            raise ValueError(f"--{name} must be positive")
    spec = DemoSpec(
        end=utcnow().replace(microsecond=0),
        days=args.days,
        complaints=args.complaints,
        observations=args.observations,
        sensors=args.sensors,
        seed=args.seed,
    )
    observation_interval_s(spec)  # an impossible size is refused here, with what to change
    return spec


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = make_engine(args.database_url or settings.database_url)
    spec = spec_from(args)
    bars: dict[str, tqdm] = {}
    totals = {"observations": spec.observations}

    def progress(label: str, done: int) -> None:
        bar = bars.get(label)
        if bar is None:
            bar = bars[label] = tqdm(total=totals.get(label), desc=label, unit=" rows", unit_scale=True, leave=True)
        bar.update(done - bar.n)

    report = seed_demo_city(engine, spec, progress)
    for bar in bars.values():
        bar.close()
    print(
        f"seeded {engine.url.render_as_string(hide_password=True)}: {report.complaints:,} complaints, "
        f"{report.observations:,} observations from {report.sensors} sensors, "
        f"{report.service_metrics:,} service-days in {report.seconds:.1f} s"
    )
    return 0
