"""Rules evaluated against a real store, as data arrives through the sink and on the clock."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from data.alerts.config import load_config
from data.alerts.evaluate import evaluate
from data.alerts.models import Alert
from data.alerts.queries import active_alerts, audit_trail
from data.ingest.sink import store_complaints, store_observations
from data.models import Sensor
from data.timebuckets import wib_midnight_utc

NOW = datetime(2026, 11, 20, 5, 0)  # Friday 12:00 WIB
CONFIG = load_config()


def _gauge(engine, sensor_id="wl-test", interval=300):
    with engine.begin() as conn:
        conn.execute(
            insert(Sensor).values(
                id=sensor_id, name="Pos Uji", kind="water_level", unit="cm", lat=-6.18, lon=106.63,
                district_code="36.71.01", warning_threshold=250.0, danger_threshold=320.0,
                expected_interval_s=interval,
            )
        )  # fmt: skip


def _feed(engine, start, values, sensor_id="wl-test", step_min=5):
    """Readings arrive one by one, each followed by a pass at its own time (as the sink does live)."""
    for i, value in enumerate(values):
        at = start + timedelta(minutes=step_min * i)
        store_observations(engine, [(sensor_id, at, value)])
        evaluate(engine, at, CONFIG, sensor_ids=[sensor_id], complaints=False)


def _alerts(engine, rule):
    with engine.connect() as conn:
        return conn.execute(select(Alert.id, Alert.severity, Alert.status).where(Alert.rule == rule)).all()


def test_river_crossing_danger_opens_one_alert_that_escalates_then_clears(sqlite_engine):
    _gauge(sqlite_engine)
    rise = [240, 255, 262, 270, 290, 325, 330, 335, 340, 338, 336]
    fall = [300, 280, 260, 235, 220]
    _feed(sqlite_engine, NOW - timedelta(hours=2), rise + fall)
    rows = _alerts(sqlite_engine, "river_level")
    assert len(rows) == 1, "one episode, one alert: never re-opened while the river stayed high"
    assert rows[0].status == "resolved"
    actions = list(audit_trail(sqlite_engine, alert_id=rows[0].id)["action"])[::-1]
    assert actions[0] == "opened" and "escalated" in actions and actions[-1] == "resolved"
    assert actions.count("opened") == 1


def test_silent_gauge_goes_offline_on_the_clock_and_clears_when_data_returns(sqlite_engine):
    _gauge(sqlite_engine, interval=300)
    store_observations(sqlite_engine, [("wl-test", NOW - timedelta(minutes=40), 150.0)])
    evaluate(sqlite_engine, NOW, CONFIG)  # 40 min > 3 x 5 min
    evaluate(sqlite_engine, NOW + timedelta(minutes=1), CONFIG)
    offline = _alerts(sqlite_engine, "sensor_offline")
    assert len(offline) == 1 and offline[0].status == "open"
    assert offline[0].severity == "warning"  # a silent device is a warning, not a takeover, in the shipped rules
    store_observations(sqlite_engine, [("wl-test", NOW + timedelta(minutes=2), 151.0)])
    evaluate(sqlite_engine, NOW + timedelta(minutes=2), CONFIG, sensor_ids=["wl-test"], complaints=False)
    assert _alerts(sqlite_engine, "sensor_offline")[0].status == "resolved"


def _complaints(prefix, times, district="36.71.01", category="banjir"):
    return [
        {"source": "t", "source_id": f"{prefix}-{i}", "category": category, "status": "open", "requested_at": at,
         "lat": -6.18, "lon": 106.63, "district_code": district}
        for i, at in enumerate(times)
    ]  # fmt: skip


def test_complaint_spike_is_a_poisson_test_against_the_same_weekday_and_fires_once(sqlite_engine):
    today = wib_midnight_utc((NOW + timedelta(hours=7)).date())
    history = []
    for week in range(1, 9):  # one report by 12:00 WIB on each of the last eight Fridays
        history.append(today - timedelta(days=7 * week) + timedelta(hours=3))
    store_complaints(sqlite_engine, _complaints("old", history))
    spike = [today + timedelta(hours=1, minutes=7 * i) for i in range(9)]
    store_complaints(sqlite_engine, _complaints("new", spike))
    evaluate(sqlite_engine, NOW, CONFIG, sensors=False)
    evaluate(sqlite_engine, NOW + timedelta(minutes=5), CONFIG, sensors=False)
    rows = _alerts(sqlite_engine, "complaint_spike")
    assert len(rows) == 1 and rows[0].severity == "warning"
    alert = active_alerts(sqlite_engine, NOW + timedelta(minutes=5))
    assert alert.iloc[0]["district_code"] == "36.71.01"
    with sqlite_engine.connect() as conn:
        detail = conn.execute(select(Alert.detail).where(Alert.id == rows[0].id)).scalar()
    assert "Poisson" in detail and "λ = 1.00" in detail  # mean of eight weeks, stated
    # The next day the count starts again from zero: the spike clears.
    evaluate(sqlite_engine, NOW + timedelta(days=1), CONFIG, sensors=False)
    assert _alerts(sqlite_engine, "complaint_spike")[0].status == "resolved"


def test_complaints_about_to_breach_their_sla_raise_one_alert_per_district(sqlite_engine):
    # kebakaran has a 1-working-day SLA: requested Thursday 14:00 WIB, due Friday 14:00 WIB = 07:00 UTC.
    needed = CONFIG.sla_due.min_count
    store_complaints(
        sqlite_engine, _complaints("f", [datetime(2026, 11, 19, 7, 0)] * (needed - 1), category="kebakaran")
    )
    evaluate(sqlite_engine, NOW, CONFIG, sensors=False)  # due in 2 h < 4 h, but too few to raise the room
    assert _alerts(sqlite_engine, "sla_due") == []
    store_complaints(sqlite_engine, _complaints("g", [datetime(2026, 11, 19, 7, 0)], category="kebakaran"))
    evaluate(sqlite_engine, NOW, CONFIG, sensors=False)
    rows = _alerts(sqlite_engine, "sla_due")
    assert len(rows) == 1 and rows[0].status == "open"
    evaluate(sqlite_engine, NOW + timedelta(hours=3), CONFIG, sensors=False)  # now late: no longer "about to"
    assert _alerts(sqlite_engine, "sla_due")[0].status == "resolved"


def test_a_broken_rule_never_loses_a_record(sqlite_engine, monkeypatch):
    import data.alerts.evaluate as ev

    def broken(*_a, **_k):
        raise RuntimeError("rule bug")

    monkeypatch.setattr(ev, "evaluate", broken)
    _gauge(sqlite_engine)
    result = store_observations(sqlite_engine, [("wl-test", NOW, 400.0)])
    assert result.inserted == 1


def test_webhooks_are_queued_for_new_danger_only_when_urls_are_configured(sqlite_engine):
    from data.alerts.models import WebhookDelivery

    _gauge(sqlite_engine)
    config = replace(CONFIG, webhook_urls=("http://127.0.0.1:9/hook",))
    for i, v in enumerate([330, 332, 334, 336, 338]):
        at = NOW + timedelta(minutes=5 * i)
        store_observations(sqlite_engine, [("wl-test", at, v)])
        evaluate(sqlite_engine, at, config, sensor_ids=["wl-test"], complaints=False)
    with sqlite_engine.connect() as conn:
        events = conn.execute(select(WebhookDelivery.event)).scalars().all()
    assert events == ["alert.danger"]


def test_arrivals_within_the_gap_fold_into_one_later_pass_over_every_sensor(sqlite_engine, monkeypatch):
    """A burst of API calls runs the rules once now and once at the gap's end, over all it stored, in the
    caller's city: not once per call (each pass reads the rules' whole state)."""
    import data.alerts.evaluate as ev

    passes: list[list[str]] = []
    real = ev.evaluate

    def counted(engine, now, config, sensor_ids=None, **kwargs):
        passes.append(list(sensor_ids or []))
        return real(engine, now, config, sensor_ids=sensor_ids, **kwargs)

    monkeypatch.setattr(ev, "evaluate", counted)
    monkeypatch.setattr(ev, "_pacer", ev.ArrivalPacer(gap_s=0.5))
    gauges = [f"wl-{i}" for i in range(6)]
    for sensor_id in gauges:
        _gauge(sqlite_engine, sensor_id)
    now = ev.utcnow()
    for sensor_id in gauges:
        high = [(sensor_id, now - timedelta(minutes=m), 400.0) for m in (20, 15, 10, 5, 0)]  # past min_duration
        store_observations(sqlite_engine, high)  # far above danger, each gauge its own call
    assert passes == [["wl-0"]], "the first arrival is evaluated at once, the rest wait for the gap"
    deadline = time.monotonic() + 5
    while len(passes) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert passes[1] == gauges[1:], "one deferred pass over every sensor that arrived within the gap"
    time.sleep(0.7)
    assert len(passes) == 2
    with sqlite_engine.connect() as conn:
        alerted = set(conn.execute(select(Alert.sensor_id).where(Alert.rule == "river_level")).scalars())
    assert alerted == set(gauges)
