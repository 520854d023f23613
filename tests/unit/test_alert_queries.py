"""The contract the wall and the leader briefing rely on: active_alerts and takeover_alert."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from data.alerts.lifecycle import Condition, acknowledge_alert, reconcile, resolve_alert
from data.alerts.queries import ACTIVE_ALERT_COLUMNS, active_alerts, alert_counts, audit_trail, takeover_alert

T0 = datetime(2026, 11, 20, 5, 0)


def _fire(engine, at, *conds, checked=()):
    with engine.begin() as conn:
        return reconcile(conn, at, checked, conds)


def _river(severity="danger", sensor="water-level-001", district="3671010"):
    return Condition(
        key=f"threshold:{sensor}",
        rule="water_level",
        kind="threshold",
        severity=severity,
        title=f"{sensor} {severity}",
        district_code=district,
        sensor_id=sensor,
        value=330.0,
        threshold=320.0,
    )


def test_empty_store_gives_empty_frame_with_the_contract_columns(sqlite_engine):
    frame = active_alerts(sqlite_engine, T0)
    assert list(frame.columns) == list(ACTIVE_ALERT_COLUMNS)
    assert frame.empty
    assert takeover_alert(sqlite_engine, T0) is None


def test_active_alerts_newest_first_and_filtered_by_district(sqlite_engine):
    _fire(sqlite_engine, T0, _river("warning", "water-level-001", "3671010"))
    _fire(sqlite_engine, T0 + timedelta(minutes=5), _river("danger", "water-level-002", "3671020"))
    frame = active_alerts(sqlite_engine, T0 + timedelta(minutes=10))
    assert list(frame["sensor_id"]) == ["water-level-002", "water-level-001"]
    assert set(frame["status"]) == {"open"}
    only = active_alerts(sqlite_engine, T0 + timedelta(minutes=10), district="3671010")
    assert list(only["sensor_id"]) == ["water-level-001"]
    # An alert opened after `now` (a replayed past moment) is not shown.
    assert len(active_alerts(sqlite_engine, T0 + timedelta(minutes=1))) == 1


def test_takeover_stops_after_acknowledge_and_audit_records_who(sqlite_engine):
    _fire(sqlite_engine, T0, _river("warning", "water-level-001"))
    assert takeover_alert(sqlite_engine, T0) is None  # a warning never takes over the wall
    opened = _fire(sqlite_engine, T0, _river("danger", "water-level-002", "3671020"))
    take = takeover_alert(sqlite_engine, T0)
    assert take == {"id": opened.opened[0], "district_code": "3671020", "title": "water-level-002 danger"}
    acknowledge_alert(sqlite_engine, take["id"], "Petugas Rina", "tim BPBD berangkat", T0 + timedelta(minutes=2))
    assert takeover_alert(sqlite_engine, T0 + timedelta(minutes=3)) is None
    frame = active_alerts(sqlite_engine, T0 + timedelta(minutes=3))
    row = frame.set_index("id").loc[take["id"]]
    assert row["status"] == "acknowledged"
    assert row["acknowledged_at"] == T0 + timedelta(minutes=2)
    trail = audit_trail(sqlite_engine, alert_id=take["id"])
    assert list(trail["action"]) == ["acknowledged", "opened"]
    assert trail.iloc[0]["actor"] == "Petugas Rina"
    assert trail.iloc[0]["note"] == "tim BPBD berangkat"
    assert alert_counts(sqlite_engine, T0 + timedelta(minutes=3)) == {
        "total": 2,
        "danger": 1,
        "warning": 1,
        "unacknowledged": 1,
    }


def test_a_condition_that_keeps_holding_never_opens_a_second_alert(sqlite_engine):
    for minute in range(5):
        _fire(sqlite_engine, T0 + timedelta(minutes=minute), _river("danger"))
    assert len(active_alerts(sqlite_engine, T0 + timedelta(hours=1))) == 1
    cleared = _fire(sqlite_engine, T0 + timedelta(minutes=6), checked=["threshold:water-level-001"])
    assert len(cleared.resolved) == 1
    assert active_alerts(sqlite_engine, T0 + timedelta(hours=1)).empty


def test_escalation_of_an_acknowledged_warning_reopens_it(sqlite_engine):
    first = _fire(sqlite_engine, T0, _river("warning"))
    acknowledge_alert(sqlite_engine, first.opened[0], "Andi", None, T0)
    again = _fire(sqlite_engine, T0 + timedelta(minutes=5), _river("danger"))
    assert again.escalated == first.opened
    assert takeover_alert(sqlite_engine, T0 + timedelta(minutes=5))["id"] == first.opened[0]


def test_manual_resolve_stays_quiet_while_the_condition_holds(sqlite_engine):
    first = _fire(sqlite_engine, T0, _river("danger"))
    resolve_alert(sqlite_engine, first.opened[0], "Andi", "sensor rusak, teknisi dipanggil", T0)
    again = _fire(sqlite_engine, T0 + timedelta(minutes=5), _river("danger"))
    assert again.opened == [] and active_alerts(sqlite_engine, T0 + timedelta(minutes=5)).empty
    _fire(sqlite_engine, T0 + timedelta(minutes=10), checked=["threshold:water-level-001"])
    back = _fire(sqlite_engine, T0 + timedelta(minutes=15), _river("danger"))
    assert len(back.opened) == 1 and back.opened != first.opened


@pytest.mark.parametrize("actor", ["", "   ", None])
def test_acknowledge_without_a_name_is_refused_and_changes_nothing(sqlite_engine, actor):
    first = _fire(sqlite_engine, T0, _river("danger"))
    with pytest.raises(ValueError, match="name"):
        acknowledge_alert(sqlite_engine, first.opened[0], actor, "x", T0)
    assert takeover_alert(sqlite_engine, T0)["id"] == first.opened[0]


def test_unknown_or_resolved_alert_gives_a_clear_error(sqlite_engine):
    with pytest.raises(ValueError, match="does not exist"):
        acknowledge_alert(sqlite_engine, 999, "Andi", None, T0)
    first = _fire(sqlite_engine, T0, _river("danger"))
    resolve_alert(sqlite_engine, first.opened[0], "Andi", None, T0)
    with pytest.raises(ValueError, match="already resolved"):
        acknowledge_alert(sqlite_engine, first.opened[0], "Andi", None, T0)
