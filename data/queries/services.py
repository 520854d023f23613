"""Service health: each connected city application's latest daily figures."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import DateTime, Engine, bindparam, func, select

from data.frames import frame_of
from data.models import Service, ServiceMetric

# Built once, `now` bound per call: composing this statement on every call was about a third of the
# figure's time, for a query of a few milliseconds.
_NEWEST = (
    select(ServiceMetric.service_id, func.max(ServiceMetric.period_start).label("period_start"))
    .where(ServiceMetric.period_start <= bindparam("now", type_=DateTime()))
    .group_by(ServiceMetric.service_id)
    .subquery()
)
LATEST_HEALTH = (
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
    .join(_NEWEST, _NEWEST.c.service_id == Service.id)
    .join(
        ServiceMetric,
        (ServiceMetric.service_id == _NEWEST.c.service_id) & (ServiceMetric.period_start == _NEWEST.c.period_start),
    )
    .order_by(Service.name)
)


def latest_service_health(engine: Engine, now: datetime) -> pd.DataFrame:
    """Per service, its newest period up to `now`: availability %, p95 ms, transactions, satisfaction."""
    with engine.connect() as conn:
        return frame_of(conn.execute(LATEST_HEALTH, {"now": now}))


def mean_availability(health: pd.DataFrame) -> float | None:
    """Transaction-weighted mean availability, so a busy service's outage weighs what it costs citizens."""
    if health.empty:
        return None
    weights = health["transactions"].clip(lower=1)
    return float((health["availability_pct"] * weights).sum() / weights.sum())
