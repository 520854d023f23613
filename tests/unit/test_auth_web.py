"""The server-side checks through real HTTP requests: login, roles per page and callback, device tokens, refusals."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.app import create_app
from dashboard.auth import safe_next
from dashboard.exposure import StartupRefusedError
from dashboard.settings import Settings
from data.alerts.models import Alert
from data.alerts.queries import audit_trail
from data.auth import sessions, users
from data.auth.events import recent_events
from data.auth.models import AuthSession
from data.places import prepare_store
from data.store import make_engine, utcnow
from tests.helpers.callbacks import body_for, callback_key

PASSWORD = "genangan air 2026"
ROLES = ("wall", "leader", "analyst", "operator", "admin")
# (path, roles allowed)
PAGE_MATRIX = [
    ("/wall", set(ROLES)),
    ("/", set(ROLES)),
    ("/leader", {"leader", "analyst", "operator", "admin"}),
    ("/analyst", {"analyst", "admin"}),
    ("/ops", {"operator", "admin"}),
    ("/admin", {"admin"}),
]


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """An app with one person per role (so login is required), built once for this module."""
    path = tmp_path_factory.mktemp("auth") / "city.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_store(engine)
    for role in ROLES:
        users.add_user(engine, f"{role}1", PASSWORD, role)
    app = create_app(Settings(database_url=f"sqlite:///{path}"))
    yield app, engine
    engine.dispose()


def login(client, username: str, password: str = PASSWORD, nxt: str = ""):
    return client.post("/auth/login", data={"username": username, "password": password, "next": nxt})


def pages_request(path: str) -> dict:
    """The body Dash's page router sends when the browser shows `path`."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def callback_request(app, output_id: str) -> dict:  # noqa: ANN001
    """A body for the registered callback whose outputs include `output_id` (no values)."""
    return body_for(app, callback_key(app, output=output_id), {})


def test_without_login_pages_redirect_to_login_keeping_the_address(secured):
    app, _ = secured
    client = app.server.test_client()
    r = client.get("/leader?district=3671010")
    assert r.status_code == 303
    assert r.headers["Location"] == "/login?next=%2Fleader%3Fdistrict%3D3671010"
    assert client.get("/login").status_code == 200
    assert client.post("/_dash-update-component", json=callback_request(app, "wall-kpis")).status_code == 401
    assert client.post("/_dash-update-component", json=pages_request("/wall")).status_code == 401
    assert client.post("/_dash-update-component", json=pages_request("/login")).status_code == 200
    assert client.get("/api/health").status_code in (200, 503)  # public for monitoring


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_its_pages_and_callbacks(secured, role):
    app, _ = secured
    client = app.server.test_client()
    r = login(client, f"{role}1")
    assert r.status_code == 303
    for path, allowed in PAGE_MATRIX:
        expected = 200 if role in allowed else 403
        assert client.get(path).status_code == expected, (role, path)
        routed = client.post("/_dash-update-component", json=pages_request(path)).status_code
        assert (routed == 403) is (role not in allowed), (role, path, routed)
    for output_id, allowed in (
        ("wall-kpis", set(ROLES)),
        ("analyst-chart-map", {"analyst", "admin"}),
        ("ops-alert-detail", {"operator", "admin"}),
        ("admin-users-grid", {"admin"}),
    ):
        status = client.post("/_dash-update-component", json=callback_request(app, output_id)).status_code
        assert (status == 403) is (role not in allowed), (role, output_id, status)
    # A key no callback declared a permission for never runs, for anyone.
    unknown = {**callback_request(app, "wall-kpis"), "output": "zz-secret.children"}
    assert client.post("/_dash-update-component", json=unknown).status_code == 404


def test_login_lands_where_asked_but_never_off_site(secured):
    app, _ = secured
    client = app.server.test_client()
    assert login(client, "leader1", nxt="/leader/district/3671010").headers["Location"] == "/leader/district/3671010"
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example", "/login?next=/x", "javascript:x"):
        assert login(client, "leader1", nxt=evil).headers["Location"] == "/leader"
    assert safe_next("/ops?x=1") == "/ops?x=1" and safe_next("/wall\r\nSet-Cookie: a=b") == ""


def test_wrong_password_says_so_and_sets_no_session(secured):
    app, _ = secured
    client = app.server.test_client()
    r = login(client, "admin1", "salah sekali ya")
    assert r.headers["Location"].startswith("/login?error=bad_credentials")
    assert client.get("/auth/whoami").get_json()["authenticated"] is False
    assert client.get("/admin").status_code == 303


def test_session_cookie_is_httponly_samesite_and_logout_ends_it(secured):
    app, _ = secured
    client = app.server.test_client()
    cookie = login(client, "operator1").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/ops").status_code == 200
    assert client.get("/auth/logout").status_code == 303
    assert client.get("/ops").status_code == 303


def test_disabling_a_person_ends_their_open_session(secured):
    app, engine = secured
    users.add_user(engine, "temp1", PASSWORD, "leader")
    client = app.server.test_client()
    login(client, "temp1")
    assert client.get("/leader").status_code == 200
    users.set_active(engine, "temp1", False)
    app.server.extensions["city_runtime"].extras["auth"].clear()  # the per-process cache holds answers 10 s
    assert client.get("/leader").status_code == 303


