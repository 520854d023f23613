"""Service requests other systems send in (Open311 `POST requests.json` and `POST /api/v1/complaints`):
each checked as GeoReport v2 asks, then stored under the source of the token that sent it.

A record without `service_request_id` and `requested_datetime` is a new report: it needs a service code the
room knows, a place (lat and long, address_string or address_id) and the attributes its service definition
requires, and gets an id (or keeps the client's own `service_request_id`). One with both is a request another
system holds, forwarded: upserted by (source, id). A retry never stores twice: a forwarded id is an upsert,
and a new report sent again with its own id or the same idempotency key answers the id it was first given.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from data.city import catalogue
from data.ingest import open311
from data.ingest.complaints import OPEN311_MAPPING, complaint_from_open311, ingest_complaint_batch
from data.ingest.report import IngestReport
from data.ingest.service_definitions import MAX_ANSWER, check_attributes, definitions
from data.ingest.values import BadValueError
from data.models import Complaint
from data.store import utcnow
from data.timebuckets import to_wib

TEXT_FIELDS = (
    "service_code", "service_name", "address_string", "address", "address_id", "description", "status",
    "status_notes", "agency_responsible", "media_url", "first_name", "last_name", "phone", "email",
    "device_id", "account_id", "channel", "service_request_id", "requested_datetime", "updated_datetime",
    "expected_datetime", "closed_datetime", "zipcode", "source", "jurisdiction_id",
)  # fmt: skip
CODE_FIELDS = frozenset({"service_code", "service_request_id", "address_id", "account_id", "zipcode", "device_id"})
MAX_DESCRIPTION = 4_000  # the spec's limit for description
MAX_ANSWERS = 50  # attribute answers kept from a forwarded request whose service has no definition here


class RequestRefusedError(BadValueError):
    """A request the spec would refuse; `status` is the spec's HTTP status for it (400 or 404)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Submitted:
    """What became of one request: its id and notice, or why it was refused."""

    location: str
    service_request_id: str | None = None
    service_notice: str | None = None
    account_id: str | None = None
    error: str | None = None
    status: int = 201


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "true/false"}.get(type(value), type(value).__name__)


def plain_fields(item: dict) -> tuple[dict, dict[str, object]]:
    """The request's fields as text and its attribute answers; a field of the wrong type is refused by name
    (a list or an object is never stored as Python's text of it)."""
    fields: dict[str, object] = {}
    for name in TEXT_FIELDS:
        value = item.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and name in CODE_FIELDS:
            value = str(int(value)) if float(value).is_integer() else str(value)
        if not isinstance(value, str):
            raise RequestRefusedError(f"{name} must be text, got {_type_name(value)}")
        fields[name] = value.strip()
    media = fields.get("media_url", "")
    if media and not media.lower().startswith(("http://", "https://")):
        raise RequestRefusedError("media_url must be an http:// or https:// address")
    if len(fields.get("description", "")) > MAX_DESCRIPTION:
        raise RequestRefusedError(f"description is longer than the spec's {MAX_DESCRIPTION:,} characters")
    for name in ("lat", "long"):
        value = item.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise RequestRefusedError(f"{name} must be a number, got {_type_name(value)}")
        try:
            fields[name] = float(value)
        except ValueError:
            raise RequestRefusedError(f"{name} must be a number, got {value!r}") from None
    if "extended_attributes" in item:
        fields["extended_attributes"] = item["extended_attributes"]
    return fields, _attribute_answers(item)


def _attribute_answers(item: dict) -> dict[str, object]:
    """attribute[CODE]=v and attribute[CODE][]=v (form), or {"attribute": {CODE: v}} / "attributes" (JSON)."""
    answers: dict[str, object] = {}
    for key, value in item.items():
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute[") :].split("]", 1)[0]
            many = key.endswith("[]")
            answers[code] = value if not many or isinstance(value, list) else [value]
    for key in ("attribute", "attributes"):
        nested = item.get(key)
        if isinstance(nested, dict):
            answers.update({str(k): v for k, v in nested.items()})
        elif nested is not None:
            raise RequestRefusedError(f"{key} must be an object of code: value")
    return answers


def _place(fields: dict) -> None:
    """A new request must say where: lat and long together, address_string or address_id; 0,0 is no place."""
    has_point = "lat" in fields or "long" in fields
    if has_point and not ("lat" in fields and "long" in fields):
        raise RequestRefusedError("lat and long must be sent together")
    if has_point and fields["lat"] == 0 and fields["long"] == 0:
        if not (fields.get("address_string") or fields.get("address_id")):
            raise RequestRefusedError("lat/long 0,0 is not a place: send the real location or an address_string")
        del fields["lat"], fields["long"]  # a client's placeholder, not a point in the sea off Africa
        has_point = False
    if not (has_point or fields.get("address_string") or fields.get("address_id")):
        raise RequestRefusedError("a location is required: lat and long, address_string or address_id")


def known_service_codes(engine: Engine) -> set[str]:
    return {s["service_code"] for s in open311.services(engine)}


def idempotent_id(source: str, key: str) -> str:
    """The id a new report sent with this idempotency key gets, the same on every retry."""
    return "API-K" + hashlib.sha256(f"{source}\0{key}".encode()).hexdigest()[:16].upper()


