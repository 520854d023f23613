"""registry: the city's application inventory in and out as CSV (`registry import FILE`, `registry export FILE`).

Import checks every row first and writes nothing if any row is wrong (each problem is printed with its
line); applications are matched on `code` and never deleted. `-` as FILE means standard input/output.
"""

from __future__ import annotations

import argparse
import sys

from dashboard.commands.users import engine_for
from data.estate.inventory import FIELDS, InventoryError, export_inventory, import_inventory


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("registry", help="import or export the application registry as CSV")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = acts.add_parser("import", help=f"load a CSV inventory (columns: {', '.join(FIELDS)})")
    imp.add_argument("file", help="CSV file (comma, semicolon or tab separated; UTF-8, Excel BOM accepted)")
    exp = acts.add_parser("export", help="write the whole registry as CSV (dates in WIB)")
    exp.add_argument("file", help="CSV file to write")
    for action in (imp, exp):
        action.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    engine = engine_for(args)
    if args.action == "export":
        if args.file == "-":
            n = export_inventory(engine, sys.stdout)
        else:
            with open(args.file, "w", encoding="utf-8", newline="") as fh:
                n = export_inventory(engine, fh)
        print(f"exported {n} applications to {args.file}", file=sys.stderr)
        return 0
    try:
        if args.file == "-":
            report = import_inventory(engine, sys.stdin)
        else:
            with open(args.file, encoding="utf-8-sig", newline="") as fh:
                report = import_inventory(engine, fh)
    except InventoryError as exc:
        print(f"error: nothing imported; fix these {len(exc.problems)} problem(s) and run again:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"error: {args.file} is not UTF-8 text ({exc.reason}); save it as CSV UTF-8", file=sys.stderr)
        return 2
    print(f"imported {args.file}: {report.inserted} new, {report.updated} updated, {report.unchanged} unchanged")
    return 0
