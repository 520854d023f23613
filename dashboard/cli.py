"""The command line: one sub-command per module in dashboard/commands, each with its own options."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from dashboard.commands import (
    alerts,
    city,
    federate,
    ingest,
    mqtt,
    privacy,
    pull,
    registry,
    secret,
    seed,
    serve,
    simulate,
    tokens,
    users,
)
from dashboard.runtime import serving_command
from dashboard.settings import Settings

COMMANDS = (
    serve, seed, simulate, users, tokens, secret, privacy, alerts, ingest, pull, mqtt, registry, federate, city
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Operations-room software for smart cities (CITY picks the city pack; Kota Tangerang by default).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.configure(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with serving_command(Settings.from_env()):  # CITY, its alert rules and the calendar SLAs are dated by
            return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:  # a database fault: say what it is and what happened to the data
        from dashboard.security import describe_database_error

        detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        print(f"error: {describe_database_error(exc)} ({detail})", file=sys.stderr)
        return 3
