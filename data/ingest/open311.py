"""The Open311 GeoReport v2 read side: what the room holds, in the spec's field names, for other systems.

Statuses are the spec's two (open, closed); times are ISO 8601 in WIB (+07:00); reporters' personal data
never leaves. The list is newest first, at most 1,000 requests, over 90 days unless a window is given.

An id is unique within its source, and two systems may use the same one: the first stored keeps the plain
id and any later one is published as `source:id`, so one id is never listed twice and never changes.
`expected_datetime` is only what the source said; the room's own SLA due time is an extension attribute
(`extensions=true`, as Chicago's server does), never passed off as the source's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, exists, or_, select
from sqlalchemy.orm import aliased

from data.city import catalogue, current
from data.ingest.service_definitions import definitions
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


def jurisdiction_id() -> str:
    """The city's Kemendagri code (Kota Tangerang: 36.71), from its pack."""
    return current().code


def serves_jurisdiction(given: object) -> bool:
    """An absent jurisdiction_id, or this city's code (with or without its dot: 36.71, 3671)."""
    ours = jurisdiction_id()
    return given in (None, "") or str(given).strip() in (ours, ours.replace(".", ""))


def jurisdiction_name() -> str:
    return current().name


def services(engine: Engine) -> list[dict]:
    """The room's own categories, then every service other systems sent (theirs win on the same code); a
    service with a definition (extra questions) has metadata true."""
    defined = definitions()
    out = {
        c.code: {"service_code": c.code, "service_name": c.label_id, "description": c.label_en,
                 "metadata": c.code in defined, "type": "realtime", "keywords": c.code.replace("_", " "),
                 "group": c.agency}
        for c in catalogue().categories
    }  # fmt: skip
    with engine.connect() as conn:
        for row in conn.execute(select(ComplaintService).order_by(ComplaintService.service_code)).mappings():
            out[row["service_code"]] = {
                "service_code": row["service_code"],
                "service_name": row["service_name"],
                "description": row["description"],
                "metadata": row["service_code"] in defined,
                "type": row["type"],
                "keywords": row["keywords"],
                "group": row["service_group"],
            }
    return list(out.values())


def service_definition(engine: Engine, code: str) -> dict | None:
    """The spec's service definition (its attributes; none for a service without questions), or None."""
    if code not in {s["service_code"] for s in services(engine)}:
        return None
    return {"service_code": code, "attributes": [a.as_dict() for a in definitions().get(code, ())]}


def _iso(moment: object) -> str | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    return to_wib(moment).isoformat(timespec="seconds")


def _earlier_twin():  # noqa: ANN202 - an SQL expression
    """True for a row whose id another source stored first (it is published as `source:id`)."""
    other = aliased(Complaint)
    return exists().where(other.source_id == Complaint.source_id, other.id < Complaint.id)


def _id_match(ids: tuple[str, ...]):  # noqa: ANN202 - an SQL expression
    """Rows a list of published ids names: `X` is the first row with source_id X; `S:X` the row of source S."""
    c = Complaint
    plain = and_(c.source_id.in_(ids), ~_earlier_twin())
    pairs = [tuple(i.split(":", 1)) for i in ids if ":" in i]
    qualified = [and_(c.source == s, c.source_id == x) for s, x in pairs]
    return or_(plain, *qualified)


def requests(engine: Engine, flt: RequestFilter, now: datetime | None = None, extensions: bool = False) -> list[dict]:
    """Service requests matching the filter, newest first, capped at 1,000 (the spec's default ceiling)."""
    c = Complaint
    query = select(
        c.source, c.source_id, c.status, c.status_notes, c.category, c.service_code, c.description, c.agency,
        c.requested_at, c.updated_at, c.expected_at, c.due_at, c.address, c.lat, c.lon, c.media_url, c.channel,
        c.district_code, c.attributes, _earlier_twin().label("twin"),
    ).order_by(c.requested_at.desc(), c.id.desc()).limit(MAX_REQUESTS)  # fmt: skip
    if flt.ids:
        query = query.where(_id_match(flt.ids))
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
    return [_request(r, names, extensions) for r in rows]


def _request(r, names: dict[str, str], extensions: bool) -> dict:  # noqa: ANN001 - a result row
    item = {
        "service_request_id": f"{r.source}:{r.source_id}" if r.twin else r.source_id,
        "status": "closed" if r.status == "closed" else "open",
        "status_notes": r.status_notes,
        "service_name": names.get(r.service_code or "") or names.get(r.category) or r.category,
        "service_code": r.service_code or r.category,
        "description": r.description,
        "agency_responsible": r.agency,
        "service_notice": None,
        "requested_datetime": _iso(r.requested_at),
        "updated_datetime": _iso(r.updated_at),
        "expected_datetime": _iso(r.expected_at),
        "address": r.address,
        "address_id": None,
        "zipcode": None,
        "lat": r.lat,
        "long": r.lon,
        "media_url": r.media_url,
    }
    if extensions:
        item["extended_attributes"] = {
            "sla_due_datetime": _iso(r.due_at),
            "channel": r.channel,
            "source": r.source,
            "district_code": r.district_code,
            "status_detail": r.status,
            "attributes": json.loads(r.attributes) if r.attributes else {},
        }
    return item
