"""users: add, list, disable, enable, passwd, role, logout, sessions and log, for the people who log in.

Passwords are never taken from the command line (other users of the machine can read it in `ps`):
they are asked twice on a terminal, or read as one line from standard input with --password-stdin.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import Engine

from dashboard.settings import Settings
from data.auth import sessions, users
from data.auth.events import recent_events
from data.auth.roles import ROLES
from data.store import init_schema, make_engine


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "users",
        help="manage the people who log in (add, list, disable, enable, passwd, role, logout, sessions, log)",
    )
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = acts.add_parser("add", help="add a person")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--personal-data", action="store_true", help="may see complainants' names and phones")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    acts.add_parser("list", help="list people and their roles")
    for name, text in (("disable", "disable a person (ends their sessions)"), ("enable", "enable a person again")):
        act = acts.add_parser(name, help=text)
        act.add_argument("username")

    pw = acts.add_parser("passwd", help="set a new password (ends the person's sessions)")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    role = acts.add_parser("role", help="change a person's role and personal-data permission")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--personal-data", action="store_true", help="may see complainants' names and phones")

    out = acts.add_parser("logout", help="end every session of a person now (a lost phone, a shared screen)")
    out.add_argument("username")
    live = acts.add_parser("sessions", help="open sessions: who, since when, last seen, from where")
    live.add_argument("username", nargs="?", default=None, help="only this person's")

    log = acts.add_parser("log", help="the security log: logins, refusals, user and token changes, exports")
    log.add_argument("--limit", type=int, default=50)
    log.add_argument("--only", default=None, metavar="ACTION", help="only this action, e.g. login or export")
    p.set_defaults(func=run)


def engine_for(args: argparse.Namespace) -> Engine:
    """The store, migrated (so `users add` works on a fresh database before the first `serve`)."""
    engine = make_engine(args.database_url or Settings.from_env().database_url)
    init_schema(engine)
    return engine


def read_password(from_stdin: bool) -> str:
    """One line from stdin, or asked twice on the terminal; a mismatch is an error, not a retry loop."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ; nothing was changed")
    return first


def run(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    if args.action == "add":
        row = users.add_user(
            engine,
            args.username,
            read_password(args.password_stdin),
            args.role,
            display_name=args.name,
            personal_data=args.personal_data,
        )
        print(f"added {row.username} ({row.role}{', personal data' if row.personal_data else ''})")
    elif args.action == "list":
        print_users(engine)
    elif args.action in ("disable", "enable"):
        users.set_active(engine, args.username, args.action == "enable")
        print(f"{args.action}d {users.normalise_username(args.username)}")
    elif args.action == "passwd":
        users.set_password(engine, args.username, read_password(args.password_stdin))
        print(f"password changed for {users.normalise_username(args.username)}; their sessions were ended")
    elif args.action == "role":
        users.set_role(engine, args.username, args.role, args.personal_data)
        print(f"{users.normalise_username(args.username)} is now {args.role}; their sessions were ended")
    elif args.action == "logout":
        users.end_user_sessions(engine, args.username)
        print(f"every session of {users.normalise_username(args.username)} was ended")
    elif args.action == "sessions":
        print_sessions(engine, args.username)
    elif args.action == "log":
        for e in recent_events(engine, limit=max(1, args.limit), action=args.only):
            status = "ok " if e["ok"] else "NO "
            print(
                f"{e['at']:%Y-%m-%d %H:%M:%S} UTC {status}{e['action']:<13} {e['actor'] or '-':<16} "
                f"{e['subject'] or '-':<24} {e['ip'] or '-':<15} {e['detail'] or ''}"
            )
    return 0


def print_sessions(engine: Engine, username: str | None) -> None:
    user_id = users.get_user(engine, username).id if username else None
    names = {u.id: u.username for u in users.list_users(engine)}
    rows = sessions.open_sessions(engine, user_id=user_id)
    print(f"{'who':<24} {'since (UTC)':<16} {'last seen':<16} {'ends':<16} {'from':<15} browser")
    for r in rows:
        who = names.get(r.user_id, "?") if r.kind == "person" else f"device token {r.token_id}"
        print(
            f"{who:<24} {r.created_at:%Y-%m-%d %H:%M} {r.last_seen_at:%Y-%m-%d %H:%M} {r.expires_at:%Y-%m-%d %H:%M} "
            f"{r.ip or '-':<15} {(r.user_agent or '-')[:40]}"
        )
    print(f"{len(rows)} open session(s)")


def print_users(engine: Engine) -> None:
    rows = users.list_users(engine)
    if not rows:
        print("no users: the app runs as an open demo on 127.0.0.1 only")
        return
    print(f"{'username':<20} {'role':<9} {'personal':<8} {'active':<6} {'last login (UTC)':<19} name")
    for r in rows:
        last = f"{r.last_login_at:%Y-%m-%d %H:%M}" if r.last_login_at else "never"
        print(
            f"{r.username:<20} {r.role:<9} {'yes' if r.personal_data else 'no':<8} "
            f"{'yes' if r.active else 'NO':<6} {last:<19} {r.display_name}"
        )
