"""The live demo stays in equilibrium: a simulated week keeps the seed's backlog, SLA share and City Score."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from dashboard.settings import Settings
from data.demo import rhythms
from data.demo.generate import DemoSpec
from data.demo.live import CitySimulator
from data.demo.seed import seed_demo_city
from data.queries.leader import score_at
from data.store import make_engine
from tests.conftest import DEMO_END

# 28 days of a ~290-a-day city: a backlog of ~1,200 whose noise is well inside the +-15 % asked of it.
SPEC = DemoSpec(end=DEMO_END, days=28, complaints=8_000, observations=12 * 28 * 96, sensors=12, seed=5)


def _figures(engine, at) -> dict[str, float]:
    point = score_at(engine, at, Settings().targets_path)
    k = point["kpis"]
    return {"score": point["score"], "open": k.open_backlog, "sla": k.closed_within_sla_pct, "late": k.late_open}


@pytest.fixture(scope="module")
def live_week(tmp_path_factory):
    """The seed's last week (daily at the same clock time) and a week of the simulator after it, hourly ticks."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('live') / 'city.db'}")
    seed_demo_city(engine, SPEC)
    seeded = pd.DataFrame([_figures(engine, DEMO_END - timedelta(days=d)) for d in range(7, -1, -1)])
    simulator = CitySimulator(engine, seed=11)
    live = []
    for hour in range(1, 7 * 24 + 1):
        now = DEMO_END + timedelta(hours=hour)
        simulator.tick(now)
        if hour % 24 == 0:
            live.append(_figures(engine, now))
    yield engine, seeded, pd.DataFrame(live)
    engine.dispose()


def test_a_simulated_week_keeps_the_backlog_within_15_percent_of_the_seed(live_week):
    _engine, seeded, live = live_week
    start = seeded["open"].iloc[-1]
    assert live["open"].between(0.85 * start, 1.15 * start).all(), (start, live["open"].tolist())
    # and it does not trend away: the last days average near the seed's last week
    assert abs(live["open"].tail(3).mean() / seeded["open"].mean() - 1) < 0.15


def test_sla_share_late_share_and_score_stay_in_their_seeded_bands(live_week):
    _engine, seeded, live = live_week
    # the seed's window leaves out complaints older than its history that would have closed late, so its SLA
    # share sits a little high; the live one may settle up to 2.5 points lower, never collapse or soar
    assert live["sla"].between(seeded["sla"].min() - 2.5, seeded["sla"].max() + 1.0).all(), live["sla"].tolist()
    assert live["score"].between(seeded["score"].min() - 0.1, seeded["score"].max() + 0.1).all(), live["score"].tolist()
    late_share, seeded_late = live["late"] / live["open"], seeded["late"] / seeded["open"]
    assert late_share.between(seeded_late.min() * 0.8, seeded_late.max() * 1.25).all(), late_share.tolist()


def test_live_arrivals_follow_the_seeds_weekly_volume_and_daily_rhythm(live_week):
    engine, _seeded, _live = live_week
    with engine.connect() as conn:
        frame = pd.read_sql(
            text("SELECT requested_at, source_id FROM complaints WHERE requested_at > :a"),
            conn,
            params={"a": DEMO_END - timedelta(days=7)},
        )
    frame["requested_at"] = pd.to_datetime(frame["requested_at"])
    live = frame[frame["source_id"].str.startswith("TNG-LIVE-")]
    seeded = frame[~frame["source_id"].str.startswith("TNG-LIVE-") & (frame["requested_at"] <= DEMO_END)]
    assert abs(len(live) / len(seeded) - 1) < 0.15, (len(live), len(seeded))
    wib_hour = (live["requested_at"] + pd.Timedelta(hours=7)).dt.hour
    night, morning = wib_hour.between(1, 4).sum(), wib_hour.between(8, 11).sum()
    assert morning > 3 * night  # the seed's morning peak against its quiet nights


def test_open_complaints_close_with_the_seeds_category_delays():
    """Many identical open complaints, ticked for a while: the share still open follows the seed's survival."""
    rng = np.random.default_rng(1)
    n = 20_000
    frame = pd.DataFrame({"status": "open", "category": "sampah", "requested_at": [DEMO_END] * n})
    open_now = np.ones(n, dtype=bool)
    status = frame["status"].to_numpy(dtype=object)
    for step in range(1, 49):  # two days in hourly ticks
        since, now = DEMO_END + timedelta(hours=step - 1), DEMO_END + timedelta(hours=step)
        steps = rhythms.next_steps(frame.assign(status=status)[open_now], since, now, rng)
        moved = steps.dropna()
        status[moved.index] = moved.to_numpy()
        open_now = status != "closed"
        if step in (12, 24, 48):
            expected = float(rhythms.close_survival(np.array([step]), np.array([24.0]))[0])
            assert abs(open_now.mean() - expected) < 0.015, (step, open_now.mean(), expected)
    assert {"acknowledged", "in_progress", "closed"} <= set(status)


def test_the_flood_gauge_recedes_from_the_seeded_peak_instead_of_jumping(live_week):
    engine, _seeded, _live = live_week
    with engine.connect() as conn:
        series = pd.read_sql(
            text(
                "SELECT observed_at, value FROM observations WHERE sensor_id = 'water-level-001' "
                "AND observed_at BETWEEN :a AND :b ORDER BY observed_at"
            ),  # fmt: skip
            conn,
            params={"a": DEMO_END - timedelta(hours=2), "b": DEMO_END + timedelta(hours=12)},
        )
    steps = series["value"].diff().abs().dropna()
    assert steps.max() < 25, series.to_string()  # no cliff between the seed's last reading and the live ones
    assert series["value"].iloc[-1] < series["value"].iloc[0] - 20  # and the peak has passed


def test_short_ticks_bring_the_same_arrivals_as_long_ones(tmp_path):
    """Ticks every 5 minutes for 6 hours: arrivals match the seed's rate (each span drawn once, never again)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    seed_demo_city(engine, SPEC)
    simulator = CitySimulator(engine, seed=3)
    simulator.tick(DEMO_END)  # starts the clock
    hours = pd.date_range(DEMO_END, periods=6, freq="h")
    expected = sum(
        sum(rhythms.category_rates(simulator._unit_rate, float(r), simulator.weather.pressure(h)).values())
        for h, r in zip(hours.to_pydatetime(), rhythms.rhythm(hours), strict=True)
    )
    created = sum(simulator.tick(DEMO_END + timedelta(minutes=5 * i)).complaints for i in range(1, 6 * 12 + 1))
    engine.dispose()
    assert abs(created / expected - 1) < 0.35, (created, expected)
