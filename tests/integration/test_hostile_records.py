"""Records and logins a hostile sender crafts, on SQLite and on PostgreSQL: NUL characters, deep nesting,
retries after a failure, simultaneous password guesses, refused tokens. Each was a 500 or a hole before."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from callbacks.context import RUNTIME_KEY
from dashboard.app import create_app
from data.auth import tokens, users
from data.auth.events import MAX_FAILURES_PER_USER_AND_IP, recent_events
from data.models import Complaint, IngestError

TOKEN = "test-ingest-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PASSWORD = "genangan air 2026"
GOOD = {"service_code": "jalan_rusak", "lat": -6.1781, "long": 106.6319, "description": "Lubang besar"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, settings_for):
    """The app on a fresh store of each kind, with the shared ingest token set."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hostile.db'}"
    else:
        url = request.getfixturevalue("pg_engine").url.render_as_string(hide_password=False)
    app = create_app(settings_for(url, ingest_token=TOKEN, demo_on_empty=False))
    return app, app.server.extensions[RUNTIME_KEY].engine


def _complaints(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Complaint)).scalar()


def test_a_nul_in_one_record_keeps_every_record_on_both_stores(store):
    """Before: on PostgreSQL one U+0000 failed the whole batch with 500, and every retry did too."""
    app, engine = store
    client = app.server.test_client()
    batch = [
        {**GOOD, "description": "air\u0000 menggenang"},
        {**GOOD, "address_string": "Jl. Daan\u0000 Mogot", "first_name": "Si\u0000ti"},
        {"service_request_id": "EXT-\u00001", "service_code": "banjir", "service_name": "Banjir\u0000",
         "requested_datetime": "2026-11-20T05:00:00Z", "lat": -6.18, "long": 106.63, "status": "open"},
    ]  # fmt: skip
    r = client.post("/api/v1/complaints", json=batch, headers={**AUTH, "Idempotency-Key": "nul-batch"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert _complaints(engine) == 3
    with engine.connect() as conn:
        texts = conn.execute(select(Complaint.description, Complaint.source_id, Complaint.category)).all()
    assert all("\x00" not in (t or "") for row in texts for t in row)
    assert {row.description for row in texts} >= {"air menggenang"}


def test_a_nul_in_a_rejected_record_is_kept_in_the_error_log_too(store):
    app, engine = store
    client = app.server.test_client()
    r = client.post("/api/v1/complaints", json=[GOOD, {"service_code": "x\u0000y"}], headers=AUTH)
    assert r.status_code == 207
    with engine.connect() as conn:
        logged = conn.execute(select(IngestError.record)).scalars().all()
    assert len(logged) == 1 and "\x00" not in logged[0]


def test_a_nul_in_the_login_name_is_a_refusal_not_a_500(store):
    app, engine = store
    users.add_user(engine, "admin1", PASSWORD, "admin")
    client = app.server.test_client()
    r = client.post("/auth/login", data={"username": "admin1\u0000", "password": PASSWORD})
    assert r.status_code == 303 and "error=bad_credentials" in r.headers["Location"]
    assert client.post("/auth/login", data={"username": "admin1", "password": PASSWORD}).status_code == 303


def test_a_record_nested_a_thousand_deep_is_a_reject_and_a_retry_stores_nothing_twice(store):
    """Before: the ingest report raised RecursionError after the good records were stored; the 500 made the
    client retry and the retry stored them again under new ids."""
    app, engine = store
    client = app.server.test_client()
    deep: object = "dasar"
    for _ in range(1000):
        deep = {"lagi": deep}
    batch = [GOOD, {**GOOD, "description": deep}, {**GOOD, "address_string": "Jl. Merdeka 1"}]
    headers = {**AUTH, "Idempotency-Key": "batch-7f3a"}
    first = client.post("/api/v1/complaints", json=batch, headers=headers)
    assert first.status_code == 207, first.get_data(as_text=True)[:500]
    assert [e["location"] for e in first.json["errors"]] == ["[1]"]
    assert "description" in first.json["errors"][0]["reason"]
    retry = client.post("/api/v1/complaints", json=batch, headers=headers)
    assert retry.status_code == 207
    ids = lambda r: [x["service_request_id"] for x in r.json["requests"]]  # noqa: E731
    assert ids(retry) == ids(first) and len(ids(first)) == 2
    assert _complaints(engine) == 2
    # The sender's own id is idempotent too: a forwarded request is an upsert by (source, id).
    forwarded = {**GOOD, "service_request_id": "LAPOR-881", "service_name": "Jalan rusak",
                 "requested_datetime": "2026-11-20T05:00:00Z", "status": "open"}  # fmt: skip
    for _ in range(2):
        assert client.post("/api/v1/complaints", json=[forwarded], headers=AUTH).status_code == 201
    assert _complaints(engine) == 3


def test_simultaneous_wrong_passwords_check_at_most_the_limit(store):
    """Before: 16 simultaneous wrong passwords for one user from one address were all checked (limit 5)."""
    _, engine = store
    users.add_user(engine, "ops1", PASSWORD, "operator")
    barrier = threading.Barrier(16)
    reasons: list[str] = []

    def guess(n: int) -> None:
        barrier.wait()
        reasons.append(users.authenticate(engine, "ops1", f"tebakan salah {n}", "198.51.100.9").reason)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = reasons.count("bad_credentials")
    assert checked == MAX_FAILURES_PER_USER_AND_IP, reasons  # the first five, exactly
    assert reasons.count("blocked") == 16 - checked
    assert users.authenticate(engine, "ops1", PASSWORD, "198.51.100.9").reason == "blocked"  # even the right one
    log = recent_events(engine, action="login")
    assert len(log) == 17 and not any(e["detail"] == "checking" for e in log)


def test_a_refused_database_token_is_told_why_not_that_the_api_is_off(store):
    app, engine = store
    plain, info = tokens.create_token(engine, "ingest", "BMKG gateway", ["observations"], "admin")
    client = app.server.test_client()
    r = client.post("/api/v1/complaints", json=GOOD, headers={"Authorization": f"Bearer {plain}"})
    assert r.status_code == 401 and "INGEST_TOKEN" not in r.json["error"]
    assert "not scoped to complaints" in r.json["error"]
    tokens.revoke_token(engine, info.id, "admin")
    r = client.post("/api/v1/observations", json=[], headers={"Authorization": f"Bearer {plain}"})
    assert r.status_code == 401 and "revoked" in r.json["error"]
    assert "token is required" in client.post("/api/v1/metrics", json=[]).json["error"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("service_code", {"a": 1}, "service_code must be text, got an object"),
     ("description", [1, 2], "description must be text, got a list"),
     ("lat", {"x": 1}, "lat must be a number"),
     ("status", ["open"], "status must be text, got a list")],
)  # fmt: skip
def test_wrong_types_are_rejects_with_reasons_never_python_text(store, field, value, reason):
    """Before: `service_code: {"a": 1}` was stored with a 201 as the category "{'a': 1}"."""
    app, engine = store
    client = app.server.test_client()
    r = client.post("/api/v1/complaints", json=[GOOD, {**GOOD, field: value}], headers=AUTH)
    assert r.status_code == 207 and r.json["errors"] == [{"location": "[1]", "reason": r.json["errors"][0]["reason"]}]
    assert reason in r.json["errors"][0]["reason"]
    with engine.connect() as conn:
        stored = conn.execute(select(Complaint.category, Complaint.description)).all()
    assert len(stored) == 1 and "{" not in stored[0].category and "[" not in (stored[0].description or "")
