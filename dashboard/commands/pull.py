"""pull: read another system's sensors into the room. `pull sensorthings BASE_URL` registers the server's
Datastreams as sensors and stores their Observations since the last one stored (see data/sensorthings/pull.py).

Exit codes: 0 all read; 1 some datastreams or readings rejected (0 with --allow-rejects); 2 the server could
not be read (unreachable, not a SensorThings service, an HTTP error). With --every it runs until stopped,
a failed round being reported and tried again at the next one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dashboard.security import describe_database_error
from dashboard.settings import Settings
from data.ingest.report import IngestReport, record_ingest_errors
from data.ingest.values import parse_time
from data.places import prepare_store
from data.sensorthings.client import PullError, SensorThingsClient
from data.sensorthings.pull import pull_once
from data.store import make_engine

EXIT_REJECTS = 1
EXIT_UNREADABLE = 2
FEED = "sensorthings"


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pull", help="read sensors and readings from another system (a SensorThings server)")
    kinds = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    s = kinds.add_parser("sensorthings", help="an OGC SensorThings server (FROST, SensorUp...)")
    s.add_argument("base_url", metavar="BASE_URL", help="the service root, e.g. https://host/FROST-Server/v1.1")
    s.add_argument("--datastream", action="extend", nargs="+", default=[], metavar="ID",
                   help="only these Datastream ids (default: every Datastream the server lists)")  # fmt: skip
    s.add_argument("--since", default=None, metavar="TIME",
                   help="read nothing older than this (ISO 8601; no zone = WIB); later readings already stored "
                   "are never read again")  # fmt: skip
    s.add_argument(
        "--every", type=float, default=None, metavar="SECONDS", help="pull again every SECONDS, until stopped"
    )
    s.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request (default 30)")
    s.add_argument("--retries", type=int, default=3, help="more tries for timeouts, 429 and 5xx (default 3)")
    s.add_argument("--allow-rejects", action="store_true", help="exit 0 even when some records were rejected")
    s.add_argument("--rejects", type=Path, default=None, help="write every rejected record to this CSV file")
    s.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    since = parse_time(args.since)[0] if args.since else None
    if args.every is not None and args.every <= 0:
        raise ValueError("--every must be a positive number of seconds")
    client = SensorThingsClient(args.base_url, timeout=args.timeout, retries=max(0, args.retries))
    engine = make_engine(args.database_url or Settings.from_env().database_url)
    prepare_store(engine)
    while True:
        code = pull_round(engine, client, args, since)
        if args.every is None:
            return code
        time.sleep(args.every)


def pull_round(engine, client: SensorThingsClient, args: argparse.Namespace, since) -> int:  # noqa: ANN001
    """One round with its printed summaries; rejects also go to `ingest_errors` for the room's admins."""
    datastreams = IngestReport(feed=f"{FEED} datastreams ({client.base_url})")
    readings = IngestReport(feed=f"{FEED} observations ({client.base_url})")
    if args.rejects is not None:
        readings.open_rejects_file(args.rejects)
    failed = None
    try:
        pull_once(engine, client, args.datastream, since, datastreams, readings)
    except PullError as exc:
        failed = exc
    except SQLAlchemyError as exc:  # with --every, a database outage ends a round, not the puller
        if args.every is None:
            raise
        failed = f"the database: {describe_database_error(exc)}"
    finally:
        readings.close()
    if not isinstance(failed, str):  # the database answers: keep the rejects where the room's admins see them
        record_ingest_errors(engine, FEED, datastreams.examples + readings.examples)
    print("\n".join(datastreams.summary_lines() + readings.summary_lines()), flush=True)
    if failed is not None:
        print(f"error: {failed} (what was stored before stays; the next pull resumes from it)", file=sys.stderr)
        return EXIT_UNREADABLE
    if (datastreams.rejected or readings.rejected) and not args.allow_rejects:
        return EXIT_REJECTS
    return 0
