"""Who may write to a feed: the one decision every POST /api/v1/... route asks before touching data.

Two kinds of bearer token are accepted: ingest tokens from the database (`python -m dashboard tokens create
ingest --scope observations --source NAME`: stored hashed, revocable, scoped to feeds, bound to one source)
and, for compatibility, the one shared INGEST_TOKEN from the environment, which may write to every feed as
source 'api'. Open311 clients send the same token as the `api_key` parameter.
"""

from __future__ import annotations

import base64
import hmac

from flask import g, request

from callbacks.context import runtime as current_runtime
from data.auth.tokens import KINDS, LEGACY_SOURCE, scope_allows, verify_token

# open311 / sensorthings: read the Open311 / SensorThings API without a login
SCOPES = ("complaints", "observations", "metrics", "open311", "sensorthings", "summary")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def basic_password() -> str | None:
    """The password of HTTP Basic credentials (the user name is ignored): SensorThings clients such as
    frost-sta-client can send a token only that way."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2].strip() or None


def check_ingest_token(scope: str, given: str | None = None) -> bool:
    """True when this request's bearer token (or `given`, an Open311 api_key) may use `scope`: write a feed
    (complaints, observations, metrics) or read the Open311 API (open311), for city systems that have no
    person to log in.

    A database error while checking propagates (the app answers 503, so the sender retries) rather than
    turning into a refusal the sender would not retry.
    """
    runtime = current_runtime()
    given = given or bearer_token() or basic_password()
    g.ingest_token = None
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


def writer_source() -> str:
    """The source of the records this request writes: its token's (checked by `check_ingest_token` first)."""
    token = g.get("ingest_token")
    return (token.source if token is not None else None) or LEGACY_SOURCE
