"""Device tokens (wall screens) and ingest tokens (feeds): random secrets shown once, stored as SHA-256.

A token is 32 random bytes, so a fast hash is safe here (no guessing to slow down) and a lookup is one
indexed query. The kind is part of the token text and of the row: a wall token can never write data
and an ingest token can never open a page.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from data.auth.events import record_event
from data.auth.models import AuthToken
from data.auth.roles import check_role
from data.store import utcnow

KINDS = {"device": "cdv_", "ingest": "cin_"}
TOKEN_RE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
TOUCH_EVERY = timedelta(minutes=5)
SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
LEGACY_SOURCE = "api"  # the source of the shared INGEST_TOKEN and of ingest tokens made before sources


@dataclass(frozen=True)
class TokenInfo:
    id: int
    kind: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    source: str | None = None  # ingest tokens: the one source whose records this token writes

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def _info(row: AuthToken) -> TokenInfo:
    scopes = tuple(s for s in row.scopes.split(",") if s)
    return TokenInfo(
        row.id,
        row.kind,
        row.name,
        row.prefix,
        scopes,
        row.created_by,
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.last_used_at,
        row.source if row.kind == "ingest" else None,
    )


def _check_scopes(kind: str, scopes: list[str]) -> list[str]:
    cleaned = sorted({s.strip().lower() for s in scopes if s.strip()})
    if kind == "device":
        if len(cleaned) != 1:
            raise ValueError("a device token has exactly one role (usually 'wall')")
        check_role(cleaned[0])
        if cleaned[0] == "admin":
            raise ValueError("a device token cannot be an admin: admins are people who log in")
        return cleaned
    if not cleaned:
        raise ValueError("an ingest token needs at least one feed scope, e.g. 'observations' or '*'")
    for scope in cleaned:
        if not all(c.isalnum() or c in "._:*-" for c in scope) or len(scope) > 64:
            raise ValueError(f"bad scope {scope!r}: letters, digits, '.', '_', ':', '-' or '*'")
    return cleaned


def source_for(name: str, source: str | None) -> str:
    """The source an ingest token writes: the one given, else its name made into a slug ('LAKSA feed' ->
    'laksa-feed'); a record's source is its sender's, so one system can never overwrite another's."""
    text = (source or "").strip().lower() or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
    if not SOURCE_RE.match(text):
        raise ValueError(f"bad source {text!r}: 1-40 lowercase letters, digits, '.', '_' or '-'")
    return text


def create_token(
    engine: Engine,
    kind: str,
    name: str,
    scopes: list[str],
    created_by: str,
    expires_days: int | None = None,
    source: str | None = None,
) -> tuple[str, TokenInfo]:
    """Create a token and return its text (shown this once, never stored) with its record; an ingest token
    is bound to one source (`source_for`)."""
    if kind not in KINDS:
        raise ValueError(f"token kind must be one of {', '.join(KINDS)}")
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValueError("a token needs a name of 1-120 characters, e.g. 'wall screen 3, lobby'")
    if expires_days is not None and expires_days <= 0:
        raise ValueError("expiry must be a positive number of days")
    clean = _check_scopes(kind, scopes)
    if kind == "device" and source:
        raise ValueError("a device token writes nothing, so it has no source")
    bound = source_for(name, source) if kind == "ingest" else None
    plain = KINDS[kind] + secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            AuthToken.__table__.insert().values(
                kind=kind,
                name=name,
                token_hash=token_hash(plain),
                prefix=plain[:10],
                scopes=",".join(clean),
                source=bound,
                created_by=created_by,
                created_at=now,
                expires_at=now + timedelta(days=expires_days) if expires_days else None,
            )
        )
        row_id = conn.execute(select(AuthToken.id).where(AuthToken.token_hash == token_hash(plain))).scalar_one()
        detail = ",".join(clean) + (f" source={bound}" if bound else "")
        record_event(conn, "token_create", actor=created_by, subject=f"{kind}:{row_id}", detail=detail)
    return plain, _get(engine, row_id)


def _get(engine: Engine, token_id: int) -> TokenInfo:
    with Session(engine) as session:
        row = session.get(AuthToken, token_id)
    if row is None:
        raise ValueError(f"no token with id {token_id}")
    return _info(row)


def list_tokens(engine: Engine, kind: str | None = None) -> list[TokenInfo]:
    q = select(AuthToken).order_by(AuthToken.kind, AuthToken.id)
    if kind:
        q = q.where(AuthToken.kind == kind)
    with Session(engine) as session:
        return [_info(r) for r in session.scalars(q)]


def revoke_token(engine: Engine, token_id: int, actor: str) -> TokenInfo:
    """Revoke at once; a revoked token stays listed (who made it, who revoked it) and never works again."""
    before = _get(engine, token_id)
    if before.revoked_at is None:
        with engine.begin() as conn:
            conn.execute(
                update(AuthToken).where(AuthToken.id == token_id).values(revoked_at=utcnow(), revoked_by=actor)
            )
            record_event(conn, "token_revoke", actor=actor, subject=f"{before.kind}:{token_id}")
            from data.auth.sessions import end_sessions  # sessions.py reads tokens: imported here, not at the top

            end_sessions(conn, "token_revoke", token_id=token_id)
    return _get(engine, token_id)


def _well_formed(kind: str, plain: str) -> bool:
    prefix = KINDS.get(kind, "?")
    return 20 <= len(plain) <= 100 and plain.startswith(prefix) and set(plain[4:]) <= TOKEN_RE_CHARS


def verify_token(engine: Engine, kind: str, plain: str | None) -> TokenInfo | None:
    """The active token of this kind with this text, or None; use time is recorded every few minutes."""
    if not plain or not _well_formed(kind, plain):
        return None
    now = utcnow()
    with Session(engine) as session:
        row = session.scalars(
            select(AuthToken).where(
                AuthToken.token_hash == token_hash(plain),
                AuthToken.kind == kind,
                AuthToken.revoked_at.is_(None),
                or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > now),
            )
        ).one_or_none()
    if row is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(update(AuthToken).where(AuthToken.id == row.id).values(last_used_at=now))
    return _info(row)


def token_by_id(engine: Engine, token_id: int, kind: str) -> TokenInfo | None:
    """An active token by id (a device's session remembers the id, and revoking ends that session)."""
    now = utcnow()
    with Session(engine) as session:
        row = session.scalars(
            select(AuthToken).where(
                AuthToken.id == token_id,
                AuthToken.kind == kind,
                AuthToken.revoked_at.is_(None),
                or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > now),
            )
        ).one_or_none()
    return _info(row) if row is not None else None


def scope_allows(scopes: tuple[str, ...], wanted: str) -> bool:
    """'*' allows every feed; 'observations' allows 'observations' and 'observations:<anything>'."""
    wanted = wanted.lower()
    for scope in scopes:
        if scope == "*" or scope == wanted:
            return True
        if scope.endswith(":*") and wanted.startswith(scope[:-1]):
            return True
        if wanted.startswith(scope + ":"):
            return True
    return False
