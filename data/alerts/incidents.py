"""Flood incidents: a river gauge in danger, the rain in its catchment, the flood reports around it
and the nearest cameras, joined into one thing the room can act on.

Each incident is anchored on its own river: the danger alert that opens it always belongs to it, and a
river alert in danger that joins it later anchors it too. It closes itself only when none of its anchors
is active and no report has come for `quiet_hours`. Who else belongs where is `incident_members`' job.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from data.alerts import incident_members
from data.alerts.config import AlertConfig, FloodRule
from data.alerts.lifecycle import SYSTEM_ACTOR, audit
from data.alerts.models import Alert, Incident
from data.alerts.nearby import distance_m, nearest
from data.alerts.titles import flood_title
from data.models import Sensor
from data.store import bump_data_version

ACTIVE = ("open", "acknowledged")
KEY_PREFIX = "flood:"


def opener_alert_id(incident: object) -> int | None:
    """The river alert that opened an open incident (kept in its active key, `flood:<alert id>`)."""
    key = incident.active_key or ""
    return int(key[len(KEY_PREFIX) :]) if key.startswith(KEY_PREFIX) else None


def _open(conn: Connection, rule: FloodRule, river: object, now: datetime) -> object:
    place = conn.execute(select(Sensor.name).where(Sensor.id == river.sensor_id)).scalar() or river.sensor_id
    table = Incident.__table__
    new_id = conn.execute(
        table.insert().values(
            kind="flood",
            active_key=f"{KEY_PREFIX}{river.id}",
            severity="danger",
            status="open",
            title=flood_title(place, "id"),
            district_code=river.district_code,
            lat=river.lat,
            lon=river.lon,
            radius_m=rule.radius_m,
            opened_at=now,
            updated_at=now,
        )
    ).inserted_primary_key[0]
    conn.execute(update(Alert).where(Alert.id == river.id).values(incident_id=new_id))
    audit(conn, now, SYSTEM_ACTOR, "opened", flood_title(place, "id"), incident_id=new_id)
    return conn.execute(select(table).where(table.c.id == new_id)).one()


def flood_incidents(conn: Connection, config: AlertConfig, now: datetime) -> list[int]:
    """Open, grow and close flood incidents; returns the ids of incidents opened in this pass."""
    rule = config.flood
    table = Incident.__table__
    incidents = list(
        conn.execute(
            select(table)
            .where(table.c.kind == "flood", table.c.status.in_(ACTIVE), table.c.opened_at <= now)
            .order_by(table.c.opened_at, table.c.id)
        )
    )
    rivers = conn.execute(
        select(Alert.id, Alert.sensor_id, Alert.lat, Alert.lon, Alert.district_code, Alert.incident_id)
        .where(Alert.rule == rule.river_rule, Alert.severity == "danger", Alert.status.in_(ACTIVE))
        .where(Alert.lat.is_not(None), Alert.opened_at <= now)
        .order_by(Alert.opened_at, Alert.id)
    ).all()
    opened = []
    by_id = {i.id: i for i in incidents}
    for river in rivers:
        own = by_id.get(river.incident_id)
        if river.incident_id is not None and (
            own is None or distance_m(own.lat, own.lon, river.lat, river.lon) <= rule.radius_m
        ):
            continue  # in its incident (or in one resolved by hand while the river stays high: quiet)
        # Not in one, or joined from too far away by an older rule: it anchors the nearest or its own.
        if nearest(incidents, river.lat, river.lon, rule.radius_m):
            continue  # it anchors that incident below
        if len(incident_members.nearby_complaints(conn, rule, river.lat, river.lon, now)) < rule.min_complaints:
            continue
        incident = _open(conn, rule, river, now)
        incidents.append(incident)
        opened.append(incident.id)
    pinned = {opener_alert_id(i): i.id for i in incidents if opener_alert_id(i) is not None}
    assignment = incident_members.assign(conn, config, incidents, pinned, now)
    added, moved = incident_members.apply(conn, assignment, [i.id for i in incidents], now)
    changed = bool(opened or added or moved)
    for (source, target), n in sorted(moved.items()):
        audit(conn, now, SYSTEM_ACTOR, "note", f"{n} → #{target}", incident_id=source)
        conn.execute(update(Incident).where(Incident.id == source).values(updated_at=now))
    for incident_id, n in added.items():
        conn.execute(update(Incident).where(Incident.id == incident_id).values(updated_at=now))
        if incident_id not in opened:
            audit(conn, now, SYSTEM_ACTOR, "joined", f"+{n}", incident_id=incident_id)
    for incident in incidents:
        changed |= _maybe_close(conn, rule, incident, assignment.newest_report.get(incident.id), now)
    if changed:
        bump_data_version(conn, "alerts")
    return opened


def _maybe_close(conn: Connection, rule: FloodRule, incident: object, newest: datetime | None, now: datetime) -> bool:
    """Close an incident once none of its anchoring river alerts is active and no report came for `quiet_hours`."""
    if incident_members.live_anchors(conn, incident.id):
        return False
    last = max(newest or incident.opened_at, incident.opened_at)
    if (now - last).total_seconds() < rule.quiet_hours * 3600:
        return False
    conn.execute(
        update(Incident)
        .where(Incident.id == incident.id)
        .values(status="resolved", resolved_at=now, resolved_by=SYSTEM_ACTOR, active_key=None, updated_at=now)
    )
    audit(conn, now, SYSTEM_ACTOR, "resolved", "sungai kembali normal, tidak ada laporan baru", incident_id=incident.id)
    return True
