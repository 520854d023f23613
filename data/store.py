"""The store: one engine per process from a database URL, SQLite tuned for a busy wall, schema by Alembic."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from data.models import Base, DataVersion

log = logging.getLogger("city.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _tune_sqlite(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    # 16 MB of page cache per connection (private memory, up to ~6 connections a worker) and the first 2 GB
    # of the file mapped (the most Python's SQLite maps; shared with the OS page cache, not per process):
    # 64 MB and 1 GB had three gunicorn processes at ~660 MB private, these at ~450 MB, refresh unchanged.
    cur.execute("PRAGMA cache_size=-16384")
    # Sorts and GROUP BYs over a million rows spill to temporary files (the OS caches them) instead of each
    # worker's private memory: an analyst's two-year filter peaked at 640 MB per process in memory, 250 MB
    # on file, at the same speed (bench/).
    cur.execute("PRAGMA temp_store=FILE")
    cur.execute("PRAGMA mmap_size=2147418112")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL; a SQLite file's folder is created on first use."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def init_schema(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (one line since m001_merge_heads; a test keeps it one)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def utcnow() -> datetime:
    """Now as the naive UTC datetime the database stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def upsert_statement(engine: Engine, table):  # noqa: ANN001, ANN201 - dialect-specific Insert
    """An INSERT that can take ON CONFLICT clauses on both SQLite and PostgreSQL."""
    return sqlite_insert(table) if is_sqlite(engine) else pg_insert(table)


def bump_data_version(conn, *domains: str) -> None:  # noqa: ANN001 - a Connection or Session
    """Record that data in these domains changed, so caches keyed on the version refresh."""
    now = utcnow()
    for domain in domains:
        stmt = upsert_statement(conn.engine if hasattr(conn, "engine") else conn.bind, DataVersion.__table__)
        stmt = stmt.values(domain=domain, version=1, changed_at=now).on_conflict_do_update(
            index_elements=["domain"],
            set_={"version": DataVersion.__table__.c.version + 1, "changed_at": now},
        )
        conn.execute(stmt)


def data_versions(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {row.domain: row.version for row in conn.execute(select(DataVersion.domain, DataVersion.version))}


def table_is_empty(engine: Engine, table_name: str) -> bool:
    if not inspect(engine).has_table(table_name):
        return True
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT 1 FROM {table_name} LIMIT 1")).first() is None  # noqa: S608 - fixed names


def database_state(engine: Engine) -> dict[str, object]:
    """What /api/health reports of the store: reachable or not, dialect, and the row counts that matter."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            complaints = conn.execute(select(func.count()).select_from(Base.metadata.tables["complaints"])).scalar()
            sensors = conn.execute(select(func.count()).select_from(Base.metadata.tables["sensors"])).scalar()
        return {"ok": True, "dialect": engine.dialect.name, "complaints": complaints, "sensors": sensors}
    except Exception as exc:  # noqa: BLE001 - health must describe any failure, not raise it
        # The driver's text names hosts, ports and users: it goes to the server log, never to the anonymous page.
        log.warning("health: the database check failed: %s: %s", type(exc).__name__, str(exc).splitlines()[0][:300])
        return {"ok": False, "dialect": engine.dialect.name, "error": "the database cannot be reached or read"}


__all__ = [
    "bump_data_version",
    "data_versions",
    "database_state",
    "init_schema",
    "is_sqlite",
    "make_engine",
    "normalise_url",
    "session_factory",
    "table_is_empty",
    "upsert_statement",
    "utcnow",
]
