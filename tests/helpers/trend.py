"""A few hours of readings from the rollup scenarios' three sensors, for the hourly trend's tests on both stores."""

from __future__ import annotations

from sqlalchemy import Engine

from data.ingest.sink import store_observations
from data.models import Sensor
from tests.helpers.rollup_scenarios import SENSORS, readings


def store_trend_readings(engine: Engine) -> None:
    """Register the three sensors and store ~11 hours of readings each (the rollups kept by the sink)."""
    with engine.begin() as conn:
        conn.execute(Sensor.__table__.insert(), [{"id": s, "name": s, "kind": "water_level", "unit": "cm",
                                                  "lat": -6.18, "lon": 106.63} for s in SENSORS])  # fmt: skip
    store_observations(engine, [r for s in SENSORS for r in readings(s, 0, 60, step_min=11)], evaluate_alerts=False)
