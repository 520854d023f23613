"""`seed --observations N` stores N readings (within 2 %), or refuses with what to change before replacing anything."""

from __future__ import annotations

import argparse

import numpy as np
import pytest
from sqlalchemy import text

from dashboard.commands.seed import spec_from
from data.demo.generate import DemoSpec, build_sensors, build_weather, observation_interval_s, observation_series
from data.demo.seed import seed_demo_city
from data.store import make_engine
from tests.conftest import DEMO_END


def _generated(spec: DemoSpec) -> int:
    """Readings the seed would write for `spec`, counted without a database."""
    rng = np.random.default_rng(spec.seed)
    wx = build_weather(spec, rng)
    interval = observation_interval_s(spec)
    sensors = build_sensors(spec, rng, interval)
    return sum(len(times) for _sid, times, _values in observation_series(spec, rng, sensors, wx, interval))


@pytest.mark.parametrize(
    ("days", "sensors", "observations"),
    [(60, 60, 10_000_000), (60, 60, 400_000), (3, 8, 20_000), (21, 30, 60_000), (7, 200, 1_000_000)],
)
def test_the_requested_number_of_readings_is_generated_within_2_percent(days, sensors, observations):
    spec = DemoSpec(end=DEMO_END, days=days, sensors=sensors, observations=observations, complaints=100)
    assert _generated(spec) == pytest.approx(observations, rel=0.02)


def test_a_seeded_store_holds_the_requested_readings(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    report = seed_demo_city(engine, DemoSpec(end=DEMO_END, days=4, sensors=10, observations=30_000, complaints=300))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM observations")).scalar()
    engine.dispose()
    assert stored == report.observations == pytest.approx(30_000, rel=0.02)


def test_a_size_the_devices_cannot_report_is_refused_with_what_to_change_before_anything_is_replaced(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    seed_demo_city(engine, DemoSpec(end=DEMO_END, days=2, sensors=6, observations=2_000, complaints=200))
    too_many = DemoSpec(end=DEMO_END, days=2, sensors=6, observations=1_000_000, complaints=200)
    with pytest.raises(ValueError, match=r"--sensors 58 or more, --days 20 or more"):
        seed_demo_city(engine, too_many)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM complaints")).scalar() > 0  # the old city is still there
    engine.dispose()
    args = argparse.Namespace(days=60, sensors=60, observations=10**9, complaints=40_000, seed=42)
    with pytest.raises(ValueError, match="every 0.3 s"):
        spec_from(args)
