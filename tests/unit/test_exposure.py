"""Who may reach the open demo: the bind the server declares, the client behind proxies, the key's strength."""

from __future__ import annotations

import socket

import pytest

from dashboard import exposure
from dashboard.app import create_app
from dashboard.exposure import StartupRefusedError
from data.auth import users

PASSWORD = "genangan air 2026"
STRONG = "k9Qm2vX7pL4tR8wZ1nB6cF3hJ5sD0gYe"


def whoami(app, **headers: str) -> dict:
    return app.server.test_client().get("/auth/whoami", headers=headers).get_json()


def test_open_demo_only_for_a_local_client_of_a_loopback_bind(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    assert whoami(app)["open_demo"] is True
    # A proxy in front that nobody declared (TRUST_PROXY=0): the real client is unknown, so no demo.
    assert whoami(app, **{"X-Forwarded-For": "203.0.113.7"})["open_demo"] is False
    assert whoami(app, Forwarded="for=203.0.113.7")["open_demo"] is False
    remote = app.server.test_client().get("/auth/whoami", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.get_json()["open_demo"] is False


def test_behind_a_trusted_proxy_the_forwarded_client_decides(sqlite_engine, settings_for):
    """Before: TRUST_PROXY=1 and a request forwarded for 203.0.113.7 got the open admin demo."""
    app = create_app(settings_for(str(sqlite_engine.url), trust_proxy=1))
    client = app.server.test_client()
    assert whoami(app, **{"X-Forwarded-For": "203.0.113.7"})["open_demo"] is False
    assert client.get("/analyst", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 303
    assert whoami(app, **{"X-Forwarded-For": "127.0.0.1"})["open_demo"] is True
    assert whoami(app)["open_demo"] is False  # the proxy forwarded nothing: the client is unknown
    # Only the last TRUST_PROXY addresses are trusted: a spoofed 127.0.0.1 in front of them changes nothing.
    assert whoami(app, **{"X-Forwarded-For": "127.0.0.1, 203.0.113.7"})["open_demo"] is False


def test_a_server_whose_bind_is_unknown_checks_as_if_on_the_network(sqlite_engine, settings_for):
    url = str(sqlite_engine.url)
    with pytest.raises(StartupRefusedError, match="no users are configured"):
        create_app(settings_for(url), bind=exposure.UNKNOWN)
    pending = create_app(settings_for(url), bind=exposure.PENDING)  # gunicorn.conf.py declares it later
    assert whoami(pending)["open_demo"] is False
    runtime = pending.server.extensions["city_runtime"]
    with pytest.raises(StartupRefusedError, match="0.0.0.0:8065"):
        exposure.declare_bind(runtime, ["0.0.0.0:8065"])
    assert whoami(pending)["open_demo"] is False
    exposure.declare_bind(runtime, ["127.0.0.1:8065", "[::1]:8065"])
    assert whoami(pending)["open_demo"] is True


def test_bind_addresses_are_read_from_real_listeners():
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        (address,) = exposure.listener_addresses([s])
    assert address.startswith("0.0.0.0:") and not exposure.bound_to_loopback_only([address])
    assert exposure.bound_to_loopback_only(["127.0.0.1:8050", "[::1]:8050", "localhost"])
    assert not exposure.bound_to_loopback_only(["127.0.0.1:8050", "10.0.0.5:8050"])
    assert not exposure.bound_to_loopback_only(["unix:/run/city.sock"]) and not exposure.bound_to_loopback_only([])


@pytest.mark.parametrize(
    "key",
    ["passwordpasswordpasswordpassword1234", "abababababababababababababababababababab", "x" * 64,
     "0123456789abcdefghijklmnopqrstuvwxyz", "short-but-random"],
)  # fmt: skip
def test_long_but_guessable_secret_keys_are_refused_off_loopback(sqlite_engine, settings_for, key):
    """Before: a 36-character key of a repeated word passed the length rule."""
    users.add_user(sqlite_engine, "admin", PASSWORD, "admin")
    assert exposure.secret_problem(key) is not None
    with pytest.raises(StartupRefusedError, match="guessable"):
        create_app(settings_for(str(sqlite_engine.url), host="0.0.0.0", secret_key=key))


def test_random_keys_pass_and_the_cli_makes_one(capsys, monkeypatch):
    from dashboard.cli import main

    assert main(["secret"]) == 0
    made = capsys.readouterr().out.strip()
    assert len(made) >= 60 and exposure.secret_problem(made) is None and exposure.secret_problem(STRONG) is None
    monkeypatch.setenv("SECRET_KEY", "passwordpasswordpasswordpassword1234")
    assert main(["secret", "--check"]) == 1 and "guessable" in capsys.readouterr().out
    monkeypatch.setenv("SECRET_KEY", made)
    assert main(["secret", "--check"]) == 0


def test_health_during_an_outage_never_shows_the_driver_text(sqlite_engine, settings_for):
    """Before: the anonymous /api/health showed the driver's error, naming the database host and port."""
    from data.store import database_state, make_engine

    app = create_app(settings_for(str(sqlite_engine.url)))
    runtime = app.server.extensions["city_runtime"]
    runtime.engine = make_engine("postgresql+psycopg://city:rahasia@127.0.0.1:9/nowhere?connect_timeout=2")
    r = app.server.test_client().get("/api/health")
    state = database_state(runtime.engine)
    assert r.status_code == 503 and state["ok"] is False
    for text in (r.get_data(as_text=True).lower(), str(state).lower()):
        for leak in ("127.0.0.1", "rahasia", "nowhere", "refused", "psycopg", "port"):
            assert leak not in text, leak
