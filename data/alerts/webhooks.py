"""Outbound webhooks: new danger alerts and incidents, signed with HMAC-SHA256, retried with backoff.

Events wait in an outbox table (`webhook_deliveries`), so a receiver that is down, or a restart,
loses nothing. Each POST carries:
  X-CityOps-Event: alert.danger | incident.opened
  X-CityOps-Delivery: the outbox id (receivers can drop repeats)
  X-CityOps-Timestamp: Unix seconds
  X-CityOps-Signature: sha256=HEX(HMAC_SHA256(secret, "<timestamp>.<body>"))
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select, update

from data.alerts.config import AlertConfig
from data.alerts.models import WebhookDelivery
from data.signing import sign
from data.store import utcnow

log = logging.getLogger(__name__)
BATCH = 20

Sender = Callable[[str, bytes, dict[str, str], float], int]


def _iso(moment: object) -> object:
    return moment.isoformat() + "Z" if isinstance(moment, datetime) else moment


def enqueue(conn: Connection, config: AlertConfig, event: str, data: dict, now: datetime) -> int:
    """Queue one event for every configured URL (none when no URLs are set)."""
    if not config.webhook_urls or event not in config.webhook.events:
        return 0
    body = json.dumps(
        {"event": event, "created_at": _iso(now), "data": {k: _iso(v) for k, v in data.items()}},
        ensure_ascii=False,
        sort_keys=True,
    )
    for url in config.webhook_urls:
        conn.execute(
            WebhookDelivery.__table__.insert().values(
                event=event, url=url, payload=body, status="pending", attempts=0, next_attempt_at=now, created_at=now
            )
        )
    return len(config.webhook_urls)


def http_post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    """POST and return the HTTP status (0 when the receiver could not be reached)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - configured URLs
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, TimeoutError, OSError):
        return 0


def deliver_due(engine: Engine, config: AlertConfig, now: datetime | None = None, send: Sender = http_post) -> dict:
    """Send what is due; a failure waits backoff_s, then twice that, ... until max_attempts."""
    now = now or utcnow()
    policy = config.webhook
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with engine.connect() as conn:
        table = WebhookDelivery.__table__
        due = conn.execute(
            select(table)
            .where(table.c.status == "pending", table.c.next_attempt_at <= now)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
    for item in due:
        lease = now + timedelta(seconds=policy.timeout_s * 3)
        with engine.begin() as conn:  # claim it, so a second evaluator never sends the same delivery
            claimed = conn.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == item.id, WebhookDelivery.next_attempt_at == item.next_attempt_at)
                .values(next_attempt_at=lease)
            ).rowcount
        if not claimed:
            continue
        body = item.payload.encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "city-ops-room",
            "X-CityOps-Event": item.event,
            "X-CityOps-Delivery": str(item.id),
            "X-CityOps-Timestamp": stamp,
        }
        if config.webhook_secret:
            headers["X-CityOps-Signature"] = sign(config.webhook_secret, stamp, body)
        status = send(item.url, body, headers, policy.timeout_s)
        attempts = item.attempts + 1
        if 200 <= status < 300:
            values = {"status": "sent", "attempts": attempts, "sent_at": utcnow(), "last_error": None}
            counts["sent"] += 1
        elif attempts >= policy.max_attempts:
            values = {"status": "failed", "attempts": attempts, "last_error": f"HTTP {status or 'unreachable'}"}
            counts["failed"] += 1
            log.warning("webhook %s to %s failed after %d attempts", item.id, item.url, attempts)
        else:
            wait = policy.backoff_s * 2 ** (attempts - 1)
            values = {
                "attempts": attempts,
                "next_attempt_at": now + timedelta(seconds=wait),
                "last_error": f"HTTP {status or 'unreachable'}",
            }
            counts["retry"] += 1
        with engine.begin() as conn:
            conn.execute(update(WebhookDelivery).where(WebhookDelivery.id == item.id).values(**values))
    return counts
