"""Service health: each connected city application's latest daily figures."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from data.models import Service, ServiceMetric


def latest_service_health(engine: Engine, now: datetime) -> pd.DataFrame:
    """Per service, its newest period up to `now`: availability %, p95 ms, transactions, satisfaction."""
    newest = (
        select(ServiceMetric.service_id, func.max(ServiceMetric.period_start).label("period_start"))
        .where(ServiceMetric.period_start <= now)
        .group_by(ServiceMetric.service_id)
        .subquery()
    )
    stmt = (
        select(
            Service.code,
            Service.name,
            Service.agency,
            Service.dimension,
            ServiceMetric.period_start,
            ServiceMetric.availability_pct,
            ServiceMetric.p95_response_ms,
            ServiceMetric.transactions,
            ServiceMetric.satisfaction,
        )
        .join(newest, newest.c.service_id == Service.id)
        .join(
            ServiceMetric,
            (ServiceMetric.service_id == newest.c.service_id) & (ServiceMetric.period_start == newest.c.period_start),
        )
        .order_by(Service.name)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all())


def mean_availability(health: pd.DataFrame) -> float | None:
    """Transaction-weighted mean availability, so a busy service's outage weighs what it costs citizens."""
    if health.empty:
        return None
    weights = health["transactions"].clip(lower=1)
    return float((health["availability_pct"] * weights).sum() / weights.sum())
