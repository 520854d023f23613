"""Who belongs to which flood incident: each candidate joins the NEAREST open incident within its own radius.

Radii: a flood report and a river gauge's alert use the incident's radius (`radius_m`); a rain gauge and
its alert the catchment (`rain_radius_m`); a camera `camera_radius_m`, each incident keeping its `cameras`
nearest; a complaint spike joins the incident of its district nearest the district's centre. The alert
that opened an incident is pinned to it. When a nearer incident opens, members of open incidents move to
it; a resolved incident keeps its members as history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, or_, select, update

from data.alerts.config import AlertConfig, FloodRule
from data.alerts.models import Alert, IncidentMember
from data.alerts.nearby import box, distance_m, duplicate_groups, nearest
from data.models import Complaint, District, ObservationHourly, Sensor
from data.store import upsert_statement

ACTIVE = ("open", "acknowledged")
ANCHOR = "river"  # the role of a river alert in danger (and its gauge): while one is live, the incident stays


@dataclass(frozen=True)
class Member:
    member_type: str  # alert, complaint, sensor, camera
    member_ref: str
    role: str
    distance_m: float | None
    duplicate_group: int | None = None


@dataclass
class Assignment:
    """Members by incident; one owner per member (the nearer incident wins, an anchor role is never lost)."""

    owner: dict[tuple[str, str], tuple[int, Member]] = field(default_factory=dict)
    newest_report: dict[int, datetime] = field(default_factory=dict)

    def add(self, incident_id: int, member: Member) -> None:
        key = (member.member_type, member.member_ref)
        held = self.owner.get(key)
        if held is None or (held[0] != incident_id and (member.distance_m or 0) < (held[1].distance_m or 0)):
            self.owner[key] = (incident_id, member)
        elif held[0] == incident_id and member.role == ANCHOR:
            self.owner[key] = (incident_id, member)

    def members(self, incident_id: int) -> list[Member]:
        return [m for inc, m in self.owner.values() if inc == incident_id]


def nearby_complaints(conn: Connection, rule: FloodRule, lat: float, lon: float, now: datetime) -> list:
    """(row, metres) of the flood reports within the incident radius of a point, in the window."""
    rows = conn.execute(
        select(Complaint.id, Complaint.lat, Complaint.lon, Complaint.requested_at).where(
            Complaint.category.in_(rule.categories),
            Complaint.requested_at >= now - timedelta(hours=rule.window_h),
            Complaint.requested_at <= now,
            *box(Complaint.lat, Complaint.lon, lat, lon, rule.radius_m),
        )
    )
    near = [(r, distance_m(lat, lon, r.lat, r.lon)) for r in rows]
    return [(r, d) for r, d in near if d <= rule.radius_m]


def _sensors_near(conn: Connection, kind: str, incidents: Sequence, radius_m: float) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for inc in incidents:
        rows = conn.execute(
            select(Sensor.id, Sensor.lat, Sensor.lon).where(
                Sensor.kind == kind, Sensor.active.is_(True), *box(Sensor.lat, Sensor.lon, inc.lat, inc.lon, radius_m)
            )
        )
        found.update({r.id: (r.lat, r.lon) for r in rows})
    return found


def _complaints(conn: Connection, rule: FloodRule, incidents: Sequence, now: datetime, out: Assignment) -> None:
    rows = {r.id: r for inc in incidents for r, _ in nearby_complaints(conn, rule, inc.lat, inc.lon, now)}
    mine: dict[int, list] = defaultdict(list)
    for r in rows.values():
        hit = nearest(incidents, r.lat, r.lon, rule.radius_m)
        if hit:
            mine[hit[0]].append((r, hit[1]))
    for incident_id, items in mine.items():
        groups = duplicate_groups(
            [(r.id, r.lat, r.lon, r.requested_at) for r, _ in items], rule.duplicate_radius_m, rule.duplicate_window_h
        )
        for r, d in items:
            out.add(incident_id, Member("complaint", str(r.id), "report", d, groups[r.id]))
        out.newest_report[incident_id] = max(r.requested_at for r, _ in items)


def _rain(conn: Connection, rule: FloodRule, incidents: Sequence, now: datetime, out: Assignment) -> None:
    """Rain gauges that collected at least `min_rain_mm` over the window join the nearest incident."""
    gauges = _sensors_near(conn, "rainfall", incidents, rule.rain_radius_m)
    if not gauges:
        return
    mm = func.sum(ObservationHourly.total / ObservationHourly.n)  # each hour's mean mm/h is that hour's mm
    rows = conn.execute(
        select(ObservationHourly.sensor_id, mm.label("mm"))
        .where(
            ObservationHourly.sensor_id.in_(list(gauges)),
            ObservationHourly.hour >= now - timedelta(hours=rule.rain_window_h),
            ObservationHourly.hour <= now,
        )
        .group_by(ObservationHourly.sensor_id)
    )
    for r in rows:
        hit = nearest(incidents, *gauges[r.sensor_id], rule.rain_radius_m)
        if hit and (r.mm or 0) >= rule.min_rain_mm:
            out.add(hit[0], Member("sensor", r.sensor_id, "rain", hit[1]))


def _cameras(conn: Connection, rule: FloodRule, incidents: Sequence, out: Assignment) -> None:
    mine: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for sid, (lat, lon) in _sensors_near(conn, "cctv", incidents, rule.camera_radius_m).items():
        hit = nearest(incidents, lat, lon, rule.camera_radius_m)
        if hit:
            mine[hit[0]].append((hit[1], sid))
    for incident_id, cams in mine.items():
        for d, sid in sorted(cams)[: rule.cameras]:
            out.add(incident_id, Member("camera", sid, "camera", d))


def _district_centres(conn: Connection) -> dict[str, tuple[float, float]]:
    rows = conn.execute(select(District.code, District.centroid_lat, District.centroid_lon))
    return {r.code: (r.centroid_lat, r.centroid_lon) for r in rows}


def _alerts(
    conn: Connection, config: AlertConfig, incidents: Sequence, pinned: dict[int, int], now: datetime, out: Assignment
) -> None:
    """River and rain alerts by distance, flood-report spikes by district; an opener stays with its incident."""
    rule = config.flood
    water_rules = {
        r.name for r in config.sensor_rules if r.type != "offline" and set(r.kinds) & {"water_level", "rainfall"}
    }
    by_id = {inc.id: inc for inc in incidents}
    rows = conn.execute(
        select(
            Alert.id, Alert.rule, Alert.kind, Alert.severity, Alert.lat, Alert.lon, Alert.category,
            Alert.district_code, Alert.sensor_id, Sensor.kind.label("sensor_kind"),
        )
        .join(Sensor, Sensor.id == Alert.sensor_id, isouter=True)
        .where(Alert.status.in_(ACTIVE), Alert.opened_at <= now)
        .where(or_(Alert.incident_id.is_(None), Alert.incident_id.in_(list(by_id))))
        .order_by(Alert.opened_at, Alert.id)
    )  # fmt: skip
    centres = None
    for r in rows:
        anchor = r.rule == rule.river_rule and r.severity == "danger"
        role = ANCHOR if anchor else r.kind
        if r.id in pinned:
            inc = by_id[pinned[r.id]]
            hit = (inc.id, distance_m(inc.lat, inc.lon, r.lat, r.lon) if r.lat is not None else 0.0)
            role = ANCHOR
        elif r.rule in water_rules and r.lat is not None:
            radius = rule.rain_radius_m if r.sensor_kind == "rainfall" else rule.radius_m
            hit = nearest(incidents, r.lat, r.lon, radius)
        elif r.kind == "spike" and r.category in rule.categories:
            same = [inc for inc in incidents if inc.district_code == r.district_code]
            centres = centres if centres is not None else _district_centres(conn)
            centre = centres.get(r.district_code)
            near = nearest(same, *centre, float("inf")) if same and centre else None
            hit = (near[0] if near else same[0].id, None) if same else None
        else:
            continue
        if hit is None:
            continue
        out.add(hit[0], Member("alert", str(r.id), role, hit[1]))
        if r.sensor_id:
            out.add(hit[0], Member("sensor", r.sensor_id, role, hit[1]))


def assign(
    conn: Connection, config: AlertConfig, incidents: Sequence, pinned: dict[int, int], now: datetime
) -> Assignment:
    """Every candidate member of the open flood incidents, each with the one incident it belongs to."""
    out = Assignment()
    if not incidents:
        return out
    rule = config.flood
    _alerts(conn, config, incidents, pinned, now, out)  # first: a gauge joined by its anchor alert keeps that role
    _complaints(conn, rule, incidents, now, out)
    _rain(conn, rule, incidents, now, out)
    _cameras(conn, rule, incidents, out)
    return out


MEMBER_FIELDS = ("member_type", "member_ref", "role", "distance_m", "duplicate_group")


def apply(conn: Connection, assignment: Assignment, open_ids: Sequence[int], now: datetime) -> tuple[dict, dict]:
    """Write the assignment: move members between open incidents, add new ones, upgrade roles and groups.

    Returns ({incident: members added}, {(from, to): members moved}). Rows go in one statement each way:
    a storm's incident holds hundreds of reports, and one statement per report cost ~0.4 s per batch."""
    stored = {
        (r.member_type, r.member_ref, r.incident_id): r
        for r in conn.execute(
            select(
                IncidentMember.incident_id, IncidentMember.member_type, IncidentMember.member_ref,
                IncidentMember.role, IncidentMember.duplicate_group,
            ).where(IncidentMember.incident_id.in_(list(open_ids)))
        )
    }  # fmt: skip
    moved: dict[tuple[int, int], int] = defaultdict(int)
    for mtype, ref, incident_id in list(stored):
        owner = assignment.owner.get((mtype, ref))
        if owner is not None and owner[0] != incident_id:
            conn.execute(
                delete(IncidentMember).where(
                    IncidentMember.incident_id == incident_id,
                    IncidentMember.member_type == mtype,
                    IncidentMember.member_ref == ref,
                )
            )
            del stored[(mtype, ref, incident_id)]
            moved[(incident_id, owner[0])] += 1
    new, changed = [], []
    for (mtype, ref), (incident_id, m) in assignment.owner.items():
        row = {"incident_id": incident_id, "added_at": now, **{f: getattr(m, f) for f in MEMBER_FIELDS}}
        held = stored.get((mtype, ref, incident_id))
        if held is None:
            new.append(row)
        elif (m.role == ANCHOR and held.role != ANCHOR) or (
            m.duplicate_group is not None and m.duplicate_group != held.duplicate_group
        ):
            changed.append({**row, "role": ANCHOR if ANCHOR in (m.role, held.role) else m.role})
    if new:
        conn.execute(IncidentMember.__table__.insert(), new)
        for incident_id in {r["incident_id"] for r in new}:
            alert_ids = [int(r["member_ref"]) for r in new if r["incident_id"] == incident_id
                         and r["member_type"] == "alert"]  # fmt: skip
            if alert_ids:
                conn.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(incident_id=incident_id))
    if changed:
        stmt = upsert_statement(conn.engine, IncidentMember.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["incident_id", "member_type", "member_ref"],
            set_={"duplicate_group": stmt.excluded.duplicate_group, "role": stmt.excluded.role},
        )
        conn.execute(stmt, changed)
    added: dict[int, int] = defaultdict(int)
    for r in new:
        added[r["incident_id"]] += 1
    return dict(added), dict(moved)


def live_anchors(conn: Connection, incident_id: int) -> int:
    """How many of the incident's anchoring alerts (river alerts that were in danger) are still active."""
    refs = conn.execute(
        select(IncidentMember.member_ref).where(
            IncidentMember.incident_id == incident_id,
            IncidentMember.member_type == "alert",
            IncidentMember.role == ANCHOR,
        )
    ).scalars()
    ids = [int(r) for r in refs]
    if not ids:
        return 0
    return int(conn.execute(select(func.count()).where(Alert.id.in_(ids), Alert.status.in_(ACTIVE))).scalar() or 0)
