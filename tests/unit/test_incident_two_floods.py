"""Two floods a few kilometres apart: each incident is anchored on its own river and keeps its own members."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

import data.ingest.sink as sink
from data.alerts.config import load_config
from data.alerts.console import incident_card
from data.alerts.evaluate import evaluate
from data.alerts.models import Alert, Incident, IncidentMember, WebhookDelivery
from data.alerts.nearby import distance_m
from data.alerts.queries import audit_trail
from data.ingest.sink import store_complaints, store_observations
from data.models import Sensor

T0 = datetime(2026, 11, 20, 3, 0)  # 10:00 WIB
CONFIG = replace(load_config(), webhook_urls=("http://127.0.0.1:9/hook",))
# Two rivers 4.4 km apart: closer than the rain radius (6 km), farther than the incident radius (3 km).
WEST, EAST = (-6.180, 106.630), (-6.180, 106.670)
SENSORS = [
    ("wl-west", "Pos Barat", "water_level", "cm", WEST),
    ("wl-east", "Pos Timur", "water_level", "cm", EAST),
    ("rain-west", "Hujan Barat", "rainfall", "mm/h", (-6.186, 106.624)),
    ("rain-east", "Hujan Timur", "rainfall", "mm/h", (-6.186, 106.676)),
    ("cam-west", "CCTV Barat", "cctv", "", (-6.176, 106.633)),
    ("cam-east", "CCTV Timur", "cctv", "", (-6.176, 106.667)),
]


@pytest.fixture
def city(sqlite_engine, monkeypatch):
    """Sensors of two rivers; ingest does not evaluate on the wall clock, the test drives the clock itself."""
    monkeypatch.setattr(sink, "after_ingest", lambda *a, **k: None)
    with sqlite_engine.begin() as conn:
        for sid, name, kind, unit, (lat, lon) in SENSORS:
            conn.execute(
                insert(Sensor).values(
                    id=sid, name=name, kind=kind, unit=unit, lat=lat, lon=lon, district_code="36.71.01",
                    warning_threshold=250.0 if kind == "water_level" else None,
                    danger_threshold=320.0 if kind == "water_level" else None, expected_interval_s=300,
                )
            )  # fmt: skip
    return sqlite_engine


def _readings(engine, sensor_id, start, end, value):
    at, rows = start, []
    while at <= end:
        rows.append((sensor_id, at, value))
        at += timedelta(minutes=5)
    store_observations(engine, rows, evaluate_alerts=False)


def _reports(engine, prefix, at, points):
    store_complaints(
        engine,
        [
            {"source": "t", "source_id": f"{prefix}-{i}", "category": "banjir", "status": "open",
             "requested_at": at, "lat": lat, "lon": lon, "district_code": "36.71.01"}
            for i, (lat, lon) in enumerate(points)
        ],
    )  # fmt: skip


def _incidents(engine):
    with engine.connect() as conn:
        return conn.execute(select(Incident.id, Incident.status, Incident.title).order_by(Incident.id)).all()


def _card(engine, incident_id):
    card = incident_card(engine, incident_id)
    sensors = card["sensors"]
    return {
        "gauges": set(sensors.loc[sensors["kind"] == "water_level", "id"]),
        "rain": set(sensors.loc[sensors["kind"] == "rainfall", "id"]),
        "cameras": set(sensors.loc[sensors["kind"] == "cctv", "id"]),
        "reports": {int(i) for i in card["complaints"]["id"]},
        "alerts": set(card["alerts"]["id"]),
    }


def _complaint_ids(engine, prefix):
    from data.models import Complaint

    with engine.connect() as conn:
        rows = conn.execute(select(Complaint.id, Complaint.source_id).where(Complaint.source_id.like(f"{prefix}-%")))
        return {int(r.id) for r in rows}


def test_two_floods_a_few_km_apart_each_hold_their_own_river_and_stay_open_while_it_is_in_danger(city):
    # Rain over both catchments all morning (30 mm by 10:00 WIB), both rivers high since 08:00 WIB.
    for sid in ("rain-west", "rain-east"):
        _readings(city, sid, T0 - timedelta(hours=3), T0, 10.0)
    _readings(city, "wl-west", T0 - timedelta(hours=1), T0, 335.0)
    west_reports = [(-6.182, 106.628), (-6.178, 106.634), (-6.181, 106.645)]  # the last 1.7 km W, 2.7 km E
    _reports(city, "w", T0 - timedelta(minutes=30), west_reports)
    _reports(city, "mid", T0 - timedelta(minutes=20), [(-6.180, 106.653)])  # 2.5 km W, 1.9 km E: nearer east
    evaluate(city, T0, CONFIG)
    [(west_id, _, west_title)] = _incidents(city)
    assert "Pos Barat" in west_title
    assert _complaint_ids(city, "mid") <= _card(city, west_id)["reports"]  # the only incident within reach

    # An hour later the east river passes danger too, with its own reports.
    t1 = T0 + timedelta(hours=1)
    _readings(city, "wl-west", T0, t1, 340.0)
    _readings(city, "wl-east", T0, t1, 336.0)
    _reports(city, "e", t1 - timedelta(minutes=10), [(-6.179, 106.671), (-6.183, 106.668)])
    evaluate(city, t1, CONFIG)
    (west_id, _, _), (east_id, _, east_title) = _incidents(city)
    assert "Pos Timur" in east_title
    west, east = _card(city, west_id), _card(city, east_id)
    assert west["gauges"] == {"wl-west"} and east["gauges"] == {"wl-east"}
    assert west["rain"] == {"rain-west"} and east["rain"] == {"rain-east"}
    assert west["cameras"] == {"cam-west"} and east["cameras"] == {"cam-east"}
    assert west["reports"] == _complaint_ids(city, "w")
    assert east["reports"] == _complaint_ids(city, "e") | _complaint_ids(city, "mid")  # moved to the nearer one
    assert not west["alerts"] & east["alerts"]
    assert "→ #" in " ".join(audit_trail(city, incident_id=west_id)["note"].dropna())
    with city.connect() as conn:
        rivers = select(Alert.sensor_id, Alert.incident_id).where(Alert.rule == "river_level")
        openers = dict(conn.execute(rivers).all())
    assert openers == {"wl-west": west_id, "wl-east": east_id}

    # Both webhooks list their own gauge (and not the other's).
    with city.connect() as conn:
        payloads = [json.loads(p) for p in conn.execute(
            select(WebhookDelivery.payload).where(WebhookDelivery.event == "incident.opened")
            .order_by(WebhookDelivery.id)).scalars()]  # fmt: skip
    assert [p["data"]["id"] for p in payloads] == [west_id, east_id]
    assert "wl-west" in payloads[0]["data"]["sensors"] and "wl-east" not in payloads[0]["data"]["sensors"]
    assert "wl-east" in payloads[1]["data"]["sensors"] and "wl-west" not in payloads[1]["data"]["sensors"]
    assert payloads[0]["data"]["river_gauges"] == ["wl-west"] and payloads[1]["data"]["river_gauges"] == ["wl-east"]
    assert payloads[1]["data"]["title"] == "Banjir: Pos Timur" and payloads[1]["data"]["title_en"] == "Flood: Pos Timur"

    # Ten quiet hours with no report, but both rivers still in danger: neither incident closes.
    t2 = t1 + timedelta(hours=10)
    for sid in ("wl-west", "wl-east"):
        _readings(city, sid, t1, t2, 333.0)
    evaluate(city, t2, CONFIG)
    assert [r.status for r in _incidents(city)] == ["open", "open"]

    # The east river falls back to normal: only the east incident closes; the west river keeps its own open.
    t3 = t2 + timedelta(hours=1)
    _readings(city, "wl-east", t2, t3, 180.0)
    _readings(city, "wl-west", t2, t3, 331.0)
    evaluate(city, t3, CONFIG)
    assert [r.status for r in _incidents(city)] == ["open", "resolved"]


def test_a_danger_river_joined_from_too_far_by_an_older_rule_anchors_its_own_incident(city):
    """Stores written before this fix hold river alerts in an incident 4-5 km away: the next pass repairs them."""
    _readings(city, "wl-west", T0 - timedelta(hours=1), T0, 335.0)
    _readings(city, "wl-east", T0 - timedelta(hours=1), T0, 335.0)
    _reports(city, "w", T0 - timedelta(minutes=30), [(-6.181, 106.631)])
    _reports(city, "e", T0 - timedelta(minutes=30), [(-6.181, 106.669)])
    evaluate(city, T0, CONFIG)
    assert len(_incidents(city)) == 2
    west_id, east_id = (r.id for r in _incidents(city))
    with city.begin() as conn:  # what the old join did: the east gauge's alert in the west incident
        conn.execute(Alert.__table__.update().where(Alert.sensor_id == "wl-east").values(incident_id=west_id))
        conn.execute(
            IncidentMember.__table__.update().where(IncidentMember.incident_id == east_id).values(incident_id=west_id)
        )
        conn.execute(Incident.__table__.delete().where(Incident.id == east_id))
    evaluate(city, T0 + timedelta(minutes=5), CONFIG)
    rows = _incidents(city)
    assert len(rows) == 2
    assert _card(city, rows[0].id)["gauges"] == {"wl-west"} and _card(city, rows[1].id)["gauges"] == {"wl-east"}


def test_every_member_of_the_demo_incidents_is_within_its_own_radius_and_in_one_incident(small_city):
    rule = load_config().flood
    with small_city.connect() as conn:
        incidents = {r.id: r for r in conn.execute(select(Incident.__table__))}
        members = conn.execute(select(IncidentMember.__table__)).all()
        sensors = {r.id: r for r in conn.execute(select(Sensor.id, Sensor.kind, Sensor.lat, Sensor.lon))}
        openers = conn.execute(select(Alert.id, Alert.sensor_id, Alert.incident_id)).all()
    for inc in incidents.values():
        opener = int(inc.active_key.split(":")[1])
        assert next(a for a in openers if a.id == opener).incident_id == inc.id
        assert any(m.incident_id == inc.id and m.member_ref == str(opener) and m.role == "river" for m in members)
    radius = {"water_level": rule.radius_m, "rainfall": rule.rain_radius_m, "cctv": rule.camera_radius_m}
    seen = set()
    for m in members:
        assert (m.member_type, m.member_ref) not in seen, "a member of two incidents"
        seen.add((m.member_type, m.member_ref))
        if m.member_type in ("sensor", "camera"):
            s, inc = sensors[m.member_ref], incidents[m.incident_id]
            assert distance_m(inc.lat, inc.lon, s.lat, s.lon) <= radius[s.kind] + 1
