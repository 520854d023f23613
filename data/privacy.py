"""Complainants' personal data under UU 27/2022 (Pelindungan Data Pribadi): find, export, erase, and keep no
longer than the retention period.

The personal fields are the complainant's name and phone (`reporter_name`, `reporter_phone`); a rejected
record in `ingest_errors` may hold them too. Erasing blanks those fields and keeps the complaint itself (its
category, place, times and status are the city's record of service, not personal data); with `free_text`
the description, address, photo link and service answers go as well, since people write names there.
Every erasure is written to the security log without the data it erased.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, select, update

from data.auth.events import record_event
from data.models import Complaint, IngestError
from data.store import bump_data_version, utcnow

PERSONAL_FIELDS = ("reporter_name", "reporter_phone")
FREE_TEXT_FIELDS = ("description", "address", "media_url", "attributes")
EXPORTED = ("source", "source_id", "category", "status", "requested_at", "closed_at", "address", "description",
            "reporter_name", "reporter_phone")  # fmt: skip


@dataclass(frozen=True)
class Complainant:
    """Who asks: a phone number (compared by its digits), a name (exact, case-insensitive) or one complaint."""

    phone: str | None = None
    name: str | None = None
    complaint: str | None = None  # "SOURCE:ID"

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.phone, self.name, self.complaint)) != 1:
            raise ValueError("name exactly one of: a phone number, a name, or a complaint SOURCE:ID")
        if self.phone is not None and len(digits(self.phone)) < 6:
            raise ValueError("a phone number needs at least 6 digits")
        if self.complaint is not None and ":" not in self.complaint:
            raise ValueError("a complaint is SOURCE:ID, e.g. lapor:LPR-2026-0001")

    def fingerprint(self) -> str:
        """What the security log keeps of the request: a hash, never the phone or name itself."""
        text = self.phone and digits(self.phone) or self.name or self.complaint or ""
        return hashlib.sha256(text.lower().encode()).hexdigest()[:12]


def digits(phone: str) -> str:
    """'+62 812-3456-789' and '0812 3456 789' are one number: digits, with Indonesia's 62 read as a 0."""
    only = re.sub(r"\D", "", phone)
    return "0" + only[2:] if only.startswith("62") else only


def _matching(engine: Engine, who: Complainant) -> list[int]:
    """Ids of the complaints this complainant made (phones compared by digits, in Python: stores differ)."""
    q = select(Complaint.id, Complaint.reporter_phone)
    if who.complaint is not None:
        source, source_id = who.complaint.split(":", 1)
        q = q.where(Complaint.source == source, Complaint.source_id == source_id)
    elif who.name is not None:
        q = q.where(Complaint.reporter_name.ilike(who.name.strip()))
    else:  # stored phones keep their senders' spaces and dashes: narrow by the last digit, compare digits here
        q = q.where(Complaint.reporter_phone.like(f"%{digits(who.phone or '')[-1]}"))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    if who.phone is not None:
        wanted = digits(who.phone)
        return [r.id for r in rows if r.reporter_phone and digits(r.reporter_phone) == wanted]
    return [r.id for r in rows]


def export_complainant(engine: Engine, who: Complainant) -> list[dict]:
    """Every complaint of this complainant with the personal fields held (a subject's access request)."""
    ids = _matching(engine, who)
    if not ids:
        return []
    columns = [getattr(Complaint, name) for name in EXPORTED]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).where(Complaint.id.in_(ids)).order_by(Complaint.requested_at)).all()
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row._mapping.items()} for row in rows]


def _blank(free_text: bool) -> dict[str, None]:
    return dict.fromkeys(PERSONAL_FIELDS + (FREE_TEXT_FIELDS if free_text else ()))


def erase_complainant(engine: Engine, who: Complainant, actor: str, *, free_text: bool = False) -> int:
    """Blank the personal fields of this complainant's complaints (and rejected records naming them); returns
    how many complaints were changed. Logged as `personal_erase` with a fingerprint, not the data."""
    ids = _matching(engine, who)
    with engine.begin() as conn:
        if ids:
            conn.execute(update(Complaint).where(Complaint.id.in_(ids)).values(**_blank(free_text)))
            bump_data_version(conn, "complaints")
        needles = [n for n in (who.phone and digits(who.phone), who.name) if n]
        if needles:
            conn.execute(delete(IngestError).where(or_(*(IngestError.record.contains(n) for n in needles))))
        record_event(conn, "personal_erase", actor=actor, subject=f"complaints:{len(ids)}",
                     detail=f"request {who.fingerprint()} free_text={free_text}")  # fmt: skip
    return len(ids)


def purge_expired(engine: Engine, retention_days: int, actor: str = "retention", now: datetime | None = None) -> int:
    """Blank the personal fields of complaints closed more than `retention_days` ago, and drop rejected
    records older than that; returns how many complaints were changed. 0 days keeps everything."""
    if retention_days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    has_personal = or_(*(getattr(Complaint, f).is_not(None) for f in PERSONAL_FIELDS))
    with engine.begin() as conn:
        changed = conn.execute(
            update(Complaint)
            .where(Complaint.closed_at.is_not(None), Complaint.closed_at < cutoff, has_personal)
            .values(**_blank(False))
        ).rowcount
        conn.execute(delete(IngestError).where(IngestError.received_at < cutoff))
        if changed:
            bump_data_version(conn, "complaints")
        record_event(conn, "personal_purge", actor=actor, subject=f"complaints:{changed}",
                     detail=f"closed before {cutoff:%Y-%m-%d} (retention {retention_days} days)")  # fmt: skip
    return int(changed or 0)
