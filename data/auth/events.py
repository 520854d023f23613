"""The security log: every login, refusal, user or token change and export, with who and when.

Rate limiting reads the same log, so limits hold across every worker process of the app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.engine import Connection

from data.auth.models import SecurityEvent
from data.store import utcnow

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER_AND_IP = 5
MAX_FAILURES_PER_IP = 20
MAX_FAILURES_PER_USER = 50  # from many addresses: a distributed guess; high so no one locks a colleague out


def record_event(
    conn: Connection,
    action: str,
    *,
    actor: str | None = None,
    subject: str | None = None,
    ip: str | None = None,
    ok: bool = True,
    detail: str | None = None,
) -> int:
    """Append one line to the log inside the caller's transaction (so a change and its record go together);
    returns its id."""
    result = conn.execute(
        SecurityEvent.__table__.insert().values(
            at=utcnow(),
            action=action[:32],
            actor=(actor or None) and actor[:64],
            subject=(subject or None) and subject[:120],
            ip=(ip or None) and ip[:64],
            ok=ok,
            detail=detail,
        )
    )
    return int(result.inserted_primary_key[0])


def failures_since(conn: Connection, since: datetime, *, subject: str | None = None, ip: str | None = None) -> int:
    """Failed logins since `since` for a username or an address."""
    q = (
        select(func.count())
        .select_from(SecurityEvent)
        .where(SecurityEvent.action == "login", SecurityEvent.ok.is_(False), SecurityEvent.at >= since)
    )
    if subject is not None:
        q = q.where(SecurityEvent.subject == subject)
    if ip is not None:
        q = q.where(SecurityEvent.ip == ip)
    return int(conn.execute(q).scalar() or 0)


def login_blocked(conn: Connection, username: str, ip: str | None) -> bool:
    """True while this username from this address, this address, or this username has too many recent failures.

    The count includes the caller's own attempt, already recorded as a failure (`begin_login_attempt`).
    Failures count for a sliding window; a success does not reset them, so guessing cannot be interleaved
    with one known password.
    """
    since = utcnow() - LOGIN_WINDOW
    if failures_since(conn, since, subject=username, ip=ip) > MAX_FAILURES_PER_USER_AND_IP:
        return True
    if ip is not None and failures_since(conn, since, ip=ip) > MAX_FAILURES_PER_IP:
        return True
    return failures_since(conn, since, subject=username) > MAX_FAILURES_PER_USER


def begin_login_attempt(engine: Engine, username: str, ip: str | None) -> tuple[int, bool]:
    """Record an attempt (as a failure until its password is checked) and say whether it is over the limit.

    Attempts for one username, and from one address, are counted one at a time (advisory locks on
    PostgreSQL, always user then address so two never wait on each other; SQLite has one writer), so of
    many simultaneous guesses in any number of processes exactly the limit's worth are checked.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for key in (f"login-user:{username}", f"login-ip:{ip}"):
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})
        attempt = record_event(conn, "login", subject=username, ip=ip, ok=False, detail="checking")
        blocked = login_blocked(conn, username, ip)
        if blocked:
            settle_login(conn, attempt, ok=False, detail="blocked")
    return attempt, blocked


def settle_login(conn: Connection, event_id: int, *, ok: bool, detail: str | None, actor: str | None = None) -> None:
    """Write the outcome onto the attempt's line (recorded as a failure until the password was checked)."""
    conn.execute(update(SecurityEvent).where(SecurityEvent.id == event_id).values(ok=ok, detail=detail, actor=actor))


def record_export(
    engine: Engine,
    actor: str,
    what: str,
    filters: Mapping[str, object] | str,
    rows: int,
    *,
    personal: bool = False,
    ip: str | None = None,
) -> None:
    """Exports record who exported what: the format, the filter, how many rows, and whether personal fields."""
    shown = dict(filters) if isinstance(filters, Mapping) else str(filters)
    detail = json.dumps({"filters": shown, "rows": rows, "personal": personal}, default=str, sort_keys=True)
    with engine.begin() as conn:
        record_event(conn, "export", actor=actor, subject=what, ip=ip, detail=detail)


def recent_events(engine: Engine, limit: int = 200, action: str | None = None) -> list[dict]:
    """The newest log lines, for the admin page and the CLI."""
    q = select(SecurityEvent).order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc()).limit(limit)
    if action:
        q = q.where(SecurityEvent.action == action)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(q.with_only_columns(*SecurityEvent.__table__.c))]
