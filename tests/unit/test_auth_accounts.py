"""People, passwords and tokens in the store: hashing, rules, disabling, rate limits, revocation, scopes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from data.auth import sessions, tokens, users
from data.auth.events import MAX_FAILURES_PER_USER_AND_IP, recent_events, record_export
from data.auth.models import AuthToken, SecurityEvent
from data.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from data.auth.roles import OPEN_DEMO, PERMISSIONS, may_see_personal

GOOD = "lampu jalan padam 7"
HOURS = timedelta(hours=12)


def test_password_hash_is_salted_slow_scrypt_and_verifies_only_the_right_password():
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first != second  # salted
    assert first.startswith("scrypt$15$8$1$") and GOOD not in first
    assert verify_password(GOOD, first) and verify_password(GOOD, second)
    assert not verify_password(GOOD + " ", first)
    assert not verify_password(GOOD, "scrypt$bad") and not verify_password(GOOD, "")
    assert not needs_rehash(first) and needs_rehash("scrypt$10$8$1$AA==$AA==")


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least"), ("aaaaaaaaaaaa", "different"), ("password123", "common"), ("xbudi-secret1", "username")],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    assert problem in password_problem(password, "budi")


def test_add_list_disable_and_passwd(sqlite_engine):
    row = users.add_user(sqlite_engine, "  Budi.S ", GOOD, "operator", display_name="Budi S")
    assert (row.username, row.role, row.active, row.personal_data) == ("budi.s", "operator", True, False)
    with pytest.raises(ValueError, match="already exists"):
        users.add_user(sqlite_engine, "budi.s", GOOD, "operator")
    with pytest.raises(ValueError, match="unknown role"):
        users.add_user(sqlite_engine, "ani", GOOD, "superuser")
    with pytest.raises(ValueError, match="username"):
        users.add_user(sqlite_engine, "<script>", GOOD, "wall")
    assert [u.username for u in users.list_users(sqlite_engine)] == ["budi.s"]
    assert users.active_user_count(sqlite_engine) == 1

    ok = users.authenticate(sqlite_engine, "BUDI.S", GOOD, "10.0.0.1")
    assert ok.principal is not None and ok.principal.role == "operator"
    sid = sessions.start_session(sqlite_engine, lifetime=HOURS, user_id=ok.principal.user_id, epoch=ok.epoch)
    assert sessions.session_principal(sqlite_engine, sid, HOURS) == ok.principal

    users.set_password(sqlite_engine, "budi.s", "sungai meluap 2026")
    # A new password ends existing sessions and the old password stops working.
    assert sessions.session_principal(sqlite_engine, sid, HOURS) is None
    assert users.authenticate(sqlite_engine, "budi.s", GOOD, "10.0.0.1").principal is None
    again = users.authenticate(sqlite_engine, "budi.s", "sungai meluap 2026", "10.0.0.1")
    assert again.principal is not None

    sid = sessions.start_session(sqlite_engine, lifetime=HOURS, user_id=again.principal.user_id, epoch=again.epoch)
    users.set_active(sqlite_engine, "budi.s", False)
    assert sessions.session_principal(sqlite_engine, sid, HOURS) is None
    assert users.authenticate(sqlite_engine, "budi.s", "sungai meluap 2026", "10.0.0.1").principal is None
    assert users.active_user_count(sqlite_engine) == 0
    actions = [e["action"] for e in recent_events(sqlite_engine)]
    assert {"user_add", "user_passwd", "user_disable", "login"} <= set(actions)


def test_failed_logins_are_rate_limited_per_user_and_address_even_for_the_right_password(sqlite_engine):
    users.add_user(sqlite_engine, "ani", GOOD, "analyst")
    for _ in range(MAX_FAILURES_PER_USER_AND_IP):
        assert users.authenticate(sqlite_engine, "ani", "tebakan salah", "10.0.0.9").reason == "bad_credentials"
    blocked = users.authenticate(sqlite_engine, "ani", GOOD, "10.0.0.9")
    assert blocked.principal is None and blocked.reason == "blocked"
    # Another address is not locked out by the guesser, so a colleague can still work.
    assert users.authenticate(sqlite_engine, "ani", GOOD, "10.0.0.10").principal is not None
    # Once the failures age out of the window, the first address may try again.
    with sqlite_engine.begin() as conn:
        conn.execute(update(SecurityEvent).values(at=SecurityEvent.at - timedelta(minutes=16)))
    assert users.authenticate(sqlite_engine, "ani", GOOD, "10.0.0.9").principal is not None


def test_unknown_user_login_is_logged_and_refused(sqlite_engine):
    result = users.authenticate(sqlite_engine, "nobody", GOOD, "10.0.0.2")
    assert result.principal is None and result.reason == "bad_credentials"
    event = recent_events(sqlite_engine, action="login")[0]
    assert (event["subject"], event["ok"], event["detail"]) == ("nobody", False, "unknown user")


def test_tokens_are_stored_hashed_kind_bound_revocable_and_expire(sqlite_engine):
    plain, info = tokens.create_token(sqlite_engine, "ingest", "BMKG gateway", ["observations:*"], "admin")
    with sqlite_engine.connect() as conn:
        stored = conn.execute(select(AuthToken.token_hash, AuthToken.prefix)).one()
    assert plain not in stored.token_hash and stored.token_hash == tokens.token_hash(plain)
    assert tokens.verify_token(sqlite_engine, "ingest", plain).id == info.id
    assert tokens.verify_token(sqlite_engine, "device", plain) is None  # an ingest token never opens a screen
    altered = plain[:-1] + ("B" if plain.endswith("A") else "A")  # one character off, never the same text
    assert tokens.verify_token(sqlite_engine, "ingest", altered) is None
    assert tokens.verify_token(sqlite_engine, "ingest", "' OR 1=1 --") is None

    device, dinfo = tokens.create_token(sqlite_engine, "device", "lobby", ["wall"], "admin", expires_days=1)
    assert tokens.verify_token(sqlite_engine, "device", device).scopes == ("wall",)
    with sqlite_engine.begin() as conn:
        conn.execute(update(AuthToken).where(AuthToken.id == dinfo.id).values(expires_at=AuthToken.created_at))
    assert tokens.verify_token(sqlite_engine, "device", device) is None

    revoked = tokens.revoke_token(sqlite_engine, info.id, "admin")
    assert revoked.revoked_at is not None and not revoked.active
    assert tokens.verify_token(sqlite_engine, "ingest", plain) is None
    with pytest.raises(ValueError, match="no token"):
        tokens.revoke_token(sqlite_engine, 999, "admin")


@pytest.mark.parametrize(
    ("kind", "scopes", "message"),
    [
        ("device", ["admin"], "cannot be an admin"),
        ("device", ["wall", "leader"], "exactly one"),
        ("ingest", [], "at least one"),
        ("ingest", ["obs;drop"], "bad scope"),
        ("robot", ["*"], "kind"),
    ],
)
def test_bad_token_requests_are_refused(sqlite_engine, kind, scopes, message):
    with pytest.raises(ValueError, match=message):
        tokens.create_token(sqlite_engine, kind, "x", scopes, "admin")


@pytest.mark.parametrize(
    ("scopes", "wanted", "allowed"),
    [
        (("*",), "complaints", True),
        (("observations",), "observations:water_level", True),
        (("observations:*",), "observations:pm25", True),
        (("observations:pm25",), "observations:rainfall", False),
        (("complaints",), "observations", False),
        (("observations",), "observationsx", False),
    ],
)
def test_scope_matching(scopes, wanted, allowed):
    assert tokens.scope_allows(scopes, wanted) is allowed


def test_personal_data_needs_an_accountable_person_with_the_grant(sqlite_engine):
    users.add_user(sqlite_engine, "rina", GOOD, "analyst", personal_data=True)
    users.add_user(sqlite_engine, "andi", GOOD, "analyst")
    rina = users.authenticate(sqlite_engine, "rina", GOOD).principal
    andi = users.authenticate(sqlite_engine, "andi", GOOD).principal
    assert may_see_personal(rina) and not may_see_personal(andi)
    assert not may_see_personal(OPEN_DEMO) and not may_see_personal(None)
    assert all("personal" not in PERMISSIONS[r] for r in ("wall", "leader", "analyst", "operator"))


def test_exports_are_recorded_with_who_what_and_how_many(sqlite_engine):
    record_export(sqlite_engine, "rina", "complaints.csv", {"district": "3671010"}, 1234, personal=True, ip="10.1.1.1")
    event = recent_events(sqlite_engine, action="export")[0]
    assert (event["actor"], event["subject"], event["ip"]) == ("rina", "complaints.csv", "10.1.1.1")
    assert '"rows": 1234' in event["detail"] and '"personal": true' in event["detail"]
