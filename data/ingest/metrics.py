"""Service metrics (transactions, availability, p95 response time, satisfaction) per service and period,
from CSV or JSON, upserted by (service, period start) so a corrected day replaces the first one sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from data.feeds import SERVICE_METRICS_FEED, SERVICE_METRICS_INTERVAL_S, mark_feed
from data.ingest.readers import Broken, Progress, csv_records, header_key, json_records
from data.ingest.report import IngestReport
from data.ingest.values import (
    COMPLAINT_FUTURE_SLACK,
    BadValueError,
    check_time_window,
    is_missing,
    parse_number,
    parse_optional_number,
    parse_time,
)
from data.models import Service, ServiceMetric
from data.store import bump_data_version, upsert_statement, utcnow

ALIASES = {
    "service": ("service", "service_code", "code", "layanan", "service_id"),
    "period_start": ("period_start", "period", "date", "day", "tanggal", "periode"),
    "transactions": ("transactions", "transaksi", "count", "requests"),
    "availability_pct": ("availability_pct", "availability", "uptime", "uptime_pct", "ketersediaan"),
    "p95_response_ms": ("p95_response_ms", "p95_ms", "p95", "response_p95_ms"),
    "satisfaction": ("satisfaction", "kepuasan", "csat"),
}
BATCH = 2_000


def _field(record: dict, name: str) -> object:
    keys = {header_key(k): k for k in record}
    for alias in ALIASES[name]:
        if alias in keys:
            return record[keys[alias]]
    return None


def check_metric(record: dict, services: dict[str, int], now: datetime) -> dict:
    """One period of one service, checked: known service, a period, figures within their meaning."""
    code = _field(record, "service")
    code = None if is_missing(code) else str(code).strip()
    if not code:
        raise BadValueError("service is missing")
    if code not in services:
        raise BadValueError(f"unknown service {code!r}: it must be registered in the room first")
    try:
        period, _ = parse_time(_field(record, "period_start"))
        check_time_window(period, now, COMPLAINT_FUTURE_SLACK)
    except BadValueError as exc:
        raise BadValueError(f"period_start: {exc}") from None
    row = {"service_id": services[code], "period_start": period}
    tx = _field(record, "transactions")
    row["transactions"] = 0 if is_missing(tx) else parse_number(tx)
    if row["transactions"] < 0 or row["transactions"] != int(row["transactions"]):
        raise BadValueError(f"transactions {row['transactions']:g} must be a whole number of at least 0")
    row["transactions"] = int(row["transactions"])
    checks = {"availability_pct": (0, 100), "p95_response_ms": (0, 3_600_000), "satisfaction": (1, 5)}
    for name, (low, high) in checks.items():
        try:
            value = parse_optional_number(_field(record, name))
        except BadValueError as exc:
            raise BadValueError(f"{name}: {exc}") from None
        if value is not None and not low <= value <= high:
            raise BadValueError(f"{name} {value:g} is outside {low:g}..{high:g}")
        row[name] = value
    return row


def _store(engine: Engine, rows: list[dict], report: IngestReport) -> None:
    if not rows:
        return
    table = ServiceMetric.__table__
    keys = {(r["service_id"], r["period_start"]) for r in rows}
    with engine.begin() as conn:
        existing = {
            (
                r.service_id,
                r.period_start if isinstance(r.period_start, datetime) else datetime.fromisoformat(str(r.period_start)),
            ): r  # fmt: skip
            for r in conn.execute(
                select(table).where(
                    table.c.service_id.in_({k[0] for k in keys}), table.c.period_start.in_({k[1] for k in keys})
                )  # fmt: skip
            )
        }
        figures = ("transactions", "availability_pct", "p95_response_ms", "satisfaction")
        for row in rows:
            old = existing.get((row["service_id"], row["period_start"]))
            if old is None:
                report.inserted += 1
            elif all(getattr(old, f) == row[f] for f in figures):
                report.unchanged += 1
            else:
                report.updated += 1
        stmt = upsert_statement(engine, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["service_id", "period_start"], set_={f: stmt.excluded[f] for f in figures}
        )
        conn.execute(stmt, rows)
        newest = max(r["period_start"] for r in rows)
        mark_feed(conn, SERVICE_METRICS_FEED, newest, len(rows), SERVICE_METRICS_INTERVAL_S)
        bump_data_version(conn, "services")


def service_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Service.code, Service.id)).all())


def ingest_metric_records(engine: Engine, items: Iterable[tuple[str, object]], report: IngestReport) -> None:
    """Check and upsert (location, record) pairs in batches; a batch repeating a key keeps the last."""
    services = service_ids(engine)
    now = utcnow()
    batch: dict[tuple[int, datetime], dict] = {}
    for location, record in items:
        report.read += 1
        if isinstance(record, Broken):
            report.reject(location, record.reason, record.text)
            continue
        if not isinstance(record, dict):
            report.reject(location, "expected an object with service, period_start and figures", record)
            continue
        try:
            row = check_metric(record, services, now)
        except BadValueError as exc:
            report.reject(location, str(exc), record)
            continue
        key = (row["service_id"], row["period_start"])
        if key in batch:
            report.unchanged += 1
        batch[key] = row
        if len(batch) >= BATCH:
            _store(engine, list(batch.values()), report)
            batch = {}
    _store(engine, list(batch.values()), report)


def _json_metric_items(path: Path, progress: Progress | None) -> Iterator[tuple[str, object]]:
    for location, item in json_records(path, progress):
        if isinstance(item, dict) and isinstance(item.get("metrics"), list):
            for i, sub in enumerate(item["metrics"]):
                yield f"metrics[{i}]", sub
        else:
            yield location, item


def ingest_metrics_file(engine: Engine, path: Path, report: IngestReport, progress: Progress | None = None) -> None:
    """Load service metrics from CSV (by extension) or JSON (an array, {"metrics": [...]} or JSON Lines)."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson", ".geojson"):
        items: Iterable[tuple[str, object]] = _json_metric_items(path, progress)
    else:
        items = ((f"line {n}", rec) for n, rec in csv_records(path, progress=progress))
    ingest_metric_records(engine, items, report)
