"""The demo's flood scenario: one incident joining the river gauge in danger, rain, reports and cameras."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from data.alerts.config import load_config
from data.alerts.console import incident_card
from data.alerts.evaluate import evaluate
from data.alerts.nearby import distance_m, duplicate_groups
from data.alerts.queries import incidents_for_console
from data.demo.generate import FLOOD_GAUGE
from tests.conftest import DEMO_END


def test_the_demo_flood_becomes_one_incident_with_its_sensors_reports_and_cameras(small_city):
    incidents = incidents_for_console(small_city, DEMO_END)
    assert len(incidents) == 1
    card = incident_card(small_city, int(incidents.iloc[0]["id"]))
    rule = load_config().flood
    sensors = card["sensors"]
    assert FLOOD_GAUGE in set(sensors["id"])
    assert (card["alerts"]["severity"] == "danger").any()
    assert set(sensors.loc[sensors["role"] == "rain", "kind"]) == {"rainfall"}
    cameras = sensors[sensors["kind"] == "cctv"]
    assert 1 <= len(cameras) <= rule.cameras
    reports = card["complaints"]
    assert len(reports) >= 8 and set(reports["category"]) <= set(rule.categories)
    assert (reports["distance_m"] <= rule.radius_m).all()
    assert (reports["requested_at"] >= DEMO_END - timedelta(hours=rule.window_h)).all()
    # Reports about the same spot are grouped: fewer distinct events than reports.
    assert 0 < card["events"] < len(reports)


def test_evaluating_again_adds_nothing_and_opens_no_second_incident(small_city):
    before = incident_card(small_city, 1)
    report = evaluate(small_city, DEMO_END + timedelta(minutes=1), load_config())
    assert report.incidents_opened == []
    after = incident_card(small_city, 1)
    assert len(after["complaints"]) == len(before["complaints"]) and len(after["sensors"]) == len(before["sensors"])


def test_duplicate_groups_chain_nearby_reports_in_time_only():
    t0 = DEMO_END
    points = [
        (1, -6.18, 106.63, t0),
        (2, -6.1805, 106.63, t0 + timedelta(minutes=20)),  # ~55 m from 1
        (3, -6.18, 106.63, t0 + timedelta(hours=9)),  # same spot, much later: another event
        (4, -6.20, 106.63, t0),  # ~2.2 km away
    ]
    groups = duplicate_groups(points, radius_m=250, window_h=6)
    assert groups[1] == groups[2] == 1
    assert groups[3] == 3 and groups[4] == 4
    assert 2_000 < distance_m(-6.18, 106.63, -6.20, 106.63) < 2_400


def _groups_pairwise(points, radius_m, window_h):
    """The grouping as first written: every time-ordered pair within the window, haversine in Python."""
    parent = {p[0]: p[0] for p in points}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    ordered = sorted(points, key=lambda p: p[3])
    for i, (a, alat, alon, aat) in enumerate(ordered):
        for b, blat, blon, bat in ordered[i + 1 :]:
            if (bat - aat).total_seconds() > window_h * 3600:
                break
            if distance_m(alat, alon, blat, blon) <= radius_m:
                ra, rb = root(a), root(b)
                parent[max(ra, rb)] = min(ra, rb)
    return {p[0]: root(p[0]) for p in points}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_duplicate_groups_equal_the_pairwise_definition(seed):
    rng = np.random.default_rng(seed)
    n = 700  # more than one block of rows
    start = datetime(2026, 11, 20, 6, 0)
    points = [
        (int(i), -6.18 + float(rng.normal(0, 0.004)), 106.63 + float(rng.normal(0, 0.004)),
         start + timedelta(minutes=float(rng.uniform(0, 600))))
        for i in rng.permutation(5000)[:n]
    ]  # fmt: skip
    points += [(9001, points[0][1], points[0][2], points[0][3]), (9002, 0.0, 0.0, start)]  # a twin, a stray
    expected = _groups_pairwise(points, 150.0, 2.0)
    assert duplicate_groups(points, 150.0, 2.0) == expected
    assert expected[9001] == expected[points[0][0]] and expected[9002] == 9002
    assert 1 < len(set(expected.values())) < len(points)  # some grouping, not all or nothing


def test_a_sensor_with_two_live_alerts_joins_the_incident_once(small_city):
    from sqlalchemy import func, insert, select, update

    from data.alerts.models import Alert, Incident, IncidentMember
    from data.models import Sensor

    with small_city.begin() as conn:
        incident = conn.execute(select(Incident.id, Incident.lat, Incident.lon)).first()
        members = conn.execute(select(IncidentMember.member_ref).where(IncidentMember.member_type == "sensor"))
        joined_before = {r[0] for r in members}
        gauge = conn.execute(  # a rain gauge not yet joined, moved into the incident's catchment
            select(Sensor.id).where(Sensor.kind == "rainfall", Sensor.id.not_in(joined_before)).limit(1)
        ).scalar()
        conn.execute(update(Sensor).where(Sensor.id == gauge).values(lat=incident.lat + 0.01, lon=incident.lon))
        for n, kind in enumerate(("threshold", "rate")):
            conn.execute(
                insert(Alert).values(
                    rule="heavy_rain", kind=kind, severity="warning", status="open", title=f"rain {n}",
                    sensor_id=gauge, lat=incident.lat + 0.01, lon=incident.lon, opened_at=DEMO_END,
                    last_seen_at=DEMO_END,
                )
            )  # fmt: skip
    evaluate(small_city, DEMO_END + timedelta(minutes=1), load_config())
    with small_city.connect() as conn:
        joined = conn.execute(
            select(func.count()).where(IncidentMember.member_type == "sensor", IncidentMember.member_ref == gauge)
        ).scalar()
        alerts = conn.execute(select(Alert.incident_id).where(Alert.sensor_id == gauge, Alert.rule == "heavy_rain"))
        assert {r[0] for r in alerts} == {incident.id}
    assert joined == 1
