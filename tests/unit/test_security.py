"""Headers, limits and error answers of the running app, and ingest tokens through the real API routes."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import func, select

from dashboard.app import create_app
from dashboard.security import content_security_policy, describe_database_error
from data.auth import tokens
from data.models import Observation, Sensor


@pytest.fixture
def app(small_city, settings_for):
    return create_app(settings_for(str(small_city.url), ingest_token="shared-legacy-token-0123456789abcdef"))


def _sensor(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(select(Sensor.id).where(Sensor.kind == "water_level").limit(1)).scalar_one()


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Observation)).scalar_one()


def test_pages_carry_security_headers_and_a_csp_dash_can_live_with(app):
    client = app.server.test_client()
    r = client.get("/wall")
    h = r.headers
    csp = h["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp and "base-uri 'self'" in csp
    assert "script-src 'self' 'unsafe-eval' 'sha256-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "SAMEORIGIN"
    assert h["Referrer-Policy"] == "same-origin" and h["Cache-Control"] == "no-store"
    # Each inline script of the page is allowed by its hash, and only those.
    html = r.get_data(as_text=True)
    assert html.count("<script") > 1 and '<script src="/_trust/guard.js"' in html.replace("\n", "")
    assert client.get("/_trust/guard.js").headers["Content-Type"].startswith("application/javascript")


def test_csp_adds_the_tile_server_and_configured_sources(settings_for):
    settings = settings_for("sqlite://", tile_url="https://tiles.example.go.id/{z}/{x}/{y}.png",
                            csp_extra_sources="https://cctv.example.go.id")  # fmt: skip
    csp = content_security_policy(settings, [])
    assert "img-src 'self' data: blob: https://tiles.example.go.id https://cctv.example.go.id" in csp
    assert "media-src 'self' blob: https://cctv.example.go.id" in csp


def test_oversized_and_malformed_requests_get_4xx_never_500(app):
    client = app.server.test_client()
    auth = {"Authorization": "Bearer shared-legacy-token-0123456789abcdef"}
    big = b"[" + b"1," * (6 * 1024 * 1024) + b"1]"
    r = client.post("/api/v1/observations", data=big, headers=auth, content_type="application/json")
    assert r.status_code == 413 and "too large" in r.get_json()["error"]
    for body in (b"{", b"\xff\xfe", b"[]", b'{"sensor_id": ', b"null"):
        r = client.post("/api/v1/observations", data=body, headers=auth, content_type="application/json")
        assert 400 <= r.status_code < 500, (body, r.status_code)
    r = client.post("/_dash-update-component", data=b"{", content_type="application/json")
    assert r.status_code == 400
    for path, method in (("/api/health", "post"), ("/api/v1/observations", "get"), ("/open311/v2/x", "delete")):
        r = getattr(client, method)(path)
        assert r.status_code in (404, 405) and b"Traceback" not in r.data


def test_an_unexpected_error_shows_a_reference_not_a_traceback(app):
    def broken():
        raise RuntimeError("secret internals /etc/passwd")

    app.server.add_url_rule("/api/broken", "broken", broken)
    r = app.server.test_client().get("/api/broken")
    assert r.status_code == 500
    assert "reference" in r.get_json()["error"] and b"secret internals" not in r.data and b"Traceback" not in r.data


@pytest.mark.parametrize(
    ("driver_message", "expected"),
    [
        ("attempt to write a readonly database", "read-only"),
        ("database or disk is full", "disk is full"),
        ("could not connect to server: Connection refused", "unavailable"),
        ("database is locked", "busy"),
    ],
)
def test_database_faults_are_described_so_an_operator_can_act(driver_message, expected):
    assert expected in describe_database_error(Exception(driver_message))


def test_ingest_tokens_from_the_database_are_scoped_and_revocable(app, small_city):
    client = app.server.test_client()
    sensor = _sensor(small_city)
    obs_token, obs_info = tokens.create_token(small_city, "ingest", "river gateway", ["observations"], "admin")
    complaints_token, _ = tokens.create_token(small_city, "ingest", "LAPOR bridge", ["complaints"], "admin")
    wall_token, _ = tokens.create_token(small_city, "device", "lobby", ["wall"], "admin")
    body = orjson.dumps([{"sensor_id": sensor, "observed_at": "2026-11-20T05:00:00Z", "value": 1.25}])
    before = _count(small_city)

    def post(token: str):
        return client.post("/api/v1/observations", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    assert post(complaints_token).status_code == 401  # wrong feed
    assert post(wall_token).status_code == 401  # a wall screen's token never writes
    assert post("cin_" + "A" * 43).status_code == 401
    assert _count(small_city) == before
    assert post(obs_token).status_code == 201
    assert _count(small_city) == before + 1
    tokens.revoke_token(small_city, obs_info.id, "admin")
    assert post(obs_token).status_code == 401
    assert post("shared-legacy-token-0123456789abcdef").status_code == 201  # INGEST_TOKEN still accepted


def test_other_city_systems_read_open311_with_a_token_scoped_to_it_once_logins_exist(app, small_city):
    from data.auth import users

    users.add_user(small_city, "kepala", "a-long-enough-passphrase-123", "leader", actor="test")
    client = app.server.test_client()
    reader, reader_info = tokens.create_token(small_city, "ingest", "Satu Data Tangerang", ["open311"], "admin")
    writer, _ = tokens.create_token(small_city, "ingest", "river gateway", ["observations"], "admin")

    def get(token: str | None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get("/open311/v2/services.json", headers=headers)

    assert get(None).status_code == 401
    assert get(writer).status_code == 401  # a feed's writer may not read
    answer = get(reader)
    assert answer.status_code == 200 and isinstance(answer.get_json(), list)
    tokens.revoke_token(small_city, reader_info.id, "admin")
    assert get(reader).status_code == 401
