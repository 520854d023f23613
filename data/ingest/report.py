"""What an ingest did, record by record: counts for the summary, and every reject with where and why.

Rejects stream to a CSV file (files) or to the `ingest_errors` table (API, MQTT) as they happen, so a
file with a million bad rows costs no memory and a person can fix and resend exactly what failed.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson
from sqlalchemy import Engine

from data.cleaning import without_nul
from data.models import IngestError
from data.store import utcnow

EXAMPLES_KEPT = 50
RECORD_TEXT_LIMIT = 2_000


@dataclass(frozen=True)
class Reject:
    location: str  # "line 12", "[3]", "value[0].dataArray[2]" or an MQTT topic
    reason: str
    record: object = None

    def record_text(self) -> str:
        if self.record is None:
            return ""
        if isinstance(self.record, str):
            text = self.record
        elif isinstance(self.record, list) and all(isinstance(v, str) for v in self.record):
            buffer = io.StringIO()  # a CSV row goes back out as a CSV line, ready to fix and resend
            csv.writer(buffer, lineterminator="").writerow(self.record)
            text = buffer.getvalue()
        else:
            text = _json_text(self.record)
        return without_nul(text[:RECORD_TEXT_LIMIT])

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "reason": self.reason}


@dataclass
class IngestReport:
    """Counts and rejects of one ingest; `notes` count things kept but worth saying (zone-less times...)."""

    feed: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    notes: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    examples: list[Reject] = field(default_factory=list)
    rejects_path: Path | None = None
    keep: int = EXAMPLES_KEPT  # rejects kept in memory (the summary's examples; all of them for an API call)
    _writer: csv.writer | None = None
    _file: IO[str] | None = None

    def open_rejects_file(self, path: Path) -> None:
        """Write rejects here as they come (the file appears only when the first reject does)."""
        self.rejects_path = Path(path)

    def reject(self, location: str, reason: str, record: object = None) -> None:
        item = Reject(location, reason, record)
        self.rejected += 1
        self.reasons[_reason_kind(reason)] += 1
        if len(self.examples) < self.keep:
            self.examples.append(item)
        if self.rejects_path is not None:
            if self._writer is None:
                self._file = open(self.rejects_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
                self._writer = csv.writer(self._file)
                self._writer.writerow(["location", "reason", "record"])
            self._writer.writerow([location, reason, item.record_text()])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writer = None

    def add_store(self, inserted: int, updated: int, unchanged: int) -> None:
        self.inserted += inserted
        self.updated += updated
        self.unchanged += unchanged

    def summary_lines(self) -> list[str]:
        """The printed summary: one line of counts, then notes and the most common reasons."""
        lines = [
            f"{self.feed}: read {self.read:,}, inserted {self.inserted:,}, updated {self.updated:,}, "
            f"unchanged duplicates {self.unchanged:,}, rejected {self.rejected:,}"
        ]
        for note, n in sorted(self.notes.items()):
            lines.append(f"  note: {n:,} {note}")
        for reason, n in self.reasons.most_common(8):
            lines.append(f"  rejected {n:,}: {reason}")
        for item in self.examples[:5]:
            lines.append(f"  e.g. {item.location}: {item.reason}")
        if self.rejected and self.rejects_path is not None:
            lines.append(f"  every rejected record, with its line and reason: {self.rejects_path}")
        return lines

    def as_dict(self) -> dict[str, object]:
        return {
            "feed": self.feed,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "notes": dict(self.notes),
        }


def _json_text(record: object) -> str:
    """The record as JSON, or a short note when it cannot be (nested past orjson's 254 levels, a key that is
    no text): a reject must never crash the report that keeps the good records' counts."""
    try:
        return orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except (orjson.JSONEncodeError, TypeError):
        pass  # e.g. an integer past 64 bits: the standard library writes those
    try:
        return json.dumps(record, ensure_ascii=False, default=str)
    except (RecursionError, TypeError, ValueError):
        return f"(a {type(record).__name__} that cannot be shown: nested too deeply or not JSON)"


def _reason_kind(reason: str) -> str:
    """Group reasons that differ only in the quoted value, so the summary counts kinds of problem."""
    out, quoted = [], False
    for ch in reason:
        if ch == "'":
            quoted = not quoted
            out.append("'…'" if quoted else "")
            continue
        if not quoted:
            out.append(ch)
    return "".join(out)


def record_ingest_errors(engine: Engine, feed: str, rejects: list[Reject]) -> None:
    """Keep API and MQTT rejects in the `ingest_errors` table, where the room's admins can see them."""
    if not rejects:
        return
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            IngestError.__table__.insert(),
            [
                {
                    "feed": feed,
                    "received_at": now,
                    "location": without_nul(r.location[:120]),
                    "reason": without_nul(r.reason),
                    "record": r.record_text() or None,
                }
                for r in rejects
            ],
        )
