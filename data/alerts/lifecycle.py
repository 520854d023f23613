"""An alert's life: opened by a rule, escalated, acknowledged by a person, resolved by the rule or by hand.

Every step writes a line in the audit trail (`ops_audit`). Rules report what they see as
`Condition`s for the keys they checked; `reconcile` turns that into opens, escalations and
resolutions, so a condition that keeps holding never opens a second alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, select, update

from data.alerts.models import Alert, AuditEvent, Incident
from data.models import Complaint, ComplaintStatusChange
from data.store import bump_data_version

SYSTEM_ACTOR = "system"
SEVERITY_RANK = {"warning": 1, "danger": 2}
MAX_ACTOR = 80


@dataclass(frozen=True)
class Condition:
    """What a rule sees now for one key (e.g. 'threshold:water-level-001'): a firing condition."""

    key: str
    rule: str
    kind: str
    severity: str
    title: str
    detail: str | None = None
    district_code: str | None = None
    sensor_id: str | None = None
    complaint_id: int | None = None
    category: str | None = None
    lat: float | None = None
    lon: float | None = None
    value: float | None = None
    threshold: float | None = None


@dataclass
class Reconciled:
    opened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    opened_danger: list[int] = field(default_factory=list)

    @property
    def new_danger(self) -> list[int]:
        """Alerts that became danger in this pass (new or escalated): these notify the field."""
        return self.opened_danger + self.escalated


def audit(
    conn: Connection,
    at: datetime,
    actor: str,
    action: str,
    note: str | None = None,
    alert_id: int | None = None,
    incident_id: int | None = None,
    complaint_id: int | None = None,
) -> None:
    conn.execute(
        AuditEvent.__table__.insert().values(
            at=at,
            actor=actor,
            action=action,
            note=note,
            alert_id=alert_id,
            incident_id=incident_id,
            complaint_id=complaint_id,
        )
    )


def reconcile(conn: Connection, now: datetime, checked: Iterable[str], firing: Sequence[Condition]) -> Reconciled:
    """Open, update, escalate or resolve alerts so that exactly the firing keys among `checked` are live."""
    out = Reconciled()
    checked = set(checked) | {c.key for c in firing}
    if not checked:
        return out
    table = Alert.__table__
    live = {
        row.active_key: row
        for row in conn.execute(
            select(table.c.id, table.c.active_key, table.c.severity, table.c.status).where(
                table.c.active_key.in_(sorted(checked))
            )
        )
    }
    for cond in firing:
        row = live.get(cond.key)
        values = {"last_seen_at": now, "value": cond.value, "threshold": cond.threshold, "detail": cond.detail,
                  "title": cond.title}  # the title follows the current figures  # fmt: skip
        if row is None:
            new_id = conn.execute(
                table.insert().values(
                    **{k: v for k, v in cond.__dict__.items() if k != "key"},
                    active_key=cond.key,
                    status="open",
                    opened_at=now,
                    last_seen_at=now,
                )
            ).inserted_primary_key[0]
            audit(conn, now, SYSTEM_ACTOR, "opened", cond.title, alert_id=new_id)
            out.opened.append(new_id)
            if cond.severity == "danger":
                out.opened_danger.append(new_id)
            continue
        if row.status == "resolved":
            continue  # resolved by hand while still true: stays quiet until the condition clears
        if SEVERITY_RANK[cond.severity] > SEVERITY_RANK[row.severity]:
            # Worse than what was acknowledged: it needs a person's attention again.
            values.update(severity=cond.severity, title=cond.title, status="open")
            audit(conn, now, SYSTEM_ACTOR, "escalated", cond.title, alert_id=row.id)
            out.escalated.append(row.id)
        elif cond.severity != row.severity:
            values.update(severity=cond.severity, title=cond.title)
            audit(conn, now, SYSTEM_ACTOR, "note", f"eased to {cond.severity}: {cond.title}", alert_id=row.id)
        conn.execute(update(table).where(table.c.id == row.id).values(**values))
    firing_keys = {c.key for c in firing}
    for key, row in live.items():
        if key in firing_keys:
            continue
        if row.status == "resolved":
            conn.execute(update(table).where(table.c.id == row.id).values(active_key=None))
            continue
        conn.execute(
            update(table)
            .where(table.c.id == row.id)
            .values(status="resolved", resolved_at=now, resolved_by=SYSTEM_ACTOR, active_key=None)
        )
        audit(conn, now, SYSTEM_ACTOR, "resolved", "condition cleared", alert_id=row.id)
        out.resolved.append(row.id)
    if out.opened or out.escalated or out.resolved:
        bump_data_version(conn, "alerts")
    return out


def _clean_actor(actor: str | None) -> str:
    name = (actor or "").strip()
    if not name:
        raise ValueError("say who you are: the name field is empty")
    if len(name) > MAX_ACTOR:
        raise ValueError(f"a name is at most {MAX_ACTOR} characters")
    return name


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    return note[:2000] or None


def _transition(
    engine: Engine, table: Table, target: str, item_id: int, actor: str | None, note: str | None, now: datetime
) -> None:
    """Acknowledge or resolve an alert or incident by hand, with who, when and why in the audit trail."""
    name = _clean_actor(actor)
    note = _clean_note(note)
    what = "alert" if table is Alert.__table__ else "incident"
    with engine.begin() as conn:
        row = conn.execute(select(table.c.id, table.c.status).where(table.c.id == item_id)).first()
        if row is None:
            raise ValueError(f"{what} {item_id} does not exist")
        if row.status == "resolved":
            raise ValueError(f"{what} {item_id} is already resolved")
        if target == "acknowledged" and row.status == "acknowledged":
            raise ValueError(f"{what} {item_id} is already acknowledged")
        prefix = "acknowledged" if target == "acknowledged" else "resolved"
        conn.execute(
            update(table)
            .where(table.c.id == item_id)
            .values(status=target, **{f"{prefix}_at": now, f"{prefix}_by": name})
        )
        key = {"alert_id": item_id} if what == "alert" else {"incident_id": item_id}
        audit(conn, now, name, prefix, note, **key)
        bump_data_version(conn, "alerts")


def acknowledge_alert(engine: Engine, alert_id: int, actor: str | None, note: str | None, now: datetime) -> None:
    """Someone in the room has seen it and owns it; the wall stops taking over for it."""
    _transition(engine, Alert.__table__, "acknowledged", alert_id, actor, note, now)


def resolve_alert(engine: Engine, alert_id: int, actor: str | None, note: str | None, now: datetime) -> None:
    """Closed by hand; if the condition still holds it stays quiet until it clears and comes back."""
    _transition(engine, Alert.__table__, "resolved", alert_id, actor, note, now)


def acknowledge_incident(engine: Engine, incident_id: int, actor: str | None, note: str | None, now: datetime) -> None:
    _transition(engine, Incident.__table__, "acknowledged", incident_id, actor, note, now)


def resolve_incident(engine: Engine, incident_id: int, actor: str | None, note: str | None, now: datetime) -> None:
    _transition(engine, Incident.__table__, "resolved", incident_id, actor, note, now)


def assign_incident(
    engine: Engine, incident_id: int, agency: str, actor: str | None, note: str | None, now: datetime
) -> None:
    """Hand an incident to an agency (BPBD, Dinas PUPR, ...); recorded with who and when."""
    name, agency = _clean_actor(actor), _clean_agency(agency)
    with engine.begin() as conn:
        table = Incident.__table__
        if conn.execute(select(table.c.id).where(table.c.id == incident_id)).first() is None:
            raise ValueError(f"incident {incident_id} does not exist")
        conn.execute(update(table).where(table.c.id == incident_id).values(agency=agency, updated_at=now))
        audit(conn, now, name, "assigned", _join(f"→ {agency}", note), incident_id=incident_id)
        bump_data_version(conn, "alerts")


def assign_complaint(
    engine: Engine, complaint_id: int, agency: str, actor: str | None, note: str | None, now: datetime
) -> None:
    """Forward a complaint to an agency: the complaint's agency changes and its status history says by whom."""
    name, agency = _clean_actor(actor), _clean_agency(agency)
    with engine.begin() as conn:
        table = Complaint.__table__
        row = conn.execute(select(table.c.id, table.c.status).where(table.c.id == complaint_id)).first()
        if row is None:
            raise ValueError(f"complaint {complaint_id} does not exist")
        text = _join(f"→ {agency}", note)
        conn.execute(update(table).where(table.c.id == complaint_id).values(agency=agency, updated_at=now))
        conn.execute(
            ComplaintStatusChange.__table__.insert().values(
                complaint_id=complaint_id, status=row.status, changed_at=now, note=text, actor=name
            )
        )
        audit(conn, now, name, "assigned", text, complaint_id=complaint_id)
        bump_data_version(conn, "complaints")


def add_note(
    engine: Engine,
    actor: str | None,
    note: str | None,
    now: datetime,
    alert_id: int | None = None,
    incident_id: int | None = None,
) -> None:
    """A remark in the log book without changing state (e.g. 'team dispatched')."""
    name, text = _clean_actor(actor), _clean_note(note)
    if not text:
        raise ValueError("the note is empty")
    with engine.begin() as conn:
        audit(conn, now, name, "note", text, alert_id=alert_id, incident_id=incident_id)


def _clean_agency(agency: str | None) -> str:
    agency = (agency or "").strip()
    if not agency:
        raise ValueError("choose an agency")
    return agency[:120]


def _join(head: str, note: str | None) -> str:
    note = _clean_note(note)
    return f"{head}: {note}" if note else head
