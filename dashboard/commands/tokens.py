"""tokens: create, list and revoke wall device tokens and feed ingest tokens.

A token's text is printed once when it is created and never stored (only its SHA-256 is): copy it into
the wall screen's start URL or the sender's configuration then.
"""

from __future__ import annotations

import argparse

from dashboard.commands.users import engine_for
from dashboard.settings import Settings
from data.auth import tokens


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tokens", help="wall device tokens and feed ingest tokens (create, list, revoke)")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    create = acts.add_parser("create", help="create a token and print it once")
    create.add_argument("kind", choices=sorted(tokens.KINDS))
    create.add_argument("--name", required=True, help="what it is for, e.g. 'wall 3, main room' or 'BMKG gateway'")
    create.add_argument("--role", default="wall", help="device tokens: the role of the screen (default wall)")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        help="ingest tokens: a feed it may write, e.g. observations, complaints, observations:water_level, * "
        "(repeat for several)",
    )
    create.add_argument(
        "--source",
        default=None,
        help="ingest tokens: the one source whose records it writes, e.g. laksa or lapor (default: its name as "
        "a slug); a complaint's id is unique within its source",
    )
    create.add_argument("--expires-days", type=int, default=None, help="expire after this many days (default never)")
    create.add_argument("--by", default="cli", help="who creates it, for the security log")

    lst = acts.add_parser("list", help="list tokens (never their text)")
    lst.add_argument("--kind", choices=sorted(tokens.KINDS), default=None)

    revoke = acts.add_parser("revoke", help="revoke a token by its id (from `tokens list`)")
    revoke.add_argument("id", type=int)
    revoke.add_argument("--by", default="cli", help="who revokes it, for the security log")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    if args.action == "create":
        scopes = [args.role] if args.kind == "device" else args.scope
        plain, info = tokens.create_token(
            engine, args.kind, args.name, scopes, args.by, args.expires_days, source=args.source
        )
        bound = f"; source {info.source}" if info.source else ""
        print(f"created {info.kind} token {info.id} ({info.name}; {', '.join(info.scopes)}{bound})")
        print(f"token (shown once, store it now): {plain}")
        if info.kind == "device":
            settings = Settings.from_env()
            print(f"wall start URL: http://{settings.host}:{settings.port}/wall?token={plain}")
        else:
            print(f"send it as: Authorization: Bearer {plain} (Open311 POST: api_key={plain})")
    elif args.action == "list":
        rows = tokens.list_tokens(engine, args.kind)
        if not rows:
            print("no tokens")
        for t in rows:
            state = "active" if t.active else ("revoked" if t.revoked_at else "expired")
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            print(
                f"{t.id:>4} {t.kind:<7} {state:<8} {t.prefix}... {','.join(t.scopes):<28} {t.source or '-':<16} "
                f"last used {used:<16} by {t.created_by:<12} {t.name}"
            )
    elif args.action == "revoke":
        info = tokens.revoke_token(engine, args.id, args.by)
        print(f"revoked {info.kind} token {info.id} ({info.name})")
    return 0