def _new_request(fields: dict, answers: dict, codes: set[str], now: datetime) -> dict:
    code = fields.get("service_code")
    if not code:
        raise RequestRefusedError("service_code is required (see services.json)")
    if code not in codes:
        raise RequestRefusedError(f"service_code {code!r} is not a service of this city (see services.json)", 404)
    _place(fields)
    if "address_string" not in fields and fields.get("address_id"):
        fields["address_string"] = f"address_id {fields['address_id']}"
    attributes = check_attributes(code, answers)
    category = catalogue().category(code)
    if category is not None and not fields.get("agency_responsible"):
        fields["agency_responsible"] = category.agency  # the room routes its new reports as its catalogue says
    fields.setdefault("requested_datetime", now.isoformat() + "+00:00")
    fields["status"] = "open"
    fields.pop("expected_datetime", None)  # a new report's expected time is the room's to say, not the sender's
    return attributes


def _existing(engine: Engine, source: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    with engine.connect() as conn:
        rows = conn.execute(select(Complaint.source_id).where(Complaint.source == source, Complaint.source_id.in_(ids)))
        return {r[0] for r in rows}


def _notice(engine: Engine, source: str, request_id: str) -> str | None:
    """The room's SLA due time for a stored request, as the spec's service_notice (free text)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Complaint.due_at, Complaint.agency).where(
                Complaint.source == source, Complaint.source_id == request_id
            )
        ).first()
    if row is None or row.due_at is None:
        return None
    return f"Diterima; target penanganan {to_wib(row.due_at):%Y-%m-%d %H:%M %Z} / Received; due by this time"


def submit_requests(
    engine: Engine,
    items: Iterable[tuple[str, object]],
    source: str,
    report: IngestReport,
    idempotency_key: str | None = None,
    actor: str = "api",
) -> list[Submitted]:
    """Check and store (location, request) pairs sent by `source`; one Submitted per pair, in order."""
    now = utcnow().replace(microsecond=0)
    codes = known_service_codes(engine)
    out: list[Submitted] = []
    pending: list[tuple[Submitted, dict, bool]] = []
    for n, (location, item) in enumerate(items):
        result = Submitted(location)
        out.append(result)
        try:
            if not isinstance(item, dict):
                raise RequestRefusedError("expected an object of Open311 fields")
            fields, answers = plain_fields(item)
            if not open311.serves_jurisdiction(fields.get("jurisdiction_id")):
                ours = open311.jurisdiction_id()
                raise RequestRefusedError(f"jurisdiction_id {fields['jurisdiction_id'][:40]!r} is not {ours}", 404)
            if fields.get("source") and fields["source"] != source:
                raise RequestRefusedError(f"this token writes source {source!r} only, not {fields['source']!r}", 403)
            result.account_id = fields.get("account_id")
            own_id = fields.get("service_request_id")
            if own_id and ":" in own_id:
                raise RequestRefusedError("service_request_id must not contain ':' (source:id names another source's)")
            new = not own_id or not fields.get("requested_datetime")  # an id alone: the client's id for a new one
            attributes = _new_request(fields, answers, codes, now) if new else check_attributes_if_any(fields, answers)
            if not own_id:
                key = f"{idempotency_key}#{n}" if idempotency_key else None
                fields["service_request_id"] = idempotent_id(source, key) if key else _fresh_id(now)
            raw = complaint_from_open311(fields, source)
            if attributes:
                raw["attributes"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
        except BadValueError as exc:
            result.error, result.status = str(exc), getattr(exc, "status", 400)
            report.read += 1
            report.reject(location, str(exc), item if isinstance(item, dict) else repr(item)[:200])
            continue
        result.service_request_id = fields["service_request_id"]
        pending.append((result, raw, new))
    replays = _existing(engine, source, [r.service_request_id for r, _, new in pending if new])
    to_store = []
    for result, raw, new in pending:
        if new and result.service_request_id in replays:
            report.read += 1
            report.unchanged += 1  # a retry of a report already stored: the same id, nothing stored again
            continue
        to_store.append((result.location, raw))
    if to_store:
        ingest_complaint_batch(engine, to_store, OPEN311_MAPPING, report, actor=actor)
    refused = {r.location: r.reason for r in report.examples}
    for result in out:
        if result.error is None and result.location in refused:
            result.error, result.status, result.service_request_id = refused[result.location], 400, None
        elif result.error is None:
            result.service_notice = _notice(engine, source, result.service_request_id)
    unknown = [r for r, raw, new in pending if not new and raw.get("service_code") not in codes]
    if unknown:
        report.notes["forwarded requests with a service_code not in services.json (kept)"] += len(unknown)
    return out


def check_attributes_if_any(fields: dict, answers: dict) -> dict:
    """A forwarded request's attributes are checked only when its service has a definition here."""
    code = fields.get("service_code")
    if answers and code in definitions():
        return check_attributes(code, answers)
    kept = {str(k)[:64]: str(v)[:MAX_ANSWER] for k, v in answers.items() if isinstance(v, str | int | float)}
    return dict(list(kept.items())[:MAX_ANSWERS])


def _fresh_id(now: datetime) -> str:
    return f"API-{now:%Y%m%d}-{secrets.token_hex(4).upper()}"
