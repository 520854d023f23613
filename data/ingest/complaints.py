"""Complaints from Open311 GeoReport v2 (`requests.json`, POSTed requests) and from other systems' CSV
through a column mapping: each record checked, located in the city, and upserted by (source, source id).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from data import geography
from data.city import catalogue
from data.city import zone as city_zone
from data.ingest.mappings import Mapping, parse_mapping
from data.ingest.readers import Broken, Progress, csv_records, json_records
from data.ingest.report import IngestReport
from data.ingest.services import is_services_list, store_open311_services
from data.ingest.sink import store_complaints
from data.ingest.values import (
    COMPLAINT_FUTURE_SLACK,
    BadValueError,
    check_time_window,
    is_missing,
    parse_coordinates,
    parse_time,
)
from data.models import Complaint
from data.store import utcnow

BATCH = 1_000
OPEN311_STATUSES = {"open": "open", "closed": "closed"}
# Open311 field -> ours; the rest of a request (zipcode, address_id, service_notice) has no column here.
OPEN311_FIELDS = {
    "service_request_id": "source_id",
    "status": "status",
    "status_notes": "status_notes",
    "service_code": "service_code",
    "description": "description",
    "agency_responsible": "agency",
    "requested_datetime": "requested_at",
    "updated_datetime": "updated_at",
    "expected_datetime": "expected_at",
    "address": "address",
    "lat": "lat",
    "long": "lon",
    "media_url": "media_url",
}
# Channel words Open311 servers use (a request's `channel`, or Chicago's `extended_attributes.channel`).
OPEN311_CHANNELS = {
    "phone": "phone", "phone call": "phone", "call": "phone", "call center": "phone", "112": "call_112",
    "mobile": "app", "mobile app": "app", "ios": "app", "android": "app", "app": "app", "spot": "app",
    "web": "web", "internet": "web", "online": "web", "email": "web", "e-mail": "web",
    "walk in": "walk_in", "walk-in": "walk_in", "counter": "walk_in", "twitter": "social_media",
    "facebook": "social_media", "social media": "social_media", "whatsapp": "whatsapp",
}  # fmt: skip
OPEN311_MAPPING = parse_mapping(
    {
        "columns": {"source_id": "service_request_id", "requested_at": "requested_datetime"},
        "default_status": "open",
        "channels": OPEN311_CHANNELS,
    },
    "open311",
)
TEXT_LIMITS = {c.name: c.type.length for c in Complaint.__table__.columns if getattr(c.type, "length", None)}


@dataclass
class Checked:
    record: dict
    zoneless: int = 0
    truncated: int = 0


def complaint_from_open311(item: dict, source: str) -> dict:
    """An Open311 service request (as in requests.json or a POST) in our field names, values as sent."""
    raw = {ours: item.get(theirs) for theirs, ours in OPEN311_FIELDS.items()}
    raw["category"] = item.get("service_name") or item.get("service_code")
    raw["source"] = source
    raw["address"] = raw.get("address") or item.get("address_string")
    extended = item.get("extended_attributes") if isinstance(item.get("extended_attributes"), dict) else {}
    channel = item.get("channel") if item.get("channel") is not None else extended.get("channel")
    if channel is not None:
        raw["channel"] = channel
    if item.get("closed_datetime") is not None:
        raw["closed_at"] = item["closed_datetime"]
    attributes = item.get("attributes")
    if isinstance(attributes, dict) and attributes:  # Chicago's answers to the service's questions
        raw["attributes"] = json.dumps(attributes, ensure_ascii=False, sort_keys=True, default=str)
    elif isinstance(attributes, str) and attributes:
        raw["attributes"] = attributes
    names = [item.get("first_name"), item.get("last_name")]
    if any(names):
        raw["reporter_name"] = " ".join(str(n) for n in names if n)
    if item.get("phone"):
        raw["reporter_phone"] = item["phone"]
    return raw


def complaint_from_row(record: dict, columns: dict[str, str], source: str, mapping: Mapping | None = None) -> dict:
    raw = {ours: record.get(theirs) for ours, theirs in columns.items()}
    for name in mapping.compose if mapping else ():
        if is_missing(raw.get(name)) or not str(raw.get(name)).strip():
            raw[name] = mapping.composed(name, record)  # e.g. an intersection's address from its two streets
    raw["source"] = source
    return raw


def _text(value: object) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check_complaint(raw: dict, mapping: Mapping, now: datetime | None = None) -> Checked:
    """Validate one complaint in our field names; raises BadValueError with the field and the reason."""
    now = now or utcnow()
    checked = Checked({"source": raw["source"]})
    rec = checked.record
    source_id = _text(raw.get("source_id"))
    if not source_id:
        raise BadValueError("source id (service_request_id) is missing")
    if len(source_id) > TEXT_LIMITS["source_id"]:
        raise BadValueError(f"source id is longer than {TEXT_LIMITS['source_id']} characters")
    rec["source_id"] = source_id
    for name in ("requested_at", "updated_at", "closed_at", "expected_at"):
        if is_missing(raw.get(name)):
            if name == "requested_at":
                raise BadValueError("requested time is missing")
            continue
        try:
            moment, zoneless = parse_time(raw[name], default_tz=mapping.timezone, formats=mapping.date_formats)
            if name != "expected_at":
                check_time_window(moment, now, COMPLAINT_FUTURE_SLACK)
        except BadValueError as exc:
            raise BadValueError(f"{name}: {exc}") from None
        rec[name] = moment
        checked.zoneless += zoneless
    status_text = _text(raw.get("status"))
    status = mapping.status(status_text)
    if status is None:
        known = ", ".join(sorted(mapping.statuses) or ("open", "closed"))
        raise BadValueError(f"status {status_text!r} is not known (known: {known}); add it to the mapping")
    rec["status"] = status
    category = _text(raw.get("category")) or _text(raw.get("service_code"))
    if not category:
        raise BadValueError("category (service_name or service_code) is missing")
    rec["category"] = mapping.category(category)
    code = _text(raw.get("service_code"))
    if code and catalogue().category(code) is not None:
        rec["category"] = code  # our own category codes stay codes, so the room's labels apply
    try:
        rec["lat"], rec["lon"] = parse_coordinates(raw.get("lat"), raw.get("lon"))
    except BadValueError as exc:
        raise BadValueError(f"location: {exc}") from None
    rec["channel"] = mapping.channel(_text(raw.get("channel")))
    for name in ("status_notes", "description", "agency", "address", "media_url", "reporter_name",
                 "reporter_phone", "service_code"):  # fmt: skip
        value = _text(raw.get(name))
        limit = TEXT_LIMITS.get(name)
        if value and limit and len(value) > limit:
            value = value[:limit]
            checked.truncated += 1
        rec[name] = value or None
    if raw.get("attributes"):
        rec["attributes"] = raw["attributes"]
    if len(rec["category"]) > TEXT_LIMITS["category"]:
        rec["category"] = rec["category"][: TEXT_LIMITS["category"]]
        checked.truncated += 1
    if rec.get("updated_at") is None:
        rec["updated_at"] = max(t for t in (rec["requested_at"], rec.get("closed_at")) if t is not None)
    if status != "closed":
        rec["closed_at"] = None
    return checked


def zone_label(zone: object) -> str:
    """How zone-less times were read: the mapping's own zone, else the city's ('WIB (UTC+7)')."""
    return city_zone().described if zone is None else str(zone)


def locate(records: list[dict]) -> int:
    """Set district, subdistrict and the outside-city flag for records with a point; returns how many are
    outside the city (kept and flagged, never dropped)."""
    located = [r for r in records if r.get("lat") is not None]
    if not located:
        return 0
    districts, subs = geography.locator().locate([r["lat"] for r in located], [r["lon"] for r in located])
    for rec, district, sub in zip(located, districts, subs, strict=True):
        rec["district_code"], rec["subdistrict_code"], rec["outside_city"] = district, sub, district is None
    return sum(d is None for d in districts)


def ingest_complaint_batch(
    engine: Engine, items: Iterable[tuple[str, dict]], mapping: Mapping, report: IngestReport, actor: str
) -> list[int]:
    """Check, locate and upsert (location, raw record) pairs; rejects go to `report`; returns stored ids."""
    good: list[dict] = []
    for location, raw in items:
        report.read += 1
        try:
            checked = check_complaint(raw, mapping)
        except BadValueError as exc:
            report.reject(location, str(exc), {k: v for k, v in raw.items() if v is not None})
            continue
        good.append(checked.record)
        if checked.zoneless:
            report.notes[f"times without a zone, read as {zone_label(mapping.timezone)}"] += checked.zoneless
        if checked.truncated:
            report.notes["texts cut to the column's length"] += checked.truncated
    if not good:
        return []
    outside = locate(good)
    if outside:
        report.notes["locations outside the city (kept, flagged)"] += outside
    result = store_complaints(engine, good, actor=actor)
    report.add_store(result.inserted, result.updated, result.unchanged)
    return result.ids


def _batched(items: Iterator[tuple[str, dict]], size: int = BATCH) -> Iterator[list[tuple[str, dict]]]:
    batch: list[tuple[str, dict]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _open311_items(path: Path, source: str, report: IngestReport, progress: Progress | None) -> Iterator:
    for location, item in json_records(path, progress):
        if isinstance(item, Broken):
            report.read += 1
            report.reject(location, item.reason, item.text)
        elif isinstance(item, dict) and isinstance(item.get("service_requests") or item.get("requests"), list):
            for i, sub in enumerate(item.get("service_requests") or item.get("requests")):
                yield f"[{i}]", sub
        else:
            yield location, item


def ingest_open311_file(
    engine: Engine, path: Path, source: str, report: IngestReport, progress: Progress | None = None
) -> str:
    """Load an Open311 `requests.json` (or a `services.json` list, detected); returns what it was."""
    items = _open311_items(Path(path), source, report, progress)
    first = next(items, None)
    if first is None:
        return "requests"
    if is_services_list(first[1]):
        store_open311_services(engine, [first, *items], source, report)
        return "services"

    def converted() -> Iterator[tuple[str, dict]]:
        for location, item in _chain(first, items):
            if not isinstance(item, dict):
                report.read += 1
                report.reject(location, "expected a JSON object (a service request)", item)
                continue
            yield location, complaint_from_open311(item, source)

    for batch in _batched(converted()):
        ingest_complaint_batch(engine, batch, OPEN311_MAPPING, report, actor=f"ingest:{source}")
    return "requests"


def _chain(first: tuple[str, object], rest: Iterator) -> Iterator:
    yield first
    yield from rest


def ingest_complaints_csv(
    engine: Engine, path: Path, mapping: Mapping, source: str | None, report: IngestReport,
    progress: Progress | None = None,
) -> None:  # fmt: skip
    """Load another system's CSV through `mapping`; unknown columns are ignored."""
    source = source or mapping.source
    columns: dict[str, str] | None = None

    def converted() -> Iterator[tuple[str, dict]]:
        nonlocal columns
        for line, record in csv_records(Path(path), progress=progress):
            if columns is None:
                header = [h for h in record if h != "_extra"]
                found = mapping.locate(header, Path(path))
                columns = {ours: header[i] for ours, i in found.items()}
            yield f"line {line}", complaint_from_row(record, columns, source, mapping)

    for batch in _batched(converted()):
        ingest_complaint_batch(engine, batch, mapping, report, actor=f"ingest:{source}")
