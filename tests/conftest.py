"""Shared fixtures: throwaway SQLite stores, a PostgreSQL schema per run, and a small seeded demo city.

Services (PostgreSQL, Redis, Mosquitto) are real. Outside CI a missing one skips its tests; in CI
(CI=true) it fails them, because a silent skip would hide a broken machine.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.settings import Settings
from data.alerts.evaluate import settle_arrivals
from data.demo.generate import DemoSpec
from data.demo.seed import seed_demo_city
from data.places import prepare_store
from data.store import make_engine

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_END = datetime(2026, 11, 20, 5, 30)  # a fixed "now" (12:30 WIB) so figures are reproducible
SMALL_CITY = DemoSpec(end=DEMO_END, days=21, complaints=6_000, observations=60_000, sensors=30, seed=7)


def service_available(host: str, port: int, name: str) -> None:
    """Skip (or, in CI, fail) when a service the test needs is not listening."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError:
        message = f"{name} is not reachable on {host}:{port}"
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing service is a failure)")
        pytest.skip(message)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    prepare_store(engine)
    yield engine
    settle_arrivals(engine)  # a deferred alert pass must not outlive the test's database
    engine.dispose()


@contextmanager
def private_pg_schema(prefix: str = "t") -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema in the `test` database, dropped afterwards."""
    service_available("127.0.0.1", 5432, "PostgreSQL")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> str:
    """One private schema for the whole run (tests that need PostgreSQL share it, truncating between them)."""
    with private_pg_schema() as url:
        yield url


@pytest.fixture
def pg_engine(pg_schema_url: str) -> Engine:
    engine = make_engine(pg_schema_url)
    prepare_store(engine)
    with engine.begin() as conn:
        names = [
            r[0] for r in conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        ]
        keep = ("alembic_version", "districts", "subdistricts")
        tables = ", ".join(n for n in names if n not in keep)
        if tables:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    settle_arrivals(engine)  # a deferred alert pass must not outlive the test's database
    engine.dispose()


@pytest.fixture(scope="session")
def small_city_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo city seeded once per run into a SQLite file; tests that write copy it first."""
    path = tmp_path_factory.mktemp("city") / "small.db"
    engine = make_engine(f"sqlite:///{path}")
    seed_demo_city(engine, SMALL_CITY)
    engine.dispose()
    return path


def copy_city(source_path: Path, copy: Path) -> Engine:
    """A consistent copy of a seeded SQLite city (VACUUM INTO), opened as an engine of its own."""
    source = make_engine(f"sqlite:///{source_path}")
    with source.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{copy}'")
    source.dispose()
    return make_engine(f"sqlite:///{copy}")


@pytest.fixture
def small_city(small_city_path: Path, tmp_path: Path) -> Engine:
    """A private copy of the small city, so a test may write to it."""
    engine = copy_city(small_city_path, tmp_path / "city.db")
    yield engine
    settle_arrivals(engine)  # a deferred alert pass must not outlive the test's database
    engine.dispose()


@pytest.fixture
def settings_for():
    """Settings for an app on a given engine URL, with everything else at its default."""

    def build(url: str, **overrides: object) -> Settings:
        return Settings(database_url=url, **overrides)

    return build
