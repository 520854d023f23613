"""Tables for alerts, incidents, their audit trail and the webhook outbox.

An alert is one episode of one condition (a sensor above danger, a complaint spike, an SLA breach).
`active_key` is set while the episode is live and cleared when it resolves; a unique index on it
means a condition can never hold two live alerts, which is what stops a rule from firing repeatedly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base

ALERT_SEVERITIES = ("warning", "danger")
ALERT_STATUSES = ("open", "acknowledged", "resolved")
AUDIT_ACTIONS = ("opened", "escalated", "acknowledged", "resolved", "reopened", "assigned", "note", "joined")


class Alert(Base):
    """One episode of a rule's condition, from opening to resolution."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_status_opened", "status", "opened_at"),
        Index("ix_alerts_district_status", "district_code", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64), doc="rule name from the rules file")
    kind: Mapped[str] = mapped_column(String(16), doc="threshold, rate, offline, spike, sla")
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    sensor_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    complaint_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, doc="last time the condition held")
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(80), nullable=True, doc="'system' when it cleared")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), nullable=True, index=True)


class Incident(Base):
    """Related alerts and complaints that are one event on the ground, e.g. a flood."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), doc="flood")
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(String(300))
    district_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    agency: Mapped[str | None] = mapped_column(String(120), nullable=True)


class IncidentMember(Base):
    """One thing an incident joins: an alert, a complaint (with its duplicate group), a sensor or a camera."""

    __tablename__ = "incident_members"
    __table_args__ = (Index("ix_incident_members_ref", "member_type", "member_ref"),)

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    member_type: Mapped[str] = mapped_column(String(16), primary_key=True, doc="alert, complaint, sensor, camera")
    member_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="river, rain, report, camera")
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    duplicate_group: Mapped[int | None] = mapped_column(Integer, nullable=True, doc="complaints about one spot")
    added_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEvent(Base):
    """Who did what to which alert, incident or complaint, when, and why: the room's log book."""

    __tablename__ = "ops_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(16))
    alert_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    complaint_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class WebhookDelivery(Base):
    """An outbound notification waiting to be sent, sent, or given up on (an outbox that survives restarts)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="pending", doc="pending, sent, failed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