def _age_sessions(engine, **shift: float) -> None:
    """Move every session's clock back, as if `hours` or `days` had passed."""
    delta = timedelta(**shift)
    with engine.begin() as conn:
        rows = conn.execute(select(AuthSession.id, AuthSession.created_at, AuthSession.last_seen_at,
                                   AuthSession.expires_at)).all()  # fmt: skip
        for r in rows:
            conn.execute(
                update(AuthSession)
                .where(AuthSession.id == r.id)
                .values(created_at=r.created_at - delta, last_seen_at=r.last_seen_at - delta,
                        expires_at=r.expires_at - delta)
            )  # fmt: skip


def test_person_session_expires_after_session_hours(secured):
    app, engine = secured
    client = app.server.test_client()
    login(client, "leader1")
    _age_sessions(engine, hours=13)
    app.server.extensions["city_runtime"].extras["auth"].clear()
    assert client.get("/leader").status_code == 303


def test_a_cookie_saved_before_logout_no_longer_works(secured):
    """Before: logout only cleared the browser's cookie; a saved copy worked for up to 12 hours."""
    app, _ = secured
    client = app.server.test_client()
    login(client, "analyst1")
    saved = client.get_cookie("city_session").value
    assert client.get("/analyst").status_code == 200
    client.get("/auth/logout")
    thief = app.server.test_client()
    thief.set_cookie("city_session", saved)
    assert thief.get("/analyst").status_code == 303
    assert thief.get("/auth/whoami").get_json()["authenticated"] is False


@pytest.mark.parametrize("change", ["password", "role", "disable", "logout-everywhere"])
def test_account_changes_end_every_open_session_at_once(secured, change):
    app, engine = secured
    name = f"temp-{change}"
    users.add_user(engine, name, PASSWORD, "analyst")
    phone, laptop = app.server.test_client(), app.server.test_client()
    login(phone, name)
    login(laptop, name)
    assert laptop.get("/analyst").status_code == 200
    assert len(sessions.open_sessions(engine, user_id=users.get_user(engine, name).id)) == 2
    {
        "password": lambda: users.set_password(engine, name, "sungai meluap lagi 9"),
        "role": lambda: users.set_role(engine, name, "leader", False),
        "disable": lambda: users.set_active(engine, name, False),
        "logout-everywhere": lambda: users.end_user_sessions(engine, name),
    }[change]()
    time.sleep(1.1)  # the per-process answer for a session lives one second
    for client in (phone, laptop):
        assert client.get("/analyst").status_code == 303
    assert sessions.open_sessions(engine, user_id=users.get_user(engine, name).id) == []


def test_cross_site_posts_are_refused(secured):
    app, _ = secured
    client = app.server.test_client()
    login(client, "admin1")
    body = callback_request(app, "wall-kpis")
    assert (
        client.post("/_dash-update-component", json=body, headers={"Origin": "http://evil.example"}).status_code == 403
    )
    evil_login = client.post("/auth/login", data={"username": "a"}, headers={"Origin": "null"})
    assert evil_login.status_code == 403


def test_denied_page_visits_are_logged(secured):
    app, engine = secured
    client = app.server.test_client()
    login(client, "wall1")
    client.get("/admin")
    event = recent_events(engine, action="denied")[0]
    assert (event["actor"], event["subject"], event["ok"]) == ("wall1", "/admin", False)


def test_open_demo_on_loopback_runs_without_login_but_shows_no_personal_fields(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    client = app.server.test_client()
    assert client.get("/analyst").status_code == 200
    who = client.get("/auth/whoami").get_json()
    assert who["open_demo"] is True and who["authenticated"] is False


@pytest.mark.parametrize("host", ["0.0.0.0", "10.20.30.40", "city.example.go.id"])
def test_refuses_to_start_on_a_network_address_without_users_or_with_a_weak_secret(sqlite_engine, settings_for, host):
    url = str(sqlite_engine.url)
    with pytest.raises(StartupRefusedError, match="no users are configured"):
        create_app(settings_for(url, host=host, secret_key="x" * 10 + "abcdefghijklmnopqrstuvwxyz"))
    users.add_user(sqlite_engine, "admin", PASSWORD, "admin")
    for weak in ("", "changeme", "short-but-random"):
        with pytest.raises(StartupRefusedError, match="SECRET_KEY"):
            create_app(settings_for(url, host=host, secret_key=weak))
    app = create_app(settings_for(url, host=host, secret_key="k9Qm2vX7pL4tR8wZ1nB6cF3hJ5sD0gYe"))
    client = app.server.test_client()
    assert client.get("/wall").status_code == 303  # users exist: login required
    cookie = login(client, "admin").headers["Set-Cookie"]
    assert "Secure" in cookie  # off loopback the session cookie is HTTPS-only


def test_audit_trails_name_the_logged_in_person_not_a_typed_name(secured):
    """The console's name field is for the open demo: a logged-in operator's actions carry their account."""
    app, engine = secured
    with Session(engine) as db, db.begin():
        alert = Alert(
            rule="uji", kind="threshold", severity="warning", title="Uji", opened_at=utcnow(), last_seen_at=utcnow()
        )
        db.add(alert)
        db.flush()
        alert_id = alert.id
    client = app.server.test_client()
    login(client, "operator1")
    key = callback_key(app, output="ops-feedback", state_id="ops-alert-grid")
    body = body_for(app, key, {"ops-operator": "Pak Palsu", "ops-alert-grid": [{"id": alert_id}]})
    answer = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200 and "operator1" in answer.get_data(as_text=True)
    assert set(audit_trail(engine, alert_id=alert_id)["actor"]) == {"operator1"}
