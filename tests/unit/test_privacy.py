"""Complainants' personal data (UU 27/2022): a complainant's data exported and erased on request, closed
complaints' personal fields purged after the retention period, nothing personal written to the log."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard.cli import main
from data.auth.events import recent_events
from data.ingest.report import Reject, record_ingest_errors
from data.ingest.sink import store_complaints
from data.models import Complaint, IngestError
from data.privacy import Complainant, erase_complainant, export_complainant, purge_expired

NOW = datetime(2026, 11, 20, 5, 0)


def complaint(source_id: str, name: str, phone: str, closed_days_ago: int | None = None) -> dict:
    requested = NOW - timedelta(days=(closed_days_ago or 0) + 3)
    closed = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    return {
        "source": "lapor", "source_id": source_id, "category": "banjir", "status": "closed" if closed else "open",
        "requested_at": requested, "closed_at": closed, "lat": -6.18, "lon": 106.63,
        "description": f"Banjir depan rumah {name}", "reporter_name": name, "reporter_phone": phone,
    }  # fmt: skip


@pytest.fixture
def store(sqlite_engine):
    store_complaints(sqlite_engine, [
        complaint("L-1", "Siti Aminah", "0812-3456-7890"),
        complaint("L-2", "Siti Aminah", "+62 812 3456 7890", closed_days_ago=400),
        complaint("L-3", "Budi Santoso", "0813 1111 2222", closed_days_ago=400),
        complaint("L-4", "Budi Santoso", "0813 1111 2222", closed_days_ago=10),
    ])  # fmt: skip
    record_ingest_errors(sqlite_engine, "api.complaints", [Reject("[0]", "bad lat", {"phone": "081234567890"})])
    return sqlite_engine


def personal(engine, source_id: str) -> tuple:
    with engine.connect() as conn:
        return conn.execute(
            select(Complaint.reporter_name, Complaint.reporter_phone, Complaint.description, Complaint.category)
            .where(Complaint.source_id == source_id)
        ).one()  # fmt: skip


def test_a_complainant_is_found_by_phone_in_any_spelling_and_exported(store):
    exported = export_complainant(store, Complainant(phone="+62-812-3456-7890"))
    assert [e["source_id"] for e in exported] == ["L-2", "L-1"]
    assert {e["reporter_name"] for e in exported} == {"Siti Aminah"}


def test_erasure_blanks_name_and_phone_keeps_the_service_record_and_logs_no_personal_data(store):
    changed = erase_complainant(store, Complainant(phone="0812 3456 7890"), actor="dpo.kota")
    assert changed == 2
    name, phone, description, category = personal(store, "L-1")
    assert (name, phone, category) == (None, None, "banjir") and description.startswith("Banjir")
    assert personal(store, "L-3")[0] == "Budi Santoso"  # someone else's data stays
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(IngestError)).scalar() == 0  # the reject named them
    event = recent_events(store, action="personal_erase")[0]
    assert event["actor"] == "dpo.kota" and "3456" not in (event["detail"] or "") + (event["subject"] or "")
    erase_complainant(store, Complainant(complaint="lapor:L-4"), actor="dpo.kota", free_text=True)
    assert personal(store, "L-4")[:3] == (None, None, None)


def test_retention_purges_only_complaints_closed_longer_ago(store):
    assert purge_expired(store, 365, now=NOW + timedelta(days=1)) == 2
    assert personal(store, "L-2")[:2] == (None, None) and personal(store, "L-3")[:2] == (None, None)
    assert personal(store, "L-4")[0] == "Budi Santoso" and personal(store, "L-1")[0] == "Siti Aminah"
    assert purge_expired(store, 0) == 0  # 0 keeps everything


def test_the_cli_exports_erases_and_purges(store, capsys, monkeypatch):
    url = str(store.url)
    assert main(["privacy", "--database-url", url, "export", "--name", "budi santoso"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["privacy", "--database-url", url, "erase", "--name", "Budi Santoso", "--by", "dpo"]) == 0
    assert "2 complaint(s)" in capsys.readouterr().out
    assert main(["privacy", "--database-url", url, "export", "--phone", "12"]) == 2  # too short to be a phone
    monkeypatch.setenv("PERSONAL_DATA_RETENTION_DAYS", "30")
    assert main(["privacy", "--database-url", url, "purge"]) == 0
    assert "retention 30 days" in capsys.readouterr().out
    assert personal(store, "L-2")[0] is None
