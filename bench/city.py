"""The benchmark's cities: built once with the demo seed and cached (SQLite files, PostgreSQL schemas).

A city is named by its complaint count and, at the busier density, its span: 10k, 100k, 1m, 10m hold
their complaints over two years (730 days, ~1,370 a day at 1M); 10k-60d, 100k-60d, 1m-60d over the
demo's default 60 days (~16,700 a day at 1M, a metropolitan room). Each has 500 sensors and 25
services, with ten readings per complaint up to 10 million (10M readings from 500 sensors over 60 days
is one every ~260 s, well inside what the demo devices can report). Build time and size are kept in a
JSON file beside the cache so the report can quote them without rebuilding.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from data.demo.generate import DemoSpec
from data.demo.live import CitySimulator
from data.demo.seed import seed_demo_city
from data.places import prepare_store
from data.store import make_engine, utcnow

CACHE = Path(__file__).resolve().parent / "cache"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "bench"
SENSORS = 500
# Complaint density: the span a city's complaints are spread over, by the suffix of its size name.
DENSITIES = {"730d": 730, "60d": 60}
COUNTS = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
SIZES = {
    (count if density == "730d" else f"{count}-{density}"): (complaints, days)
    for density, days in DENSITIES.items()
    for count, complaints in COUNTS.items()
}


def size_name(count: str, density: str) -> str:
    """The cached city's name for a complaint count at a density ("1m", "60d" -> "1m-60d")."""
    return count if density == "730d" else f"{count}-{density}"


@dataclass(frozen=True)
class City:
    """A cached benchmark city on one engine."""

    size: str
    engine_name: str  # "sqlite" or "postgresql"
    url: str
    complaints: int
    observations: int
    seed_seconds: float
    size_mb: float
    built_at: str

    def engine(self) -> Engine:
        return make_engine(self.url)

    @property
    def density(self) -> str:
        """The complaint density this city was built at ("730d" or "60d"), from its name."""
        return density_of(self.size)


def density_of(size: str) -> str:
    """ "1m-60d" -> "60d"; a name without a suffix is the two-year density, "730d"."""
    return size.partition("-")[2] or "730d"


def spec_for(size: str) -> DemoSpec:
    complaints, days = SIZES[size]
    return DemoSpec(
        end=utcnow().replace(microsecond=0),
        days=days,
        complaints=complaints,
        observations=min(10 * complaints, 10_000_000),
        sensors=SENSORS,
        seed=42,
    )


def _schema(size: str) -> str:
    """The city's PostgreSQL schema (an identifier: no hyphen)."""
    return "city_" + size.replace("-", "_")


def url_for(size: str, engine_name: str, pg_url: str) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{CACHE / f'city-{size}.db'}"
    return f"{pg_url.rstrip('/')}/{PG_BENCH_DB}?options=-csearch_path%3D{_schema(size)}"


def _meta_path(size: str, engine_name: str) -> Path:
    return CACHE / f"city-{size}-{engine_name}.json"


def _size_mb(engine: Engine, engine_name: str, size: str) -> float:
    if engine_name == "sqlite":
        path = CACHE / f"city-{size}.db"
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    with engine.connect() as conn:
        return (
            float(
                conn.execute(
                    text(
                        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"
                    ),
                    {"s": _schema(size)},
                ).scalar()
            )
            / 1e6
        )


def _ensure_pg_schema(size: str, pg_url: str) -> None:
    admin = create_engine(f"{pg_url.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": PG_BENCH_DB}).first():
            conn.execute(text(f"CREATE DATABASE {PG_BENCH_DB}"))
    admin.dispose()
    bench = create_engine(f"{pg_url.rstrip('/')}/{PG_BENCH_DB}")
    with bench.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {_schema(size)}"))
    bench.dispose()


def after_bulk_load(engine: Engine) -> None:
    """What a DBA (or, given time, autovacuum) does after a bulk load: planner statistics and, on
    PostgreSQL, the visibility map that lets the covering indexes answer without reading the table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def ensure_city(size: str, engine_name: str, pg_url: str, log=print, rebuild: bool = False) -> City:  # noqa: ANN001
    """The cached city, seeding it first when missing; then the simulator catches it up to now."""
    CACHE.mkdir(parents=True, exist_ok=True)
    url = url_for(size, engine_name, pg_url)
    meta = _meta_path(size, engine_name)
    if engine_name == "postgresql":
        _ensure_pg_schema(size, pg_url)
    if rebuild or not meta.exists():
        log(f"building the {size} city on {engine_name} (once; cached under {CACHE}) ...")
        engine = make_engine(url)
        report = seed_demo_city(engine, spec_for(size))
        after_bulk_load(engine)
        city = City(
            size, engine_name, url, report.complaints, report.observations, round(report.seconds, 1),
            round(_size_mb(engine, engine_name, size), 1), utcnow().isoformat(timespec="seconds"),
        )  # fmt: skip
        meta.write_text(json.dumps(asdict(city), indent=2))
        engine.dispose()
        log(f"  {city.complaints:,} complaints, {city.observations:,} readings in {city.seed_seconds:.0f} s")
    city = City(**json.loads(meta.read_text()))
    engine = city.engine()
    prepare_store(engine)  # new indexes and rollups from later revisions
    started = time.perf_counter()
    report = CitySimulator(engine, seed=1).tick()
    log(
        f"{size} city on {engine_name}: caught up to now with {report.observations:,} readings and "
        f"{report.complaints:,} complaints in {time.perf_counter() - started:.1f} s"
    )
    engine.dispose()
    return city


def adopt(size: str, engine_name: str, url: str, seed_seconds: float, pg_url: str) -> City:
    """Record an already seeded store as the cached city (used once for a city seeded by hand)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        complaints = conn.execute(text("SELECT COUNT(*) FROM complaints")).scalar()
        observations = conn.execute(text("SELECT COUNT(*) FROM observations")).scalar()
    city = City(
        size, engine_name, url, complaints, observations, seed_seconds,
        round(_size_mb(engine, engine_name, size), 1), utcnow().isoformat(timespec="seconds"),
    )  # fmt: skip
    _meta_path(size, engine_name).write_text(json.dumps(asdict(city), indent=2))
    engine.dispose()
    return city
