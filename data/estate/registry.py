"""Coverage of the city's application registry and the health of the connected applications, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine, case, func, select

from data.frames import frame_of
from data.models import INTEGRATION_STATES, SMART_CITY_DIMENSIONS, Service
from data.queries.services import latest_service_health

AVAILABILITY_GOOD = 99.0  # % : at or above is green
AVAILABILITY_POOR = 95.0  # % : below is red, between is amber
LATENCY_GOOD_MS = 1000.0  # p95 at or below is green
LATENCY_POOR_MS = 2000.0  # p95 above is red
METRICS_STALE_AFTER = timedelta(days=3)  # daily metrics older than this no longer describe the service
HEALTH_STATES = ("good", "degraded", "down", "stale", "no_data")


@dataclass(frozen=True)
class CoverageSummary:
    """How much of the registry the room sees: 'terhubung 25 dari 172'."""

    total: int
    connected: int
    partial: int
    not_connected: int

    @property
    def connected_pct(self) -> float | None:
        return 100.0 * self.connected / self.total if self.total else None

    @property
    def reached_pct(self) -> float | None:
        """Connected or partly connected: the room sees at least something of these."""
        return 100.0 * (self.connected + self.partial) / self.total if self.total else None


def _state_sums() -> list:
    return [
        func.count().label("total"),
        *(func.sum(case((Service.integration_state == s, 1), else_=0)).label(s) for s in INTEGRATION_STATES),
    ]


def coverage_summary(engine: Engine) -> CoverageSummary:
    """Counts of the whole registry by integration state (one query)."""
    with engine.connect() as conn:
        row = conn.execute(select(*_state_sums())).one()
    return CoverageSummary(int(row.total or 0), int(row.connected or 0), int(row.partial or 0),
                           int(row.not_connected or 0))  # fmt: skip


def _grouped(engine: Engine, column: object, name: str) -> pd.DataFrame:
    stmt = select(column.label(name), *_state_sums()).group_by(column).order_by(column)
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt), [name, "total", *INTEGRATION_STATES])
    for col in ("total", *INTEGRATION_STATES):
        frame[col] = frame[col].fillna(0).astype(int)
    frame["connected_pct"] = (100.0 * frame["connected"] / frame["total"].clip(lower=1)).round(1)
    return frame


def coverage_by_agency(engine: Engine) -> pd.DataFrame:
    """Per owning agency: applications, how many in each integration state, and the connected share."""
    return _grouped(engine, Service.agency, "agency")


def coverage_by_dimension(engine: Engine) -> pd.DataFrame:
    """Per smart-city dimension (all six rows, zeros kept): applications and integration states."""
    frame = _grouped(engine, Service.dimension, "dimension").set_index("dimension")
    frame = frame.reindex(list(SMART_CITY_DIMENSIONS)).fillna(0)
    for col in ("total", *INTEGRATION_STATES):
        frame[col] = frame[col].astype(int)
    return frame.reset_index()


def lagging_agencies(by_agency: pd.DataFrame, n: int = 8, min_apps: int = 3) -> pd.DataFrame:
    """Agencies with at least `min_apps` applications and the most not yet connected, worst first."""
    big = by_agency[by_agency["total"] >= min_apps].copy()
    big["unconnected"] = big["total"] - big["connected"]
    return big.sort_values(["connected_pct", "unconnected"], ascending=[True, False]).head(n).reset_index(drop=True)


def connected_service_health(engine: Engine, now: datetime) -> pd.DataFrame:
    """Every connected application with its newest daily figures (none if it never sent any) and a health state."""
    stmt = (
        select(Service.code, Service.name, Service.agency, Service.dimension)
        .where(Service.integration_state == "connected")
        .order_by(Service.name)
    )
    with engine.connect() as conn:
        connected = frame_of(conn.execute(stmt), ["code", "name", "agency", "dimension"])
    figures = latest_service_health(engine, now)
    metric_cols = ["period_start", "availability_pct", "p95_response_ms", "transactions", "satisfaction"]
    figures = figures[["code", *metric_cols]] if not figures.empty else pd.DataFrame(columns=["code", *metric_cols])
    frame = connected.merge(figures, on="code", how="left")
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["health"] = health_states(frame, now)
    return frame


def health_states(frame: pd.DataFrame, now: datetime) -> np.ndarray:
    """good / degraded / down by the worse of availability and p95 latency; stale or no_data when figures lack."""
    if frame.empty:
        return np.array([], dtype=object)
    avail = frame["availability_pct"].astype(float)
    p95 = frame["p95_response_ms"].astype(float)
    no_data = frame["period_start"].isna()
    stale = ~no_data & (frame["period_start"] < pd.Timestamp(now - METRICS_STALE_AFTER))
    down = (avail < AVAILABILITY_POOR) | (p95 > LATENCY_POOR_MS)
    degraded = (avail < AVAILABILITY_GOOD) | (p95 > LATENCY_GOOD_MS)
    return np.select([no_data, stale, down, degraded], ["no_data", "stale", "down", "degraded"], default="good")
