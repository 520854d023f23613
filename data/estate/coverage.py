"""Integration coverage month by month, so the room shows progress, not only today's count.

Each WIB month keeps one row (total, connected, partial), recorded whenever the registry changes and
at least once a month; the current month always reflects the registry as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, delete, select

from data.city import zone
from data.estate.registry import coverage_summary
from data.frames import frame_of
from data.models import ServiceCoverageMonth
from data.store import upsert_statement, utcnow

COLUMNS = ["month", "total", "connected", "partial"]


def wib_month(moment: datetime) -> str:
    """The city's month (its zone) a naive UTC moment falls in, as 'YYYY-MM'."""
    return (moment + zone().offset).strftime("%Y-%m")


def record_coverage(engine: Engine, now: datetime | None = None) -> None:
    """Write (or overwrite) this month's row from the registry as it is now."""
    now = now or utcnow()
    s = coverage_summary(engine)
    write_history(engine, [{"month": wib_month(now), "total": s.total, "connected": s.connected,
                            "partial": s.partial}], now)  # fmt: skip


def write_history(engine: Engine, rows: Iterable[dict], recorded_at: datetime | None = None) -> int:
    """Upsert monthly rows ({month, total, connected, partial}), e.g. a backfill from an inventory's dates."""
    recorded_at = recorded_at or utcnow()
    rows = [{**{k: r[k] for k in COLUMNS}, "recorded_at": recorded_at} for r in rows]
    if not rows:
        return 0
    table = ServiceCoverageMonth.__table__
    with engine.begin() as conn:
        for row in rows:
            stmt = upsert_statement(engine, table).values(**row)
            update = {k: stmt.excluded[k] for k in ("total", "connected", "partial", "recorded_at")}
            conn.execute(stmt.on_conflict_do_update(index_elements=["month"], set_=update))
    return len(rows)


def clear_history(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(ServiceCoverageMonth))


def coverage_by_month(engine: Engine, now: datetime, months: int = 24) -> pd.DataFrame:
    """The last `months` recorded months, oldest first, with this month taken live from the registry."""
    current = wib_month(now)
    stmt = (
        select(
            ServiceCoverageMonth.month,
            ServiceCoverageMonth.total,
            ServiceCoverageMonth.connected,
            ServiceCoverageMonth.partial,
        )  # fmt: skip
        .where(ServiceCoverageMonth.month < current)
        .order_by(ServiceCoverageMonth.month.desc())
        .limit(max(0, months - 1))
    )
    with engine.connect() as conn:
        past = frame_of(conn.execute(stmt), COLUMNS)
    s = coverage_summary(engine)
    live = pd.DataFrame([{"month": current, "total": s.total, "connected": s.connected, "partial": s.partial}])
    frame = pd.concat([past.iloc[::-1], live], ignore_index=True) if not past.empty else live
    frame["connected_pct"] = (100.0 * frame["connected"] / frame["total"].clip(lower=1)).round(1)
    return frame
