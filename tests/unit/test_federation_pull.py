"""A room's signed summary and a federation room pulling it: aggregates equal the database, nothing personal
leaves the city, a tampered or impostor summary is refused and logged, a slow member never holds the round."""

from __future__ import annotations

import json
import time

import orjson
import pytest
from sqlalchemy import func, select, text

from dashboard.app import create_app
from data.auth.models import SecurityEvent
from data.auth.tokens import create_token
from data.federation.config import FederationConfig, Member
from data.federation.models import FederationDay, FederationMember
from data.federation.pull import pull_round
from data.federation.summary import RoomSummary
from data.models import Complaint
from data.signing import verify

KEY = "room-signing-key-" + "k" * 32


@pytest.fixture
def room(small_city, settings_for):
    """The small city's room with the summary feed on, and a token a federation room would hold."""
    app = create_app(settings_for(str(small_city.url), summary_signing_key=KEY))
    plain, _ = create_token(small_city, "ingest", "provinsi banten", ["summary"], "test")
    return app, small_city, plain


def _get(app, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.server.test_client().get("/api/v1/summary", headers=headers)


def test_the_summary_is_signed_and_its_figures_are_the_database_s(room):
    app, engine, token = room
    response = _get(app, token)
    assert response.status_code == 200
    body = response.get_data()
    stamp, signature = response.headers["X-CityOps-Timestamp"], response.headers["X-CityOps-Signature"]
    assert verify(KEY, stamp, body, signature)
    assert not verify("another-key-" + "x" * 30, stamp, body, signature)
    summary = RoomSummary.model_validate_json(body)
    with engine.connect() as conn:
        open_now = conn.execute(
            select(func.count()).select_from(Complaint).where(Complaint.status != "closed", ~Complaint.outside_city)
        ).scalar()  # fmt: skip
    assert summary.complaints.open == open_now
    assert summary.room.zone_label in ("WIB", "WITA", "WIT")
    assert len(summary.dimensions) == 6 and len(summary.history) == 30
    assert summary.history[-1].day == summary.local_date
    assert sum(d.open for d in summary.districts) <= summary.complaints.open


def test_the_summary_carries_no_personal_data_and_nothing_finer_than_a_district(room):
    app, engine, token = room
    doc = json.loads(_get(app, token).get_data())
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT description, address, lat, lon FROM complaints WHERE description IS NOT NULL LIMIT 1")
        ).one()  # fmt: skip
    flat = json.dumps(doc)
    for forbidden in ("description", "reporter", "phone", "email", "address", "lat", "lon"):
        assert f'"{forbidden}"' not in flat
    assert row.description not in flat
    assert f"{row.lat:.5f}" not in flat


def test_the_feed_needs_a_summary_token_and_a_signing_key(room, small_city, settings_for):
    app, engine, _ = room
    assert _get(app, None).status_code == 401
    other, _ = create_token(engine, "ingest", "laksa", ["complaints"], "test")
    assert _get(app, other).status_code == 401
    keyless = create_app(settings_for(str(small_city.url)))
    token, _ = create_token(engine, "ingest", "provinsi 2", ["summary"], "test")
    response = _get(keyless, token)
    assert response.status_code == 503 and "SUMMARY_SIGNING_KEY" in response.get_json()["error"]


def _config(*members: Member, **kw) -> FederationConfig:
    return FederationConfig(members=members, timeout_seconds=kw.pop("timeout", 2.0), retries=0, **kw)


def _member(code: str, name: str = "Kota Tangerang") -> Member:
    return Member(code=code, name=name, url=f"http://room-{code}.invalid", token="t" * 20, key=KEY)


def _fetch_from(app, token: str, tamper: bool = False):
    def fetch(member: Member, timeout: float) -> tuple[bytes, dict[str, str]]:
        response = _get(app, token)
        body = response.get_data()
        if tamper:
            doc = orjson.loads(body)
            doc["score"] = 0.99
            body = orjson.dumps(doc)
        return body, dict(response.headers)

    return fetch


def test_a_pull_round_stores_each_member_s_newest_summary_and_its_local_day(room, sqlite_engine):
    app, _, token = room
    code = RoomSummary.model_validate_json(_get(app, token).get_data()).room.code
    results = pull_round(sqlite_engine, _config(_member(code)), fetch=_fetch_from(app, token))
    assert [r.error for r in results] == [None]
    with sqlite_engine.connect() as conn:
        member = conn.execute(select(FederationMember)).one()
        days = conn.execute(select(FederationDay.member_code, FederationDay.local_date)).all()
    assert member.failures == 0 and member.last_ok_at is not None
    stored = RoomSummary.model_validate_json(member.summary)
    assert days == [(code, stored.local_date.isoformat())]


def test_a_tampered_or_impostor_summary_is_refused_logged_and_never_stored(room, sqlite_engine):
    app, _, token = room
    code = RoomSummary.model_validate_json(_get(app, token).get_data()).room.code
    tampered = pull_round(sqlite_engine, _config(_member(code)), fetch=_fetch_from(app, token, tamper=True))
    assert tampered[0].refused and "signature" in tampered[0].error
    impostor = pull_round(sqlite_engine, _config(_member("35.08", "Kabupaten Lumajang")), fetch=_fetch_from(app, token))
    assert impostor[0].refused and f"speaks for {code}" in impostor[0].error
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FederationDay)).scalar() == 0
        assert conn.execute(select(FederationMember.summary).where(FederationMember.code == "35.08")).scalar() is None
        logged = conn.execute(select(SecurityEvent.action).where(SecurityEvent.ok.is_(False))).scalars().all()
    assert logged.count("federation_refused") == 2


def test_a_slow_member_never_holds_up_the_round_and_backs_off(room, sqlite_engine):
    app, _, token = room
    code = RoomSummary.model_validate_json(_get(app, token).get_data()).room.code
    good = _fetch_from(app, token)

    def fetch(member: Member, timeout: float):
        if member.code == "35.08":
            time.sleep(8)  # answers long after the round gave up on it
            raise TimeoutError("timed out")
        return good(member, timeout)

    config = _config(_member(code), _member("35.08", "Kabupaten Lumajang"), timeout=0.5, every_seconds=60)
    started = time.monotonic()
    results = {r.code: r for r in pull_round(sqlite_engine, config, fetch=fetch)}
    assert time.monotonic() - started < 5.5  # 0.5 s timeout + the round's margin, not the 8 s the member takes
    assert results[code].summary is not None and results["35.08"].summary is None
    with sqlite_engine.connect() as conn:
        slow = conn.execute(select(FederationMember).where(FederationMember.code == "35.08")).one()
    assert slow.failures == 1 and slow.last_error
    second = pull_round(sqlite_engine, config, fetch=good)  # the slow one is due again next round, not before
    assert {r.code for r in second} == {code, "35.08"}
