"""Who may write to a feed: the one decision every POST /api/v1/... route asks before touching data.

Today one shared bearer token (INGEST_TOKEN) may write to every feed; scoped, revocable tokens can replace
the body of `check_ingest_token` without any route changing.
"""

from __future__ import annotations

import hmac

from flask import current_app, request

from callbacks.context import RUNTIME_KEY

SCOPES = ("complaints", "observations", "metrics")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def check_ingest_token(scope: str) -> bool:
    """True when this request's bearer token may write to `scope` (a feed: complaints, observations, metrics)."""
    expected = current_app.extensions[RUNTIME_KEY].settings.ingest_token
    given = bearer_token()
    if not expected or not given or scope not in SCOPES:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())
