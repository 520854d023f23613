"""Fast bulk loading: executemany on SQLite, COPY on PostgreSQL; rows go in as plain tuples.

SQLAlchemy's ORM costs ~20 us per row; a 10-million-row demo city needs the driver's own bulk path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def sqlite_datetime(moment: datetime) -> str:
    """The text SQLAlchemy stores for a DateTime on SQLite, so raw and ORM rows compare alike."""
    return moment.strftime(SQLITE_DATETIME_FORMAT)


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return sqlite_datetime(value)
    if value != value:  # NaN (pandas' missing value) is NULL
        return None
    return value


def _pg_value(value: object) -> object:
    return None if value != value else value


def copy_rows(
    engine: Engine,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    conflict_ignore: bool = False,
    chunk: int = 100_000,
) -> int:
    """Insert rows (tuples in `columns` order) in one transaction; returns how many were inserted.

    With `conflict_ignore`, rows whose key already exists are skipped (SQLite INSERT OR IGNORE;
    PostgreSQL COPY into a temporary table, then INSERT ... ON CONFLICT DO NOTHING).
    """
    with driver_transaction(engine) as raw:
        return _copy(raw, engine.dialect.name, table, columns, rows, conflict_ignore, chunk)


def copy_rows_in(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[object]], *, conflict_ignore: bool
) -> int:
    """`copy_rows` inside the caller's transaction, so what else it writes commits (or not) with the rows."""
    with _as_sqlalchemy_errors(conn.dialect):
        return _copy(conn.connection, conn.dialect.name, table, columns, rows, conflict_ignore, 100_000)


def _copy(raw, dialect_name: str, table: Table, columns, rows, conflict_ignore: bool, chunk: int) -> int:  # noqa: ANN001, PLR0913
    cols = ", ".join(columns)
    inserted = 0
    cur = raw.cursor()
    if dialect_name == "sqlite":
        verb = "INSERT OR IGNORE" if conflict_ignore else "INSERT"
        sql = f"{verb} INTO {table.name} ({cols}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
        batch: list[tuple] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                inserted += cur.rowcount
                batch = []
        if batch:
            cur.executemany(sql, batch)
            inserted += cur.rowcount
        return inserted

    def write_rows(copy) -> None:  # noqa: ANN001 - a psycopg Copy
        for row in rows:
            copy.write_row([_pg_value(v) for v in row])

    return _pg_copy(cur, table.name, cols, "", write_rows, conflict_ignore)


def copy_binary_in(conn: Connection, table: Table, columns: Sequence[str], payload: bytes) -> int:
    """Insert rows given whole in PostgreSQL's binary COPY format, in the caller's transaction, leaving rows
    whose key is already stored as they are; returns how many were new.

    The rows go straight into the table under a savepoint: most batches are all new, and skipping the
    temporary table saves writing every row twice. A batch with a stored key (a file sent twice, a
    redelivered message) fails there on the first clash and is copied again through a temporary table
    with INSERT ... ON CONFLICT DO NOTHING.
    """
    cols = ", ".join(columns)
    unique_violation = conn.dialect.loaded_dbapi.errors.UniqueViolation
    with _as_sqlalchemy_errors(conn.dialect):
        cur = conn.connection.cursor()
        cur.execute("SAVEPOINT bulk_copy")
        try:
            with cur.copy(f"COPY {table.name} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(payload)
        except unique_violation:
            cur.execute("ROLLBACK TO SAVEPOINT bulk_copy")
            return _pg_copy(cur, table.name, cols, "(FORMAT BINARY)", lambda copy: copy.write(payload), True)
        inserted = cur.rowcount
        cur.execute("RELEASE SAVEPOINT bulk_copy")
        return inserted


def _pg_copy(cur, name: str, cols: str, options: str, write, conflict_ignore: bool) -> int:  # noqa: ANN001, PLR0913
    """COPY what `write(copy)` sends into table `name` (with `conflict_ignore`, through a temporary table and
    INSERT ... ON CONFLICT DO NOTHING); returns how many rows were inserted."""
    target = f"tmp_{name}" if conflict_ignore else name
    if conflict_ignore:
        cur.execute(f"CREATE TEMP TABLE {target} (LIKE {name} INCLUDING DEFAULTS) ON COMMIT DROP")
    with cur.copy(f"COPY {target} ({cols}) FROM STDIN {options}") as copy:
        write(copy)
    if conflict_ignore:
        cur.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {target} ON CONFLICT DO NOTHING")
    return cur.rowcount


@contextmanager
def _as_sqlalchemy_errors(dialect: Dialect) -> Iterator[None]:
    """The driver's errors (a server gone, a read-only file, a full disk) come out as SQLAlchemy's, so the
    API's 503, the MQTT subscriber's retry and the CLI's message handle them like any other database error."""
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as exc:
        raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=dialect) from exc


@contextmanager
def driver_transaction(engine: Engine) -> Iterator[object]:
    """The driver's own connection in one transaction: committed at the end, rolled back on any error.

    Errors come out as SQLAlchemy's (`_as_sqlalchemy_errors`); nothing of the batch is committed.
    """
    with _as_sqlalchemy_errors(engine.dialect):
        raw = engine.raw_connection()
    try:
        with _as_sqlalchemy_errors(engine.dialect):
            yield raw
            raw.commit()
    except BaseException:
        _rollback(raw)
        raise
    finally:
        raw.close()


def _rollback(raw) -> None:  # noqa: ANN001 - a DBAPI connection
    """Roll back, tolerating a connection that is already gone (the server died mid-batch)."""
    try:
        raw.rollback()
    except Exception:  # noqa: BLE001, S110 - the original error is the one worth raising
        pass
