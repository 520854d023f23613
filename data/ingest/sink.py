"""Where validated records land: upserts that never duplicate, status history, rollups and feed freshness.

Every feed (files, API, MQTT, the demo simulator) writes through these two functions, so the
bookkeeping that the wall relies on happens the same way whatever the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, tuple_

from data import geography, sla
from data.alerts.evaluate import after_ingest
from data.bulk import copy_rows, driver_transaction
from data.feeds import COMPLAINTS_FEED, mark_feed, sensor_feed
from data.models import Complaint, ComplaintStatusChange, Observation, Sensor
from data.rollups import _refresh_latest as refresh_latest  # noqa: PLC2701 - the rollups' own helper
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


class ObservationBatch(Sequence):
    """Readings held as columns (sensor ids, naive UTC datetime64 times, float values).

    It is a sequence of (sensor_id, observed_at, value) tuples like any other, so every caller of
    `store_observations` may pass one, but the sink writes it without building a Python object per value:
    that is what lets a CSV load 100,000 readings a second.
    """

    def __init__(self, sensor_ids: np.ndarray, observed_at: np.ndarray, values: np.ndarray) -> None:
        self.sensor_ids = np.asarray(sensor_ids, dtype=object)
        self.observed_at = np.asarray(observed_at, dtype="datetime64[us]")
        self.values = np.asarray(values, dtype=float)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, datetime, float]]) -> ObservationBatch:
        if isinstance(rows, ObservationBatch):
            return rows
        if not rows:
            return cls(np.array([], dtype=object), np.array([], dtype="datetime64[us]"), np.array([]))
        ids, times, values = zip(*rows, strict=True)
        return cls(np.array(ids, dtype=object), np.array(times, dtype="datetime64[us]"), np.array(values, float))

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence protocol
        if isinstance(i, slice):
            return ObservationBatch(self.sensor_ids[i], self.observed_at[i], self.values[i])
        return (self.sensor_ids[i], self.observed_at[i].astype(datetime), float(self.values[i]))

    def time_text(self) -> list[str]:
        """Times as the text SQLAlchemy stores on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff'), vectorised."""
        text = np.datetime_as_string(self.observed_at, unit="us")  # 'YYYY-MM-DDTHH:MM:SS.ffffff', 26 chars
        if len(text):
            width = text.dtype.itemsize // 4  # UTF-32 code points per string
            text.view(np.uint32).reshape(-1, width)[:, 10] = ord(" ")  # the 'T' becomes a space, in place
        return text.tolist()


def store_observations(engine: Engine, rows: Sequence[tuple[str, datetime, float]]) -> StoreResult:
    """Insert readings (sensor_id, observed_at naive UTC, value); a reading already stored is left as is.

    When every reading is new (a bulk load, a live feed), the hourly rollup is added to in the same
    transaction as the readings. When some were already stored, the touched hours are recomputed from
    the raw rows instead, which is also what repairs the rollups when an interrupted load is run again.
    """
    batch = ObservationBatch.from_rows(rows)
    if not len(batch):
        return StoreResult()
    inserted, rolled_up = _insert_readings(engine, batch)
    frame = pd.DataFrame({"sensor_id": batch.sensor_ids, "at": batch.observed_at})
    span = frame.groupby("sensor_id", sort=True)["at"].agg(["min", "max"])
    with engine.begin() as conn:
        kinds = dict(conn.execute(select(Sensor.id, Sensor.kind).where(Sensor.id.in_(span.index.tolist()))).all())
        if rolled_up:
            refresh_latest(conn, span.index.tolist())
        else:
            touched = [(sid, lo.to_pydatetime()) for sid, lo in span["min"].items()]
            touched += [(sid, hi.to_pydatetime()) for sid, hi in span["max"].items()]
            update_observation_rollups(conn, touched)
        frame["kind"] = frame["sensor_id"].map(kinds).fillna("unknown")
        per_kind = frame.groupby("kind")["at"].agg(["max", "size"])
        for kind, row in per_kind.iterrows():
            mark_feed(conn, sensor_feed(str(kind)), row["max"].to_pydatetime(), int(row["size"]))
        bump_data_version(conn, "observations")
    after_ingest(engine, sensor_ids=span.index.tolist())  # alert rules; never raises
    return StoreResult(inserted=inserted, unchanged=len(batch) - inserted)


HOURLY_ADD_SQLITE = (
    "INSERT INTO observations_hourly (sensor_id, hour, n, total, min_value, max_value) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (sensor_id, hour) DO UPDATE SET n = n + excluded.n, total = total + excluded.total, "
    "min_value = min(min_value, excluded.min_value), max_value = max(max_value, excluded.max_value)"
)


def _hourly_rows(batch: ObservationBatch) -> list[tuple]:
    hours = ObservationBatch(batch.sensor_ids, batch.observed_at.astype("datetime64[h]"), batch.values)
    frame = pd.DataFrame({"sensor_id": hours.sensor_ids, "hour": hours.time_text(), "value": hours.values})
    agg = frame.groupby(["sensor_id", "hour"], sort=False)["value"].agg(["size", "sum", "min", "max"])
    return [(sid, hour, int(n), float(t), float(lo), float(hi)) for (sid, hour), n, t, lo, hi in agg.itertuples()]


def _insert_readings(engine: Engine, batch: ObservationBatch) -> tuple[int, bool]:
    """INSERT OR IGNORE the readings in one transaction: (how many were new, whether hours were added to).

    On SQLite the driver takes the column lists as they are (no per-value conversion, ~3x faster than
    `copy_rows`) and, when every reading was new, the hourly rollup is added to before the commit;
    PostgreSQL goes through `copy_rows`' COPY and the rollups are recomputed after.
    """
    rows = zip(batch.sensor_ids.tolist(), batch.time_text(), batch.values.tolist(), strict=True)
    columns = ["sensor_id", "observed_at", "value"]
    if engine.dialect.name != "sqlite":
        return copy_rows(engine, Observation.__table__, columns, rows, conflict_ignore=True), False
    with driver_transaction(engine) as raw:  # a full disk or read-only file: SQLAlchemy's error, nothing kept
        cur = raw.cursor()
        cur.executemany("INSERT OR IGNORE INTO observations (sensor_id, observed_at, value) VALUES (?, ?, ?)", rows)
        inserted = cur.rowcount
        all_new = inserted == len(batch)
        if all_new:
            cur.executemany(HOURLY_ADD_SQLITE, _hourly_rows(batch))
    return inserted, all_new


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
