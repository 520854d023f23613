"""HMAC-SHA256 signatures over "<timestamp>." + body: what webhook receivers and a federation room verify.

One scheme for everything the room signs, so an integrator learns it once (docs/feeds.md shows a receiver).
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a receiver recomputes to trust a message (and reject one replayed later)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None, tolerance_s: int = 300
) -> bool:
    """The signature matches and the timestamp is within `tolerance_s` of now."""
    try:
        fresh = abs((now if now is not None else time.time()) - int(timestamp)) <= tolerance_s
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature or "")
