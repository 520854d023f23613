"""Who may write to a feed: the one decision every POST /api/v1/... route asks before touching data.

Two kinds of bearer token are accepted: ingest tokens from the database (`python -m dashboard tokens create
ingest --scope observations`: stored hashed, revocable, scoped to feeds) and, for compatibility, the one shared
INGEST_TOKEN from the environment, which may write to every feed.
"""

from __future__ import annotations

import hmac

from flask import current_app, g, request

from callbacks.context import RUNTIME_KEY
from data.auth.tokens import KINDS, scope_allows, verify_token

SCOPES = ("complaints", "observations", "metrics", "open311")  # open311: read the Open311 API without a login


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def check_ingest_token(scope: str) -> bool:
    """True when this request's bearer token may use `scope`: write a feed (complaints, observations, metrics)
    or read the Open311 API (open311), for city systems that have no person to log in.

    A database error while checking propagates (the app answers 503, so the sender retries) rather than
    turning into a refusal the sender would not retry.
    """
    runtime = current_app.extensions[RUNTIME_KEY]
    given = bearer_token()
    if not given or scope.split(":", 1)[0] not in SCOPES:
        return False
    if given.startswith(KINDS["ingest"]):
        token = verify_token(runtime.engine, "ingest", given)
        if token is None or not scope_allows(token.scopes, scope):
            return False
        g.ingest_token = token
        return True
    expected = runtime.settings.ingest_token
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
