"""A receiver that verifies deliveries with exactly the snippet docs/feeds.md gives integrators."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from data import signing
from data.alerts import webhooks
from data.alerts.config import load_config
from tests.helpers.live import LoopbackHttp, QuietHandler

DOC = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"
NOW = datetime(2026, 11, 20, 5, 0)
SECRET = "receiver-secret"


def documented_verifier():
    """The first Python block of the doc's Webhooks section, run as the integrator would paste it."""
    section = DOC.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_cityops"]


class VerifyingReceiver:
    """Answers 204 to a delivery the documented snippet accepts and 401 to anything else."""

    def __init__(self, secret: str) -> None:
        verify = documented_verifier()
        self.accepted: list[bytes] = []
        self.rejected = 0
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = verify(  # http.server's headers are case-insensitive, as Flask's are
                    secret, self.headers.get("X-CityOps-Timestamp", ""), self.headers.get("X-CityOps-Signature", ""),
                    body,
                )  # fmt: skip
                if ok:
                    outer.accepted.append(body)
                else:
                    outer.rejected += 1
                self.send_response(204 if ok else 401)
                self.end_headers()

        self.http = LoopbackHttp(Handler, "/hook")
        self.url = self.http.url

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def receiver():
    r = VerifyingReceiver(SECRET)
    yield r
    r.close()


def _deliver(engine, url, secret):
    config = replace(load_config(), webhook_urls=(url,), webhook_secret=secret)
    with engine.begin() as conn:
        webhooks.enqueue(conn, config, "alert.danger", {"id": 7, "title": "Pos Uji 330 cm", "opened_at": NOW}, NOW)
    return webhooks.deliver_due(engine, config, NOW)


def test_the_documented_snippet_accepts_a_real_signed_delivery(sqlite_engine, receiver):
    assert _deliver(sqlite_engine, receiver.url, SECRET) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(receiver.accepted) == 1 and b'"alert.danger"' in receiver.accepted[0]


def test_the_documented_snippet_refuses_a_wrong_key_and_the_room_retries(sqlite_engine, receiver):
    assert _deliver(sqlite_engine, receiver.url, "not-the-receivers-key") == {"sent": 0, "retry": 1, "failed": 0}
    assert receiver.rejected == 1 and receiver.accepted == []


def test_the_documented_snippet_refuses_tampering_and_replays():
    verify = documented_verifier()
    body = b'{"event": "alert.danger"}'
    fresh = str(int(time.time()))
    assert verify(SECRET, fresh, signing.sign(SECRET, fresh, body), body)
    assert not verify(SECRET, fresh, signing.sign(SECRET, fresh, body), body + b" ")  # body changed
    stale = str(int(time.time()) - 301)  # outside the documented 300 s window: a replay
    assert not verify(SECRET, stale, signing.sign(SECRET, stale, body), body)
    assert not verify(SECRET, "", signing.sign(SECRET, fresh, body), body)  # no timestamp
    assert not verify(SECRET, fresh, "", body)  # unsigned
