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
from sqlalchemy.engine import Connection

from data import geography, sla
from data.alerts.evaluate import after_ingest
from data.bulk import copy_binary_in, copy_rows_in
from data.cleaning import clean_record
from data.complaint_rollups import RollupDelta
from data.feeds import COMPLAINTS_FEED, mark_feed, sensor_feed
from data.models import Complaint, ComplaintStatusChange, Observation, Sensor
from data.rollups import HourlyAggregate, update_observation_rollups
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
    "attributes",
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


# PostgreSQL's binary COPY: the file header (signature, flags, no extension), the end marker, the zero time.
PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
PG_COPY_TRAILER = b"\xff\xff"
PG_EPOCH = np.datetime64("2000-01-01T00:00:00", "us")


def _copy_record(id_width: int) -> np.dtype:
    """One reading as a binary COPY row: field count, then each field's byte length and its big-endian value."""
    return np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", f"S{id_width}"), ("time_len", ">i4"),
                     ("time", ">i8"), ("value_len", ">i4"), ("value", ">f8")])  # fmt: skip


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

    def copy_binary(self) -> bytes:
        """The readings in PostgreSQL's binary COPY format, built a column at a time.

        Times and values go as 8-byte integers and floats (no text to format or parse); rows are grouped by
        the byte length of their sensor id, so each group is one fixed-width numpy record array. A sensor's
        readings stay in their order (an id has one length). NaN would be stored as NaN, not refused as NULL.
        """
        codes, uniques = pd.factorize(self.sensor_ids)
        encoded = np.array([str(u).encode() for u in uniques], dtype=object)
        widths = np.array([len(e) for e in encoded], dtype=int)[codes]
        micros = (self.observed_at - PG_EPOCH).astype(np.int64)
        parts = [PG_COPY_SIGNATURE]
        for width in np.unique(widths).tolist():
            rows = np.flatnonzero(widths == width)
            record = np.empty(len(rows), dtype=_copy_record(width))
            record["fields"], record["id_len"], record["time_len"], record["value_len"] = 3, width, 8, 8
            record["id"] = encoded[codes[rows]].astype(f"S{width}")
            record["time"] = micros[rows]
            record["value"] = self.values[rows]
            parts.append(record.tobytes())
        parts.append(PG_COPY_TRAILER)
        return b"".join(parts)

    def hourly_aggregates(self) -> list[HourlyAggregate]:
        """The readings summed up per (sensor, UTC hour), as the hourly rollup holds them."""
        frame = pd.DataFrame({"sensor_id": self.sensor_ids, "hour": self.observed_at.astype("datetime64[h]")})
        agg = frame.assign(value=self.values).groupby(["sensor_id", "hour"], sort=False)["value"]
        agg = agg.agg(["size", "sum", "min", "max"])
        hours = agg.index.get_level_values("hour").to_numpy("datetime64[us]").tolist()
        columns = (agg[c].tolist() for c in ("size", "sum", "min", "max"))
        return list(map(HourlyAggregate, agg.index.get_level_values("sensor_id").tolist(), hours, *columns))


def store_observations(
    engine: Engine, rows: Sequence[tuple[str, datetime, float]], *, evaluate_alerts: bool = True
) -> StoreResult:
    """Insert readings (sensor_id, observed_at naive UTC, value); a reading already stored is left as is.

    The readings, the hourly rollup, each sensor's latest value and the feed marks are written in one
    transaction: a crash keeps all of it or none. An hour where some readings were stored before (a file
    sent twice, an interrupted load run again, a redelivered MQTT message) is recomputed from the raw rows
    rather than added to. A file load passes `evaluate_alerts=False` and runs the alert rules once at its
    end (`after_ingest`) rather than after each of its batches.
    """
    batch = ObservationBatch.from_rows(rows)
    if not len(batch):
        return StoreResult()
    per_sensor = pd.DataFrame({"sensor_id": batch.sensor_ids, "at": batch.observed_at}).groupby("sensor_id")["at"]
    per_sensor = per_sensor.agg(["max", "size"])
    sensor_ids = per_sensor.index.tolist()
    with engine.begin() as conn:
        inserted = _insert_readings(conn, batch)
        update_observation_rollups(conn, batch.hourly_aggregates(), all_new=inserted == len(batch))
        kinds = dict(conn.execute(select(Sensor.id, Sensor.kind).where(Sensor.id.in_(sensor_ids))).all())
        per_kind = per_sensor.groupby(per_sensor.index.map(kinds).fillna("unknown")).agg({"max": "max", "size": "sum"})
        for kind, row in per_kind.iterrows():
            mark_feed(conn, sensor_feed(str(kind)), row["max"].to_pydatetime(), int(row["size"]))
        bump_data_version(conn, "observations")
    if evaluate_alerts:
        after_ingest(engine, sensor_ids=sensor_ids)  # alert rules; never raises
    return StoreResult(inserted=inserted, unchanged=len(batch) - inserted)


def _insert_readings(conn: Connection, batch: ObservationBatch) -> int:
    """INSERT OR IGNORE the readings in the caller's transaction; returns how many were new.

    On SQLite the driver takes the column lists as they are (no per-value conversion, ~3x faster than
    `copy_rows`); PostgreSQL takes a binary COPY built by numpy (`copy_binary_in`). A batch holding a
    missing value goes row by row, so both stores refuse it the same way (NOT NULL).
    """
    columns = ["sensor_id", "observed_at", "value"]
    if conn.dialect.name != "sqlite" and not np.isnan(batch.values).any():
        return copy_binary_in(conn, Observation.__table__, columns, batch.copy_binary())
    rows = zip(batch.sensor_ids.tolist(), batch.time_text(), batch.values.tolist(), strict=True)
    if conn.dialect.name != "sqlite":
        return copy_rows_in(conn, Observation.__table__, columns, rows, conflict_ignore=True)
    sql = "INSERT OR IGNORE INTO observations (sensor_id, observed_at, value) VALUES (?, ?, ?)"
    return conn.exec_driver_sql(sql, list(rows)).rowcount


def _prepare(record: dict) -> dict:
    """Fill what a feed may leave out: district by point-in-polygon, SLA due time, updated time; remove NUL
    characters (PostgreSQL cannot store them) so every feed's records are kept the same on both stores."""
    rec = dict(record)
    clean_record(rec)
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
    """Upsert complaints by (source, source_id); a newer status updates the row and adds a history step.

    The complaint rollups change in the same transaction: each row's old contribution out, its new one in."""
    result = StoreResult()
    if not records:
        return result
    prepared = [_prepare(r) for r in records]
    keys = [(r["source"], r["source_id"]) for r in prepared]
    rollups = RollupDelta()
    with engine.begin() as conn:
        existing = {
            (row.source, row.source_id): row
            for row in conn.execute(
                select(Complaint.__table__)
                .where(tuple_(Complaint.source, Complaint.source_id).in_(keys))
                .with_for_update()  # PostgreSQL: a concurrent writer waits, so the rollups subtract what is stored
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
                rollups.add(existing[key])
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
            rollups.replace(current, existing[key])
            result.updated += 1
            result.ids.append(current.id)
        rollups.apply(conn)
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
