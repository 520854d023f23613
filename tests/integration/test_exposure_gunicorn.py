"""The start-up check where the bind is known: gunicorn bound to 0.0.0.0 never serves the open demo.

Before: `gunicorn -c gunicorn.conf.py -b 0.0.0.0:P dashboard.wsgi:server` with no users and no SECRET_KEY
served the open admin demo to the network, because the check read HOST (default 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from data.auth import users
from data.places import prepare_store
from data.store import make_engine
from tests.helpers.live import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "genangan air 2026"
STRONG = "k9Qm2vX7pL4tR8wZ1nB6cF3hJ5sD0gYe"


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'city.db'}"
    engine = make_engine(url)
    prepare_store(engine)
    yield url, engine
    engine.dispose()


def gunicorn(url: str, bind: str, log: Path, *, conf: bool = True, **env: str) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if k not in ("HOST", "SECRET_KEY", "TRUST_PROXY")}
    environ |= {"DATABASE_URL": url, "DEMO_ON_EMPTY": "0", "WEB_CONCURRENCY": "1", "PYTHONPATH": str(ROOT), **env}
    args = [sys.executable, "-m", "gunicorn", *(["-c", str(ROOT / "gunicorn.conf.py")] if conf else []), "-b", bind]
    return subprocess.Popen(  # noqa: S603
        [*args, "dashboard.wsgi:server"], cwd=ROOT, env=environ, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def whoami_when_up(proc: subprocess.Popen, port: int, log: Path) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            return requests.get(f"http://127.0.0.1:{port}/auth/whoami", timeout=5).json()
        except requests.RequestException:
            time.sleep(0.3)
    pytest.fail("gunicorn did not answer: " + log.read_text()[-3000:])


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("conf", [True, False], ids=["gunicorn.conf.py", "bare gunicorn"])
def test_gunicorn_on_all_interfaces_without_users_refuses_to_start(store, tmp_path, conf):
    url, _ = store
    port, log = free_port(), tmp_path / "gunicorn.log"
    proc = gunicorn(url, f"0.0.0.0:{port}", log, conf=conf)
    try:
        proc.wait(timeout=90)
    finally:
        stop(proc)
    assert proc.returncode != 0
    text = log.read_text()
    assert "refusing to start" in text and "no users are configured" in text and "SECRET_KEY" in text
    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{port}/auth/whoami", timeout=2)


def test_gunicorn_on_all_interfaces_never_grants_the_open_demo_even_when_the_last_user_goes(store, tmp_path):
    url, engine = store
    users.add_user(engine, "admin", PASSWORD, "admin")
    port, log = free_port(), tmp_path / "gunicorn.log"
    proc = gunicorn(url, f"0.0.0.0:{port}", log, SECRET_KEY=STRONG)
    try:
        assert whoami_when_up(proc, port, log)["authenticated"] is False
        users.set_active(engine, "admin", False)  # no active users now, yet the network still reaches it
        time.sleep(11)  # the per-process cache of the user count lives 10 s
        who = requests.get(f"http://127.0.0.1:{port}/auth/whoami", timeout=5).json()
        assert who["open_demo"] is False
        r = requests.get(f"http://127.0.0.1:{port}/admin", timeout=5, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].startswith("/login")
    finally:
        stop(proc)


def test_gunicorn_on_loopback_alone_still_serves_the_open_demo(store, tmp_path):
    url, _ = store
    port, log = free_port(), tmp_path / "gunicorn.log"
    proc = gunicorn(url, f"127.0.0.1:{port}", log)
    try:
        assert whoami_when_up(proc, port, log)["open_demo"] is True
        forwarded = requests.get(
            f"http://127.0.0.1:{port}/auth/whoami", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=5
        ).json()
        assert forwarded["open_demo"] is False  # a proxy nobody declared: the client is unknown
    finally:
        stop(proc)
