"""The Open311 GeoReport v2 read side: what the room holds, in the spec's field names, for other systems.

Statuses are the spec's two (open, closed); times are ISO 8601 in WIB (+07:00); reporters' personal data
never leaves. The list is newest first, at most 1,000 requests, over 90 days unless a window is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select

from data.demo.catalog import CATEGORIES
from data.models import Complaint, ComplaintService
from data.store import utcnow
from data.timebuckets import to_wib

MAX_REQUESTS = 1_000
DEFAULT_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class RequestFilter:
    start: datetime | None = None  # naive UTC
    end: datetime | None = None
    statuses: tuple[str, ...] = ()  # "open" and/or "closed"
    service_codes: tuple[str, ...] = ()
    ids: tuple[str, ...] = field(default_factory=tuple)


def services(engine: Engine) -> list[dict]:
    """The room's own categories, then every service other systems sent (theirs win on the same code)."""
    out = {
        c.code: {"service_code": c.code, "service_name": c.label_id, "description": c.label_en,
                 "metadata": False, "type": "realtime", "keywords": c.code.replace("_", " "), "group": c.agency}
        for c in CATEGORIES
    }  # fmt: skip
    with engine.connect() as conn:
        for row in conn.execute(select(ComplaintService).order_by(ComplaintService.service_code)).mappings():
            out[row["service_code"]] = {
                "service_code": row["service_code"],
                "service_name": row["service_name"],
                "description": row["description"],
                "metadata": False,
                "type": row["type"],
                "keywords": row["keywords"],
                "group": row["service_group"],
            }
    return list(out.values())


def _iso(moment: object) -> str | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    return to_wib(moment).isoformat(timespec="seconds")


def requests(engine: Engine, flt: RequestFilter, now: datetime | None = None) -> list[dict]:
    """Service requests matching the filter, newest first, capped at 1,000 (the spec's default ceiling)."""
    c = Complaint
    query = select(
        c.source_id, c.status, c.status_notes, c.category, c.service_code, c.description, c.agency,
        c.requested_at, c.updated_at, c.expected_at, c.due_at, c.address, c.lat, c.lon, c.media_url,
    ).order_by(c.requested_at.desc(), c.id.desc()).limit(MAX_REQUESTS)  # fmt: skip
    if flt.ids:
        query = query.where(c.source_id.in_(flt.ids))
    else:
        end = flt.end or ((flt.start + DEFAULT_WINDOW) if flt.start else (now or utcnow()))
        start = flt.start or end - DEFAULT_WINDOW
        query = query.where(c.requested_at >= start, c.requested_at <= end)
        if flt.statuses and set(flt.statuses) != {"open", "closed"}:
            query = query.where(c.status == "closed" if "closed" in flt.statuses else c.status != "closed")
        if flt.service_codes:
            query = query.where(or_(c.service_code.in_(flt.service_codes), c.category.in_(flt.service_codes)))
    names = {s["service_code"]: s["service_name"] for s in services(engine)}
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "service_request_id": r.source_id,
            "status": "closed" if r.status == "closed" else "open",
            "status_notes": r.status_notes,
            "service_name": names.get(r.service_code or "") or names.get(r.category) or r.category,
            "service_code": r.service_code or r.category,
            "description": r.description,
            "agency_responsible": r.agency,
            "service_notice": None,
            "requested_datetime": _iso(r.requested_at),
            "updated_datetime": _iso(r.updated_at),
            "expected_datetime": _iso(r.expected_at or r.due_at),
            "address": r.address,
            "address_id": None,
            "zipcode": None,
            "lat": r.lat,
            "long": r.lon,
            "media_url": r.media_url,
        }
        for r in rows
    ]
