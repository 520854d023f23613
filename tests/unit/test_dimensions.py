"""Dimension scores equal hand-computed City Score values on a small fixture."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from data.cityscore import Measure, MeasureScore, measure_score
from data.dimensions import dimension_scores
from data.estate.briefing import service_period
from data.models import Service, ServiceMetric

MEASURES = (
    Measure("sla_pct", "SLA", "SLA", "%", "higher", 90.0, "governance"),
    Measure("median_close_h", "Median", "Median", "jam", "lower", 48.0, "governance"),
    Measure("pm25_mean", "PM2.5", "PM2.5", "µg/m³", "lower", 35.0, "environment"),
    Measure("service_availability", "Ketersediaan", "Availability", "%", "higher", 99.5, "governance"),
    Measure("service_satisfaction", "Kepuasan", "Satisfaction", "/5", "higher", 4.2, "society"),
)


def _scores(actuals: dict) -> list[MeasureScore]:
    return [MeasureScore(m, actuals.get(m.key), measure_score(m, actuals.get(m.key))) for m in MEASURES]


def test_dimension_scores_equal_hand_computed_values():
    health = pd.DataFrame(
        {
            "dimension": ["governance", "governance", "economy"],
            "availability_pct": [99.0, 100.0, 97.0],
            "transactions": [1000, 3000, 500],
            "satisfaction": [4.0, 4.4, 3.5],
        }
    )
    actuals = {"sla_pct": 81.0, "median_close_h": 60.0, "pm25_mean": 28.0, "service_availability": 99.0,
               "service_satisfaction": 4.0}  # fmt: skip
    dims = {d.dimension: d for d in dimension_scores(_scores(actuals), health, MEASURES)}
    # governance: SLA 81/90 = 0.9; median 48/60 = 0.8; availability (99*1000 + 100*3000)/4000 = 99.75 -> /99.5;
    # satisfaction mean 4.2 -> 4.2/4.2 = 1.0. The city-wide service measures are not counted twice.
    expected_gov = (0.9 + 0.8 + 99.75 / 99.5 + 1.0) / 4
    assert dims["governance"].score == pytest.approx(expected_gov)
    assert [i.key for i in dims["governance"].items] == [
        "sla_pct", "median_close_h", "service_availability.governance", "service_satisfaction.governance"]  # fmt: skip
    # economy: only its service: 97/99.5 and 3.5/4.2
    assert dims["economy"].score == pytest.approx((97 / 99.5 + 3.5 / 4.2) / 2)
    # environment: PM2.5 lower is better: 35/28 = 1.25
    assert dims["environment"].score == pytest.approx(1.25)
    # branding, living and society have nothing measured: no score rather than a made-up one
    assert dims["branding"].score is None and dims["society"].score is None
    assert list(dims) == ["governance", "branding", "economy", "living", "society", "environment"]


def test_a_measure_without_a_value_does_not_pull_the_dimension_down():
    dims = {d.dimension: d for d in dimension_scores(_scores({"sla_pct": 99.0}), pd.DataFrame(), MEASURES)}
    assert dims["governance"].score == pytest.approx(1.1)
    assert dims["governance"].scored_items == 1


def test_period_service_figures_are_weighted_in_the_database(sqlite_engine, tmp_path: Path):
    with sqlite_engine.begin() as conn:
        conn.execute(Service.__table__.insert(), [
            {"id": 1, "code": "a", "name": "A", "agency": "X", "category": "c", "dimension": "living",
             "integration_state": "connected"},
            {"id": 2, "code": "b", "name": "B", "agency": "X", "category": "c", "dimension": "living",
             "integration_state": "connected"}])  # fmt: skip
        conn.execute(ServiceMetric.__table__.insert(), [
            {"service_id": 1, "period_start": datetime(2026, 3, 1), "transactions": 100, "availability_pct": 99.0,
             "satisfaction": 4.0},
            {"service_id": 1, "period_start": datetime(2026, 3, 2), "transactions": 300, "availability_pct": 95.0,
             "satisfaction": 5.0},
            {"service_id": 2, "period_start": datetime(2026, 3, 1), "transactions": 0, "availability_pct": 100.0,
             "satisfaction": 3.0},
            {"service_id": 2, "period_start": datetime(2026, 4, 1), "transactions": 50, "availability_pct": 10.0,
             "satisfaction": 1.0}])  # fmt: skip
    frame = service_period(sqlite_engine, datetime(2026, 3, 1), datetime(2026, 3, 31)).set_index("code")
    assert frame.loc["a", "availability_pct"] == pytest.approx((99 * 100 + 95 * 300) / 400)
    assert frame.loc["a", "satisfaction"] == pytest.approx(4.5)
    assert frame.loc["b", "availability_pct"] == pytest.approx(100.0)  # zero transactions still weigh 1
    dims = {d.dimension: d for d in dimension_scores([], frame.reset_index(), MEASURES)}
    living_avail = (96.0 * 400 + 100.0 * 1) / 401
    assert dims["living"].score == pytest.approx((living_avail / 99.5 + ((4.5 + 3.0) / 2) / 4.2) / 2)
