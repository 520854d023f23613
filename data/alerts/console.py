"""Read side of the operator's console beyond alerts: an incident's card, SLA clocks, one complaint's file."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, case, select

from data import sla
from data.alerts.models import Alert, Incident, IncidentMember
from data.alerts.queries import audit_trail
from data.models import Complaint, ComplaintStatusChange, Sensor, SensorLatest

SLA_ORDER = {"late": 0, "due_soon": 1, "on_time": 2}


def incident_card(engine: Engine, incident_id: int) -> dict | None:
    """Everything an incident joins, as small frames: complaints, sensors, cameras, alerts, and its log."""
    with engine.connect() as conn:
        incident = conn.execute(select(Incident.__table__).where(Incident.id == incident_id)).mappings().first()
        if incident is None:
            return None
        members = pd.DataFrame(
            conn.execute(
                select(
                    IncidentMember.member_type,
                    IncidentMember.member_ref,
                    IncidentMember.role,
                    IncidentMember.distance_m,
                    IncidentMember.duplicate_group,
                ).where(IncidentMember.incident_id == incident_id)
            )
            .mappings()
            .all(),
            columns=["member_type", "member_ref", "role", "distance_m", "duplicate_group"],
        )
        refs = {
            kind: members.loc[members["member_type"] == kind] for kind in ("complaint", "sensor", "camera", "alert")
        }
        complaint_ids = [int(r) for r in refs["complaint"]["member_ref"]]
        complaints = pd.DataFrame(
            conn.execute(
                select(
                    Complaint.id,
                    Complaint.category,
                    Complaint.status,
                    Complaint.requested_at,
                    Complaint.lat,
                    Complaint.lon,
                    Complaint.description,
                    Complaint.address,
                    Complaint.channel,
                ).where(Complaint.id.in_(complaint_ids))
            )
            .mappings()
            .all(),
            columns=["id", "category", "status", "requested_at", "lat", "lon", "description", "address", "channel"],
        )
        sensor_ids = list(refs["sensor"]["member_ref"]) + list(refs["camera"]["member_ref"])
        sensors = pd.DataFrame(
            conn.execute(
                select(
                    Sensor.id,
                    Sensor.name,
                    Sensor.kind,
                    Sensor.unit,
                    Sensor.lat,
                    Sensor.lon,
                    Sensor.snapshot_url,
                    Sensor.stream_url,
                    SensorLatest.value,
                    SensorLatest.observed_at,
                )
                .join(SensorLatest, SensorLatest.sensor_id == Sensor.id, isouter=True)
                .where(Sensor.id.in_(sensor_ids))
            )
            .mappings()
            .all(),
            columns=["id", "name", "kind", "unit", "lat", "lon", "snapshot_url", "stream_url", "value", "observed_at"],
        )
        alerts = pd.DataFrame(
            conn.execute(
                select(Alert.id, Alert.severity, Alert.status, Alert.title, Alert.opened_at, Alert.resolved_at)
                .where(Alert.incident_id == incident_id)
                .order_by(Alert.opened_at)
            )
            .mappings()
            .all(),
            columns=["id", "severity", "status", "title", "opened_at", "resolved_at"],
        )
    complaints["id"] = complaints["id"].astype("Int64")
    dup = refs["complaint"].assign(id=refs["complaint"]["member_ref"].astype(int))[
        ["id", "distance_m", "duplicate_group"]
    ]
    complaints = complaints.merge(dup, on="id", how="left").sort_values("requested_at")
    sensor_roles = pd.concat([refs["sensor"], refs["camera"]]).drop_duplicates("member_ref")
    sensors = sensors.merge(
        sensor_roles[["member_ref", "role", "distance_m"]].rename(columns={"member_ref": "id"}), on="id", how="left"
    ).sort_values("distance_m")
    return {
        "incident": dict(incident),
        "complaints": complaints,
        "sensors": sensors,
        "alerts": alerts,
        "audit": audit_trail(engine, incident_id=incident_id),
        "events": int(complaints["duplicate_group"].nunique()) if len(complaints) else 0,
    }


def complaints_by_sla(
    engine: Engine, now: datetime, district: str | None = None, state: str | None = None, limit: int = 200
) -> pd.DataFrame:
    """Open complaints with their due time and CROP state (late red, due soon yellow, on time green), worst first."""
    state_expr = sla.sla_state_sql(now, Complaint.requested_at, Complaint.due_at).label("sla_state")
    order = case((state_expr == "late", 0), (state_expr == "due_soon", 1), else_=2)
    stmt = (
        select(
            Complaint.id,
            Complaint.category,
            Complaint.status,
            Complaint.agency,
            Complaint.district_code,
            Complaint.requested_at,
            Complaint.due_at,
            state_expr,
        )
        .where(Complaint.status != "closed")
        .order_by(order, Complaint.due_at)
        .limit(limit)
    )
    if district:
        stmt = stmt.where(Complaint.district_code == district)
    if state:
        stmt = stmt.where(state_expr == state)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    cols = ["id", "category", "status", "agency", "district_code", "requested_at", "due_at", "sla_state"]
    return pd.DataFrame(rows, columns=cols)


def complaint_file(engine: Engine, complaint_id: int, now: datetime) -> dict | None:
    """One complaint: its fields, status history, SLA state, SP4N-LAPOR stage clocks and console log."""
    with engine.connect() as conn:
        row = conn.execute(select(Complaint.__table__).where(Complaint.id == complaint_id)).mappings().first()
        if row is None:
            return None
        history = pd.DataFrame(
            conn.execute(
                select(
                    ComplaintStatusChange.status,
                    ComplaintStatusChange.changed_at,
                    ComplaintStatusChange.actor,
                    ComplaintStatusChange.note,
                )
                .where(ComplaintStatusChange.complaint_id == complaint_id)
                .order_by(ComplaintStatusChange.changed_at, ComplaintStatusChange.id)
            )
            .mappings()
            .all(),
            columns=["status", "changed_at", "actor", "note"],
        )
    complaint = {k: v for k, v in row.items() if k not in ("reporter_name", "reporter_phone")}  # personal data
    steps = list(zip(history["status"], pd.to_datetime(history["changed_at"]).dt.to_pydatetime(), strict=True))
    state = "closed" if row["status"] == "closed" else sla.sla_state(now, row["requested_at"], row["due_at"])
    return {
        "complaint": complaint,
        "history": history,
        "sla_state": state,
        "stages": sla.lapor_stages(row["requested_at"], steps, now),
        "audit": audit_trail(engine, complaint_id=complaint_id),
    }
