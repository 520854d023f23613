"""Webhooks to a real HTTP receiver: signed with HMAC, retried with backoff, given up after max attempts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from data import signing
from data.alerts import webhooks
from data.alerts.config import load_config
from data.alerts.models import WebhookDelivery
from tests.helpers.live import LoopbackHttp, QuietHandler

NOW = datetime(2026, 11, 20, 5, 0)
SECRET = "s3cret-for-tests"


class Receiver:
    """A tiny HTTP server that answers with the statuses it is told, and keeps what it received."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

        self.http = LoopbackHttp(Handler, "/hook")
        self.url = self.http.url

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def receiver_factory():
    made = []

    def make(statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _queue(engine, config):
    with engine.begin() as conn:
        webhooks.enqueue(conn, config, "alert.danger", {"id": 7, "title": "Pos Uji 330 cm", "opened_at": NOW}, NOW)


def test_a_delivery_is_signed_and_the_receiver_can_verify_it(sqlite_engine, receiver_factory):
    receiver = receiver_factory([200])
    config = replace(load_config(), webhook_urls=(receiver.url,), webhook_secret=SECRET)
    _queue(sqlite_engine, config)
    assert webhooks.deliver_due(sqlite_engine, config, NOW) == {"sent": 1, "retry": 0, "failed": 0}
    headers, body = receiver.received[0]
    assert headers["x-cityops-event"] == "alert.danger"
    assert signing.verify(SECRET, headers["x-cityops-timestamp"], body, headers["x-cityops-signature"])
    assert not signing.verify("wrong", headers["x-cityops-timestamp"], body, headers["x-cityops-signature"])
    payload = json.loads(body)
    assert payload["data"]["title"] == "Pos Uji 330 cm" and payload["data"]["opened_at"] == "2026-11-20T05:00:00Z"
    # Sent once: a second pass finds nothing due.
    assert webhooks.deliver_due(sqlite_engine, config, NOW + timedelta(hours=1))["sent"] == 0


def test_failures_back_off_doubling_then_succeed(sqlite_engine, receiver_factory):
    receiver = receiver_factory([500, 503, 200])
    config = replace(load_config(), webhook_urls=(receiver.url,), webhook_secret=SECRET)
    backoff = config.webhook.backoff_s
    _queue(sqlite_engine, config)
    assert webhooks.deliver_due(sqlite_engine, config, NOW)["retry"] == 1
    assert webhooks.deliver_due(sqlite_engine, config, NOW + timedelta(seconds=backoff - 1))["retry"] == 0  # waits
    assert webhooks.deliver_due(sqlite_engine, config, NOW + timedelta(seconds=backoff))["retry"] == 1
    later = NOW + timedelta(seconds=backoff + 2 * backoff)
    assert webhooks.deliver_due(sqlite_engine, config, later)["sent"] == 1
    assert len(receiver.received) == 3


def test_an_unreachable_receiver_is_given_up_after_max_attempts_and_kept_for_inspection(sqlite_engine):
    config = replace(load_config(), webhook_urls=("http://127.0.0.1:9/nothing-listens",))
    config = replace(config, webhook=replace(config.webhook, max_attempts=2, backoff_s=1, timeout_s=1))
    _queue(sqlite_engine, config)
    webhooks.deliver_due(sqlite_engine, config, NOW)
    assert webhooks.deliver_due(sqlite_engine, config, NOW + timedelta(seconds=5))["failed"] == 1
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(WebhookDelivery.status, WebhookDelivery.attempts, WebhookDelivery.last_error)).one()
    assert row.status == "failed" and row.attempts == 2 and "unreachable" in row.last_error


def test_outbox_on_postgresql(pg_engine, receiver_factory):
    receiver = receiver_factory([200])
    config = replace(load_config(), webhook_urls=(receiver.url,), webhook_secret=SECRET)
    _queue(pg_engine, config)
    assert webhooks.deliver_due(pg_engine, config, NOW)["sent"] == 1
