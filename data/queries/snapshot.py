"""The city at one moment: every figure the wall and the leader's briefing open with, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from data.cityscore import MeasureScore, city_score, load_measures, score_measures
from data.memo import SETTLED_TTL_S, Memo, Unkeyed, no_memo
from data.models import District
from data.queries import complaints, sensors, services
from data.queries.complaints import ComplaintKpis
from data.queries.filters import ComplaintFilter


@dataclass(frozen=True)
class CitySnapshot:
    now: datetime
    district: str | None
    complaints: ComplaintKpis
    sensor_states: pd.DataFrame
    service_health: pd.DataFrame
    measures: list[MeasureScore]
    score: float | None
    population: int

    @property
    def sensors_online_pct(self) -> float | None:
        if self.sensor_states.empty:
            return None
        return 100.0 * float((self.sensor_states["state"] != "offline").mean())


def _population(engine: Engine, district: str | None) -> int:
    stmt = select(func.sum(District.population))
    if district:
        stmt = stmt.where(District.code == district)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def remembered_sensor_states(
    engine: Engine, now: datetime, district: str | None = None, memo: Memo = no_memo
) -> pd.DataFrame:
    """Every active sensor's state, under the one key the KPI board, the map and the sensor lists share."""
    return memo(("observations", "sensors"), sensors.sensor_states, engine, Unkeyed(now), district=district)


def city_snapshot(
    engine: Engine, now: datetime, targets_path: Path, district: str | None = None, memo: Memo = no_memo
) -> CitySnapshot:
    """Complaint KPIs, sensor states, service health and the City Score for the city or one kecamatan.

    Each part is remembered by the data it reads: a new reading recomputes sensor states only."""
    flt = ComplaintFilter.for_district(district)
    kpis = memo(("complaints",), complaints.complaint_kpis, engine, Unkeyed(now), flt, Unkeyed(memo))
    states = remembered_sensor_states(engine, now, district, memo)
    health = memo(("services",), services.latest_service_health, engine, Unkeyed(now))
    population = memo((), _population, engine, district, ttl_s=SETTLED_TTL_S)
    actuals = measure_actuals(kpis, states, health, population)
    scores = score_measures(load_measures(targets_path), actuals)
    return CitySnapshot(now, district, kpis, states, health, scores, city_score(scores), population)


def measure_actuals(
    kpis: ComplaintKpis, states: pd.DataFrame, health: pd.DataFrame, population: int
) -> dict[str, float | None]:
    """Each City Score measure's value from the figures already fetched (no further queries)."""
    online = None if states.empty else 100.0 * float((states["state"] != "offline").mean())
    live = states[states["state"] != "offline"] if not states.empty else states
    pm25 = live.loc[live["kind"] == "pm25", "value"] if not live.empty else pd.Series(dtype=float)
    rivers = live.loc[live["kind"] == "water_level", "state"] if not live.empty else pd.Series(dtype=object)
    return {
        "sla_pct": kpis.closed_within_sla_pct,
        "median_close_h": kpis.median_close_h,
        "open_per_10k": (kpis.open_backlog * 10_000 / population) if population else None,
        "late_pct": (100.0 * kpis.late_open / kpis.open_backlog) if kpis.open_backlog else None,
        "clearance_rate": (kpis.closed_today / kpis.received_today) if kpis.received_today else None,
        "service_availability": services.mean_availability(health),
        "service_satisfaction": float(health["satisfaction"].mean()) if not health.empty else None,
        "sensors_online_pct": online,
        "pm25_mean": float(pm25.mean()) if len(pm25) else None,
        "rivers_normal_pct": 100.0 * float((rivers == "normal").mean()) if len(rivers) else None,
    }
