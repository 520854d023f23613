"""The Open311 services list (`services.json`): the kinds of request a city's systems accept, upserted by
service code so the read API can name them and complaints from those systems get readable categories.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine

from data.ingest.report import IngestReport
from data.models import ComplaintService
from data.store import bump_data_version, upsert_statement, utcnow

LIMITS = {"service_code": 64, "service_name": 160, "service_group": 120, "type": 16}


def is_services_list(item: object) -> bool:
    """A services.json entry names a service but is not a request (no id, no requested time)."""
    return (
        isinstance(item, dict)
        and "service_code" in item
        and "service_name" in item
        and "service_request_id" not in item
        and "requested_datetime" not in item
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def store_open311_services(
    engine: Engine, items: Iterable[tuple[str, object]], source: str, report: IngestReport
) -> None:
    """Upsert services.json entries by code; an entry without code or name is rejected with the reason."""
    rows: dict[str, dict] = {}
    now = utcnow()
    for location, item in items:
        report.read += 1
        if not isinstance(item, dict):
            report.reject(location, "expected a JSON object (a service)", item)
            continue
        code, name = _text(item.get("service_code")), _text(item.get("service_name"))
        if not code or not name:
            report.reject(location, "service_code and service_name are required", item)
            continue
        if len(code) > LIMITS["service_code"]:
            report.reject(location, f"service_code is longer than {LIMITS['service_code']} characters", item)
            continue
        if code in rows:
            report.unchanged += 1  # the same service twice in one list: the last one counts
        keywords = item.get("keywords")
        rows[code] = {
            "service_code": code,
            "service_name": name[: LIMITS["service_name"]],
            "description": _text(item.get("description")),
            "service_group": (_text(item.get("group")) or "")[: LIMITS["service_group"]] or None,
            "keywords": ", ".join(map(str, keywords)) if isinstance(keywords, list) else _text(keywords),
            "type": (_text(item.get("type")) or "realtime")[: LIMITS["type"]],
            "source": source[:40],
            "updated_at": now,
        }
    if not rows:
        return
    table = ComplaintService.__table__
    with engine.begin() as conn:
        existing = {r[0]: r for r in conn.execute(table.select().where(table.c.service_code.in_(list(rows))))}
        stmt = upsert_statement(engine, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["service_code"],
            set_={c: stmt.excluded[c] for c in rows[next(iter(rows))] if c != "service_code"},
        )
        conn.execute(stmt, list(rows.values()))
        bump_data_version(conn, "complaints")
    for code, row in rows.items():
        old = existing.get(code)
        if old is None:
            report.inserted += 1
        elif all(getattr(old, k) == v for k, v in row.items() if k != "updated_at"):
            report.unchanged += 1
        else:
            report.updated += 1
