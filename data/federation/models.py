"""What a federation room keeps of its members: the state of each pull, the newest summary, one per local day.

A member's summary is replaced on every good pull (with the time it was received); the last summary of each of
the member's own local days is kept for comparisons over time. Bounded: members x days, never members x pulls.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base


class FederationMember(Base):
    """A member room as last heard from: when it answered, what went wrong, when to ask again."""

    __tablename__ = "federation_members"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(300))
    zone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    generated_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[str | None] = mapped_column(Text)  # the newest verified summary, JSON


class FederationDay(Base):
    """A member's last summary of one of its own local days (WIB, WITA or WIT)."""

    __tablename__ = "federation_days"

    member_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    local_date: Mapped[str] = mapped_column(String(10), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    score: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
