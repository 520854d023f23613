"""privacy: complainants' personal data under UU 27/2022: export one complainant's data, erase it on request,
and purge what is past PERSONAL_DATA_RETENTION_DAYS (run daily from cron or a systemd timer).

    python -m dashboard privacy export --phone 0812-3456-789
    python -m dashboard privacy erase --phone 0812-3456-789 --by dpo.kota [--free-text]
    python -m dashboard privacy purge
"""

from __future__ import annotations

import argparse
import json

from dashboard.commands.users import engine_for
from dashboard.settings import Settings
from data.privacy import Complainant, erase_complainant, export_complainant, purge_expired


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("privacy", help="complainants' personal data: export, erase on request, purge by retention")
    p.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("export", "print one complainant's complaints with the personal data held, as JSON"),
        ("erase", "blank one complainant's name and phone (and rejected records naming them)"),
    ):
        act = acts.add_parser(name, help=text)
        who = act.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone", help="the complainant's phone (any spacing; +62 or 0)")
        who.add_argument("--name", help="the complainant's name, exactly as reported")
        who.add_argument("--complaint", metavar="SOURCE:ID", help="one complaint, e.g. lapor:LPR-2026-0001")
        if name == "erase":
            act.add_argument("--by", required=True, help="who asks for the erasure (for the security log)")
            act.add_argument("--free-text", action="store_true", help="also blank description, address, photo link")
    purge = acts.add_parser("purge", help="blank personal fields of complaints closed longer ago than the retention")
    purge.add_argument("--days", type=int, default=None, help="override PERSONAL_DATA_RETENTION_DAYS (0 keeps all)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    if args.action == "purge":
        days = Settings.from_env().personal_data_retention_days if args.days is None else args.days
        changed = purge_expired(engine, days)
        print(f"retention {days} days: personal fields blanked on {changed:,} closed complaints" if days else
              "retention 0: personal data is kept (set PERSONAL_DATA_RETENTION_DAYS)")  # fmt: skip
        return 0
    who = Complainant(phone=args.phone, name=args.name, complaint=args.complaint)
    if args.action == "export":
        print(json.dumps(export_complainant(engine, who), ensure_ascii=False, indent=2))
        return 0
    changed = erase_complainant(engine, who, actor=args.by, free_text=args.free_text)
    print(f"erased the personal fields of {changed:,} complaint(s); logged as personal_erase")
    return 0
