"""Query results as pandas frames, built the fast way.

pandas builds a frame from SQLAlchemy `Row` objects through a slow per-element path: 30-37 ms for
4,600 two-column rows against ~2 ms from plain tuples (bench/, both engines). Every query that
returns a frame goes through `frame_of`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Result


def frame_of(result: Result, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of `result` as a frame, named by `columns` or by the statement's own column labels."""
    names = list(columns) if columns is not None else list(result.keys())
    return pd.DataFrame([tuple(row) for row in result], columns=names)


def packed_records(conn: Connection, sql: str, params: dict, record: np.dtype) -> np.ndarray:
    """The rows of a PostgreSQL query that packs them into one bytea of fixed-width binary records
    (`string_agg(int8send(a) || float8send(b) ..., '')`), as a numpy record array of `record` (big-endian).

    For wide results (tens of thousands of rows) the driver's per-value Python objects cost several times
    what the database does; one bytes value is read by numpy in place. Packed columns must be NOT NULL
    (a NULL empties its record, which `string_agg` then leaves out).
    """
    with conn.connection.cursor(binary=True) as cur:
        packed = cur.execute(sql, params).fetchone()[0]
    return np.frombuffer(packed or b"", dtype=record)
