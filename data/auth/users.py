"""People: add, list, disable, change passwords, and check a login (rate-limited, logged)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from data.auth.events import begin_login_attempt, record_event, settle_login
from data.auth.models import User
from data.auth.passwords import dummy_hash, hash_password, needs_rehash, password_problem, verify_password
from data.auth.roles import Principal, check_role
from data.auth.sessions import end_sessions
from data.store import utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: str
    personal_data: bool
    active: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: a principal on success, else a reason the page can show."""

    principal: Principal | None
    epoch: int = 0
    reason: str = ""  # "bad_credentials" | "blocked" | ""


def normalise_username(username: str) -> str:
    """Usernames are lowercase ASCII letters, digits, '.', '_' and '-', 2-64 long; anything else is an error."""
    name = (username or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise ValueError("username must be 2-64 characters: lowercase letters, digits, '.', '_' or '-'")
    return name


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise ValueError(problem)


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    personal_data: bool = False,
    actor: str = "cli",
) -> UserRow:
    """Create a person; a taken username, unknown role or weak password is a ValueError and changes nothing."""
    name = normalise_username(username)
    check_role(role)
    _check_password(password, name)
    now = utcnow()
    with engine.begin() as conn:
        if conn.execute(select(User.id).where(User.username == name)).first():
            raise ValueError(f"user {name!r} already exists")
        conn.execute(
            User.__table__.insert().values(
                username=name,
                display_name=(display_name or name).strip()[:120],
                role=role,
                password_hash=hash_password(password),
                personal_data=personal_data,
                active=True,
                session_epoch=0,
                created_at=now,
                updated_at=now,
            )
        )
        record_event(conn, "user_add", actor=actor, subject=name, detail=f"role={role} personal={personal_data}")
    return get_user(engine, name)


def get_user(engine: Engine, username: str) -> UserRow:
    name = normalise_username(username)
    with Session(engine) as session:
        row = session.scalars(select(User).where(User.username == name)).one_or_none()
    if row is None:
        raise ValueError(f"no user {name!r}")
    return _row(row)


def _row(user: User) -> UserRow:
    return UserRow(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.personal_data,
        user.active,
        user.created_at,
        user.last_login_at,
    )


def list_users(engine: Engine) -> list[UserRow]:
    with Session(engine) as session:
        return [_row(u) for u in session.scalars(select(User).order_by(User.username))]


def active_user_count(engine: Engine) -> int:
    """How many people can log in; zero means the open demo (on loopback only)."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(User).where(User.active.is_(True))).scalar() or 0)


def _change(
    engine: Engine, username: str, action: str, actor: str, detail: str | None = None, **values: object
) -> None:
    """Apply a change to one user, end their sessions (each session row, and epoch + 1 for any cookie that
    outlived its row) and log it, in one transaction."""
    name = normalise_username(username)
    with engine.begin() as conn:
        result = conn.execute(
            update(User)
            .where(User.username == name)
            .values(updated_at=utcnow(), session_epoch=User.session_epoch + 1, **values)
        )
        if result.rowcount == 0:
            raise ValueError(f"no user {name!r}")
        user_id = conn.execute(select(User.id).where(User.username == name)).scalar_one()
        end_sessions(conn, action, user_id=user_id)
        record_event(conn, action, actor=actor, subject=name, detail=detail)


def end_user_sessions(engine: Engine, username: str, actor: str = "cli") -> None:
    """Log a person out everywhere now (a lost phone, a shared screen), without changing the account."""
    _change(engine, username, "user_logout", actor)


def set_active(engine: Engine, username: str, active: bool, actor: str = "cli") -> None:
    """Disable (ending every session at once) or re-enable a person; nobody is ever deleted, for the audit trail."""
    _change(engine, username, "user_enable" if active else "user_disable", actor, active=active)


def set_password(engine: Engine, username: str, password: str, actor: str = "cli") -> None:
    """A new password ends the person's other sessions."""
    name = normalise_username(username)
    _check_password(password, name)
    _change(engine, name, "user_passwd", actor, password_hash=hash_password(password))


def set_role(engine: Engine, username: str, role: str, personal_data: bool, actor: str = "cli") -> None:
    check_role(role)
    detail = f"role={role} personal={personal_data}"
    _change(engine, username, "user_role", actor, detail, role=role, personal_data=personal_data)


def authenticate(engine: Engine, username: str, password: str, ip: str | None = None) -> LoginResult:
    """Check a login; every attempt is logged and too many failures block further tries for a while."""
    try:
        name, valid = normalise_username(username), True
    except ValueError:  # no such user can exist; logged as typed, minus NUL and other unprintables
        name, valid = "".join(ch for ch in (username or "")[:64] if ch.isprintable()), False
    attempt, blocked = begin_login_attempt(engine, name, ip)  # counted before the slow password check
    if blocked:
        return LoginResult(None, reason="blocked")
    with Session(engine) as conn, conn.begin():
        user = conn.scalars(select(User).where(User.username == name)).one_or_none() if valid else None
        stored = user.password_hash if user is not None else dummy_hash()
        ok = verify_password(password or "", stored) and user is not None and user.active
        if not ok:
            detail = "unknown user" if user is None else ("disabled" if not user.active else "bad password")
            settle_login(conn, attempt, ok=False, detail=detail)
            return LoginResult(None, reason="bad_credentials")
        values: dict[str, object] = {"last_login_at": utcnow()}
        if needs_rehash(user.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(update(User).where(User.id == user.id).values(**values))
        settle_login(conn, attempt, ok=True, detail=None, actor=name)
        return LoginResult(principal_of(user), epoch=user.session_epoch)


def principal_of(user: User) -> Principal:
    return Principal(
        name=user.username, role=user.role, kind="person", personal_data=user.personal_data, user_id=user.id
    )
