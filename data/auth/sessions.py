"""Sessions the server can end: one row per login or wall screen, the cookie carrying only a random id.

A signed cookie alone cannot be taken back: a copy saved before logout kept working until it expired. Now
the cookie holds a random session id (only its SHA-256 is stored) and every request asks this table, so
logging out, a new password or role, disabling a person, revoking a device token, or an administrator's
`users logout NAME` ends the session everywhere at once. A person's session lasts SESSION_HOURS from login;
a wall's lasts while the screen is in use and ends after DEVICE_SESSION_DAYS without a request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from data.auth.models import AuthSession, User
from data.auth.roles import Principal
from data.auth.tokens import token_by_id
from data.store import utcnow

TOUCH_EVERY = timedelta(minutes=5)  # last_seen (and a wall's idle deadline) move at most this often
KEEP_ENDED = timedelta(days=30)  # ended sessions are deleted after this (the security log keeps the logins)


@dataclass(frozen=True)
class SessionRow:
    id: int
    kind: str
    user_id: int | None
    token_id: int | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(
    engine: Engine,
    *,
    lifetime: timedelta,
    user_id: int | None = None,
    epoch: int = 0,
    token_id: int | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Open a session for a person (user_id, with the account's epoch) or a wall (token_id); returns the id
    for the cookie (never stored)."""
    if (user_id is None) == (token_id is None):
        raise ValueError("a session belongs to a person or to a device token, exactly one")
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        cutoff = now - KEEP_ENDED
        conn.execute(
            AuthSession.__table__.delete().where((AuthSession.expires_at < cutoff) | (AuthSession.revoked_at < cutoff))
        )
        conn.execute(
            AuthSession.__table__.insert().values(
                sid_hash=_hash(sid),
                kind="person" if user_id is not None else "device",
                user_id=user_id,
                epoch=epoch,
                token_id=token_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
                ip=(ip or None) and ip[:64],
                user_agent=(user_agent or None) and user_agent[:200],
            )
        )
    return sid


def session_principal(engine: Engine, sid: str, device_idle: timedelta) -> Principal | None:
    """Who this session is, or None when it was ended, expired, or its person or token no longer may.

    A wall's session is extended by `device_idle` when used (at most every TOUCH_EVERY, so a screen polling
    every few seconds costs one write per five minutes)."""
    now = utcnow()
    with Session(engine) as orm:
        row = orm.scalars(select(AuthSession).where(AuthSession.sid_hash == _hash(sid))).one_or_none()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if row.user_id is not None:
            user = orm.get(User, row.user_id)
            if user is None or not user.active or user.session_epoch != row.epoch:
                return None
            from data.auth.users import principal_of  # users.py ends sessions on account changes

            principal = principal_of(user)
        else:
            info = token_by_id(engine, row.token_id or 0, "device")
            if info is None:
                return None
            principal = Principal(name=f"device:{info.name}", role=info.scopes[0], kind="device", token_id=info.id)
        if now - row.last_seen_at >= TOUCH_EVERY:
            values: dict[str, object] = {"last_seen_at": now}
            if row.kind == "device":
                values["expires_at"] = now + device_idle
            orm.execute(update(AuthSession).where(AuthSession.id == row.id).values(**values))
            orm.commit()
    return principal


def end_session(engine: Engine, sid: str, reason: str = "logout") -> bool:
    """End one session (logout); True when it was still open."""
    with engine.begin() as conn:
        result = conn.execute(
            update(AuthSession)
            .where(AuthSession.sid_hash == _hash(sid), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason[:32])
        )
    return result.rowcount > 0


def end_sessions(conn: Connection, reason: str, *, user_id: int | None = None, token_id: int | None = None) -> int:
    """End every open session of a person or of a device token, in the caller's transaction; how many."""
    if (user_id is None) == (token_id is None):
        raise ValueError("end the sessions of a person or of a device token, exactly one")
    owner = AuthSession.user_id == user_id if user_id is not None else AuthSession.token_id == token_id
    result = conn.execute(
        update(AuthSession)
        .where(owner, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason[:32])
    )
    return int(result.rowcount or 0)


def open_sessions(engine: Engine, *, user_id: int | None = None) -> list[SessionRow]:
    """Sessions not ended and not expired (of one person, or all), newest first: for `users sessions`."""
    now = utcnow()
    q = select(AuthSession).where(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
    if user_id is not None:
        q = q.where(AuthSession.user_id == user_id)
    with Session(engine) as orm:
        rows = orm.scalars(q.order_by(AuthSession.created_at.desc())).all()
        return [
            SessionRow(r.id, r.kind, r.user_id, r.token_id, r.created_at, r.last_seen_at, r.expires_at, r.ip,
                       r.user_agent)
            for r in rows
        ]  # fmt: skip
