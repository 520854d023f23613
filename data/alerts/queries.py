"""The read side of alerts: small frames for the wall, the leader briefing and the operator's console.

Contract used by the wall and the leader pages: `active_alerts` and `takeover_alert`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, case, func, or_, select

from data.alerts.models import Alert, AuditEvent, Incident

ACTIVE_STATUSES = ("open", "acknowledged")
ACTIVE_ALERT_COLUMNS = (
    "id",
    "severity",
    "rule",
    "title",
    "district_code",
    "sensor_id",
    "opened_at",
    "acknowledged_at",
    "status",
)


def _frame(rows: list, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r) for r in rows], columns=list(columns))
    for col in columns:
        if col.endswith("_at"):
            frame[col] = pd.to_datetime(frame[col])
    return frame


def active_alerts(engine: Engine, now: datetime, district: str | None = None) -> pd.DataFrame:
    """Open and acknowledged alerts opened by `now`, newest first (the wall's ticker and alerts tile)."""
    stmt = (
        select(*(getattr(Alert, c) for c in ACTIVE_ALERT_COLUMNS))
        .where(Alert.status.in_(ACTIVE_STATUSES), Alert.opened_at <= now)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )
    if district:
        stmt = stmt.where(Alert.district_code == district)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return _frame(rows, ACTIVE_ALERT_COLUMNS)


def takeover_alert(engine: Engine, now: datetime) -> dict | None:
    """The newest open, unacknowledged danger alert (the wall's playlist jumps to its district), or None."""
    stmt = (
        select(Alert.id, Alert.district_code, Alert.title)
        .where(Alert.status == "open", Alert.severity == "danger", Alert.opened_at <= now)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def alert_counts(engine: Engine, now: datetime, district: str | None = None) -> dict[str, int]:
    """Active alerts by severity and how many still wait for someone to acknowledge them."""
    stmt = select(
        func.count().label("total"),
        func.coalesce(func.sum(case((Alert.severity == "danger", 1), else_=0)), 0).label("danger"),
        func.coalesce(func.sum(case((Alert.severity == "warning", 1), else_=0)), 0).label("warning"),
        func.coalesce(func.sum(case((Alert.status == "open", 1), else_=0)), 0).label("unacknowledged"),
    ).where(Alert.status.in_(ACTIVE_STATUSES), Alert.opened_at <= now)
    if district:
        stmt = stmt.where(Alert.district_code == district)
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().one()
    return {k: int(v or 0) for k, v in row.items()}


OPS_ALERT_COLUMNS = (
    "id",
    "severity",
    "status",
    "rule",
    "kind",
    "title",
    "detail",
    "district_code",
    "sensor_id",
    "complaint_id",
    "category",
    "lat",
    "lon",
    "value",
    "threshold",
    "opened_at",
    "last_seen_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "incident_id",
)


def alerts_for_console(
    engine: Engine,
    now: datetime,
    statuses: tuple[str, ...] = ACTIVE_STATUSES,
    severity: str | None = None,
    district: str | None = None,
    kind: str | None = None,
    resolved_since: datetime | None = None,
    limit: int = 300,
) -> pd.DataFrame:
    """Alerts for the operator's list and map: unacknowledged first, then danger, then newest."""
    stmt = select(*(getattr(Alert, c) for c in OPS_ALERT_COLUMNS)).where(Alert.opened_at <= now)
    wanted = [s for s in statuses if s != "resolved"]
    clauses = [Alert.status.in_(wanted)] if wanted else []
    if "resolved" in statuses:
        clauses.append((Alert.status == "resolved") & (Alert.resolved_at >= (resolved_since or datetime.min)))
    if clauses:
        stmt = stmt.where(or_(*clauses))
    if severity:
        stmt = stmt.where(Alert.severity == severity)
    if district:
        stmt = stmt.where(Alert.district_code == district)
    if kind:
        stmt = stmt.where(Alert.kind == kind)
    stmt = stmt.order_by(
        case((Alert.status == "open", 0), (Alert.status == "acknowledged", 1), else_=2),
        case((Alert.severity == "danger", 0), else_=1),
        Alert.opened_at.desc(),
        Alert.id.desc(),
    ).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return _frame(rows, OPS_ALERT_COLUMNS)


def alert_by_id(engine: Engine, alert_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(*(getattr(Alert, c) for c in OPS_ALERT_COLUMNS)).where(Alert.id == alert_id))
        found = row.mappings().first()
    return dict(found) if found else None


AUDIT_COLUMNS = ("id", "at", "actor", "action", "alert_id", "incident_id", "complaint_id", "note")


def audit_trail(
    engine: Engine,
    alert_id: int | None = None,
    incident_id: int | None = None,
    complaint_id: int | None = None,
    limit: int = 200,
) -> pd.DataFrame:
    """The log book for one alert, incident or complaint (or the newest entries of all), newest first."""
    stmt = select(*(getattr(AuditEvent, c) for c in AUDIT_COLUMNS))
    if alert_id is not None:
        stmt = stmt.where(AuditEvent.alert_id == alert_id)
    if incident_id is not None:
        stmt = stmt.where(AuditEvent.incident_id == incident_id)
    if complaint_id is not None:
        stmt = stmt.where(AuditEvent.complaint_id == complaint_id)
    stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return _frame(rows, AUDIT_COLUMNS)


INCIDENT_COLUMNS = (
    "id",
    "kind",
    "severity",
    "status",
    "title",
    "district_code",
    "lat",
    "lon",
    "radius_m",
    "opened_at",
    "updated_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "agency",
)


def incidents_for_console(
    engine: Engine, now: datetime, statuses: tuple[str, ...] = ACTIVE_STATUSES, district: str | None = None
) -> pd.DataFrame:
    """Incidents for the console, open ones first, newest first."""
    stmt = (
        select(*(getattr(Incident, c) for c in INCIDENT_COLUMNS))
        .where(Incident.status.in_(statuses), Incident.opened_at <= now)
        .order_by(case((Incident.status == "open", 0), else_=1), Incident.opened_at.desc())
        .limit(100)
    )
    if district:
        stmt = stmt.where(Incident.district_code == district)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return _frame(rows, INCIDENT_COLUMNS)
