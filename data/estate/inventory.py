"""The application registry in and out as CSV, so a city loads its own inventory (Excel's ; and BOM accepted).

An import is all or nothing: every row is checked first and any problem is reported with its line, so a
half-loaded inventory never reaches the wall. Rows are matched on `code` (derived from the name when blank);
applications missing from the file are kept, never deleted. Dates are read and written in WIB.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import Engine, select

from data.city import zone
from data.estate.coverage import record_coverage
from data.models import INTEGRATION_STATES, SMART_CITY_DIMENSIONS, Service
from data.store import bump_data_version, utcnow

FIELDS = ("code", "name", "agency", "category", "kind", "dimension", "integration_state", "description", "url",
          "registered_at", "connected_at")  # fmt: skip
REQUIRED = ("name", "agency", "kind", "dimension")
MAX_LENGTH = {"code": 64, "name": 160, "agency": 120, "category": 80, "url": 300}

KIND_ALIASES = {
    "e_government": "e_government", "e-government": "e_government", "egov": "e_government",
    "e-gov": "e_government", "e-pemerintahan": "e_government", "internal": "e_government",
    "public_service": "public_service", "public service": "public_service", "layanan publik": "public_service",
    "pelayanan publik": "public_service", "publik": "public_service",
}  # fmt: skip
DIMENSION_ALIASES = {
    **{d: d for d in SMART_CITY_DIMENSIONS},
    "tata kelola": "governance", "pemerintahan": "governance", "pencitraan": "branding", "ekonomi": "economy",
    "kehidupan": "living", "masyarakat": "society", "sosial": "society", "lingkungan": "environment",
}  # fmt: skip
STATE_ALIASES = {
    **{s: s for s in INTEGRATION_STATES},
    "not connected": "not_connected", "terhubung": "connected", "sebagian": "partial", "parsial": "partial",
    "manual": "partial", "belum terhubung": "not_connected", "tidak terhubung": "not_connected", "": "not_connected",
}  # fmt: skip


class InventoryError(ValueError):
    """The file cannot be imported; `problems` lists every faulty line so all can be fixed at once."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "; ".join(problems[:20]) + (f"; ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        super().__init__(f"inventory not imported ({len(problems)} problem(s)): {shown}")


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def _normalise(raw: str, aliases: dict[str, str]) -> str | None:
    key = re.sub(r"^smart[\s_-]+", "", raw.strip().lower())
    return aliases.get(key, aliases.get(key.replace("_", " ")))


def _parse_wib(raw: str) -> datetime:
    """'2024-03-01' or '2024-03-01 08:30' in the city's zone (WIB, WITA or WIT) -> naive UTC."""
    return datetime.fromisoformat(raw.strip().replace("T", " ")) - zone().offset


def parse_row(raw: dict[str, str], line: int) -> tuple[dict | None, list[str]]:
    """One CSV row to registry values, or the reasons it cannot be."""
    row = {k: (raw.get(k) or "").strip() for k in FIELDS}
    problems = [f"line {line}: {k} is empty" for k in REQUIRED if not row[k]]
    row["code"] = row["code"] or slug(row["name"])
    for key, limit in MAX_LENGTH.items():
        if len(row[key]) > limit:
            problems.append(f"line {line}: {key} is longer than {limit} characters")
    out: dict = {k: row[k] for k in ("code", "name", "agency", "category")}
    for key, aliases in (("kind", KIND_ALIASES), ("dimension", DIMENSION_ALIASES),
                         ("integration_state", STATE_ALIASES)):  # fmt: skip
        value = _normalise(row[key], aliases)
        if value is None and row[key]:
            problems.append(f"line {line}: {key} {row[key]!r} is not one of {sorted(set(aliases.values()))}")
        out[key] = value
    out["description"] = row["description"] or None
    out["url"] = row["url"] or None
    for key in ("registered_at", "connected_at"):
        try:
            out[key] = _parse_wib(row[key]) if row[key] else None
        except ValueError:
            problems.append(f"line {line}: {key} {row[key]!r} is not a date like 2024-03-01 or 2024-03-01 08:30")
    return (None, problems) if problems else (out, [])


def read_inventory(stream: TextIO) -> list[dict]:
    """Every row of a CSV inventory, checked; raises InventoryError listing all problems."""
    text = stream.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InventoryError(["the file is empty"])
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [k for k in ("name", "agency", "kind", "dimension") if k not in header]
    if missing:
        raise InventoryError([f"the header lacks column(s) {', '.join(missing)} (expected {', '.join(FIELDS)})"])
    rows, problems, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        row, errs = parse_row(raw, line)
        problems.extend(errs)
        if row is not None:
            if row["code"] in seen:
                problems.append(f"line {line}: code {row['code']!r} repeats line {seen[row['code']]}")
            seen[row["code"]] = line
            rows.append(row)
    if problems:
        raise InventoryError(problems)
    return rows


def import_inventory(engine: Engine, stream: TextIO, now: datetime | None = None) -> ImportReport:
    """Upsert a CSV inventory into the registry in one transaction; record this month's coverage after."""
    now = now or utcnow()
    rows = read_inventory(stream)
    report = ImportReport()
    columns = [Service.__table__.c[k] for k in ("id", *FIELDS)]
    with engine.begin() as conn:
        wanted = select(*columns).where(Service.code.in_([r["code"] for r in rows]))
        existing = {r.code: r for r in conn.execute(wanted)}
        for row in rows:
            old = existing.get(row["code"])
            values = {k: v for k, v in row.items() if v is not None or k in ("description", "url")}
            values["category"] = row["category"] or (old.category if old else "")
            values["integration_state"] = row["integration_state"] or "not_connected"
            if values["integration_state"] == "connected" and row["connected_at"] is None:
                values["connected_at"] = old.connected_at if old and old.connected_at else now
            if old is None:
                values.setdefault("registered_at", now)
                conn.execute(Service.__table__.insert().values(**values))
                report.inserted += 1
            elif any(getattr(old, k) != v for k, v in values.items()):
                conn.execute(Service.__table__.update().where(Service.id == old.id).values(**values))
                report.updated += 1
            else:
                report.unchanged += 1
            report.codes.append(row["code"])
        bump_data_version(conn, "services")
    record_coverage(engine, now)
    return report


def _wib_text(moment: datetime | None) -> str:
    return (moment + zone().offset).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def export_inventory(engine: Engine, stream: TextIO) -> int:
    """Write the whole registry as CSV (the import's columns, dates in WIB); returns the number of rows."""
    columns = [Service.__table__.c[k] for k in FIELDS]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(FIELDS)
    n = 0
    with engine.connect() as conn:
        for row in conn.execute(select(*columns).order_by(Service.agency, Service.name)):
            values = row._asdict()
            for key in ("registered_at", "connected_at"):
                values[key] = _wib_text(values[key])
            writer.writerow(["" if values[k] is None else values[k] for k in FIELDS])
            n += 1
    return n
