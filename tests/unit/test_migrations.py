"""The schema's history is one line, and an empty database and one at each earlier revision reach the head."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from data.rollups import fill_daily_rollup
from data.store import MIGRATIONS_DIR, init_schema
from tests.conftest import private_pg_schema


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    return cfg


def test_history_has_one_head() -> None:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"alembic has several heads {heads}: add a merge revision or chain the new one"


def test_every_earlier_revision_upgrades_to_head(tmp_path) -> None:
    script = ScriptDirectory.from_config(_config())
    revisions = [r.revision for r in script.walk_revisions()]
    assert len(revisions) > 5
    full_tables = None
    for i, revision in enumerate(revisions):
        engine = create_engine(f"sqlite:///{tmp_path / f'at-{i}.db'}")
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        init_schema(engine)
        tables = set(inspect(engine).get_table_names())
        full_tables = full_tables or tables
        assert tables == full_tables, f"upgrading from {revision} gave other tables"
        engine.dispose()


def _at(engine, revision: str) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@pytest.fixture
def empty_pg_url():
    """A fresh, empty PostgreSQL schema of its own (the shared test schema is at the head already)."""
    with private_pg_schema("mig") as url:
        yield url


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_the_daily_rollup_revision_fills_what_the_code_would(store, tmp_path, request):
    """p005 carries its own SQL; on a store of its age (a WIB city) it gives the rollup the code gives."""
    url = f"sqlite:///{tmp_path / 'p004.db'}" if store == "sqlite" else request.getfixturevalue("empty_pg_url")
    engine = create_engine(url)
    _at(engine, "p004_hourly_cover_index")
    hours = [datetime(2026, 11, 19, 15) + timedelta(hours=h) for h in range(6)]  # across 17:00 UTC, a WIB midnight
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO observations_hourly (sensor_id, hour, n, total, min_value, max_value) "
                 "VALUES (:s, :h, :n, :t, 0, :m)"),
            [{"s": s, "h": h, "n": 4, "t": 10.0 * (i + 1), "m": float(i)}
             for s in ("a", "b") for i, h in enumerate(hours)],
        )  # fmt: skip
    _at(engine, "p005_daily_rollup")
    read = "SELECT sensor_id, day, hours, round(CAST(hourly_mean_sum AS NUMERIC), 6), max_value FROM observations_daily"
    with engine.connect() as conn:
        migrated = sorted(tuple(r) for r in conn.execute(text(read)))
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observations_daily"))
        fill_daily_rollup(conn)
    with engine.connect() as conn:
        by_code = sorted(tuple(r) for r in conn.execute(text(read)))
    assert migrated == by_code and len(migrated) == 4
    engine.dispose()
