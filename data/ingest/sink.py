"""Where validated records land: upserts that never duplicate, status history, rollups and feed freshness.

Every feed (files, API, MQTT, the demo simulator) writes through these two functions, so the
bookkeeping that the wall relies on happens the same way whatever the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select, tuple_

from data import geography, sla
from data.alerts.evaluate import after_ingest
from data.bulk import copy_rows
from data.feeds import COMPLAINTS_FEED, mark_feed, sensor_feed
from data.models import Complaint, ComplaintStatusChange, Observation, Sensor
from data.rollups import update_observation_rollups
from data.store import bump_data_version

# Fields a later record may change on an existing complaint.
UPDATABLE = (
    "status",
    "status_notes",
    "updated_at",
    "closed_at",
    "expected_at",
    "agency",
    "description",
    "address",
    "lat",
    "lon",
    "district_code",
    "subdistrict_code",
    "outside_city",
    "media_url",
    "category",
    "service_code",
)


@dataclass
class StoreResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)

    def add(self, other: StoreResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.ids.extend(other.ids)


def store_observations(engine: Engine, rows: Sequence[tuple[str, datetime, float]]) -> StoreResult:
    """Insert readings (sensor_id, observed_at naive UTC, value); a reading already stored is left as is."""
    if not rows:
        return StoreResult()
    inserted = copy_rows(
        engine, Observation.__table__, ["sensor_id", "observed_at", "value"], rows, conflict_ignore=True
    )
    sensor_ids = sorted({r[0] for r in rows})
    with engine.begin() as conn:
        kinds = dict(conn.execute(select(Sensor.id, Sensor.kind).where(Sensor.id.in_(sensor_ids))).all())
        update_observation_rollups(conn, ((r[0], r[1]) for r in rows))
        newest: dict[str, datetime] = {}
        count: dict[str, int] = {}
        for sensor_id, at, _value in rows:
            kind = kinds.get(sensor_id, "unknown")
            newest[kind] = max(newest.get(kind, at), at)
            count[kind] = count.get(kind, 0) + 1
        for kind, at in newest.items():
            mark_feed(conn, sensor_feed(kind), at, count[kind])
        bump_data_version(conn, "observations")
    after_ingest(engine, sensor_ids=sensor_ids)  # alert rules; never raises
    return StoreResult(inserted=inserted, unchanged=len(rows) - inserted)


def _prepare(record: dict) -> dict:
    """Fill what a feed may leave out: district by point-in-polygon, SLA due time, updated time."""
    rec = dict(record)
    if rec.get("lat") is not None and rec.get("lon") is not None and not rec.get("district_code"):
        district, sub = geography.locator().locate_one(rec["lat"], rec["lon"])
        rec["district_code"], rec["subdistrict_code"] = district, sub
        rec["outside_city"] = district is None
    rec.setdefault("updated_at", rec["requested_at"])
    if rec.get("updated_at") is None:
        rec["updated_at"] = rec["requested_at"]
    if rec.get("status") == "closed" and not rec.get("closed_at"):
        rec["closed_at"] = rec["updated_at"]
    if not rec.get("due_at"):
        rec["due_at"] = sla.due_time(rec["requested_at"], rec.get("category") or "")
    return rec


def store_complaints(engine: Engine, records: Sequence[dict], actor: str | None = None) -> StoreResult:
    """Upsert complaints by (source, source_id); a newer status updates the row and adds a history step."""
    result = StoreResult()
    if not records:
        return result
    prepared = [_prepare(r) for r in records]
    keys = [(r["source"], r["source_id"]) for r in prepared]
    with engine.begin() as conn:
        existing = {
            (row.source, row.source_id): row
            for row in conn.execute(
                select(Complaint.__table__).where(tuple_(Complaint.source, Complaint.source_id).in_(keys))
            )
        }
        newest: datetime | None = None
        for rec in prepared:
            key = (rec["source"], rec["source_id"])
            current = existing.get(key)
            newest = max(newest or rec["updated_at"], rec["updated_at"])
            if current is None:
                row = Complaint(**{k: v for k, v in rec.items() if hasattr(Complaint, k)})
                conn.execute(Complaint.__table__.insert().values(**_column_values(row)))
                new_id = conn.execute(
                    select(Complaint.id).where(Complaint.source == key[0], Complaint.source_id == key[1])
                ).scalar_one()
                _history(conn, new_id, rec["status"], rec["updated_at"], rec.get("status_notes"), actor)
                existing[key] = conn.execute(select(Complaint.__table__).where(Complaint.id == new_id)).one()
                result.inserted += 1
                result.ids.append(new_id)
                continue
            if current.updated_at is not None and rec["updated_at"] < current.updated_at:
                result.unchanged += 1  # an older copy of what we already hold
                result.ids.append(current.id)
                continue
            changes = {
                k: rec[k] for k in UPDATABLE if k in rec and rec[k] is not None and getattr(current, k) != rec[k]
            }
            if not changes:
                result.unchanged += 1
                result.ids.append(current.id)
                continue
            conn.execute(Complaint.__table__.update().where(Complaint.id == current.id).values(**changes))
            if "status" in changes:
                _history(conn, current.id, changes["status"], rec["updated_at"], rec.get("status_notes"), actor)
            existing[key] = conn.execute(select(Complaint.__table__).where(Complaint.id == current.id)).one()
            result.updated += 1
            result.ids.append(current.id)
        mark_feed(conn, COMPLAINTS_FEED, newest, len(prepared))
        bump_data_version(conn, "complaints")
    after_ingest(engine, complaints=True)  # alert rules; never raises
    return result


def _column_values(row: Complaint) -> dict:
    return {c.name: getattr(row, c.key) for c in Complaint.__table__.columns if getattr(row, c.key) is not None}


def _history(conn, complaint_id: int, status: str, at: datetime, note: str | None, actor: str | None) -> None:  # noqa: ANN001
    conn.execute(
        ComplaintStatusChange.__table__.insert().values(
            complaint_id=complaint_id, status=status, changed_at=at, note=note, actor=actor
        )
    )
