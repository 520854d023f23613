"""ingest: load complaints, sensor readings, the sensor registry or service metrics from files.

Exit codes: 0 all loaded; 1 some records rejected (0 with --allow-rejects); 2 the file could not be read.
Rejected records are written with their line and reason to a rejects CSV (see --rejects).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from dashboard.settings import Settings
from data.ingest.complaints import ingest_complaints_csv, ingest_open311_file
from data.ingest.mappings import available_mappings, load_mapping
from data.ingest.metrics import ingest_metrics_file
from data.ingest.observations import ingest_observations_file
from data.ingest.readers import FileUnreadableError
from data.ingest.report import IngestReport
from data.ingest.sensors import ingest_sensors_file
from data.places import prepare_store
from data.store import make_engine

EXIT_REJECTS = 1
EXIT_UNREADABLE = 2


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load complaints, observations, sensors or service metrics from a file")
    kinds = p.add_subparsers(dest="what", required=True, metavar="WHAT")

    c = kinds.add_parser("complaints", help="Open311 requests.json / services.json, or CSV with a mapping")
    c.add_argument("--format", choices=("open311", "csv"), default=None, help="default: by the file's extension")
    c.add_argument("--mapping", default=None, help=f"CSV mapping: a name ({', '.join(available_mappings())}) or a path")
    c.add_argument(
        "--source", default=None, help="source name stored with each complaint (default: open311 or the mapping's)"
    )

    o = kinds.add_parser("observations", help="sensor readings: SensorThings JSON or CSV sensor_id,observed_at,value")
    o.add_argument("--format", choices=("sensorthings", "csv"), default=None, help="default: by the file's extension")
    o.add_argument(
        "--datastream", default=None, metavar="ID",
        help="SensorThings: the datastream of observations that name none (a saved page of "
        "/Datastreams(ID)/Observations whose links do not say)",
    )  # fmt: skip

    kinds.add_parser("sensors", help="the sensor registry from CSV or GeoJSON")
    kinds.add_parser("metrics", help="service metrics per service and period, CSV or JSON")
    for q in kinds.choices.values():
        q.add_argument("file", type=Path)
        q.add_argument("--allow-rejects", action="store_true", help="exit 0 even when some records were rejected")
        q.add_argument(
            "--rejects", type=Path, default=None, help="where rejected records go (default: beside the file)"
        )
        q.add_argument("--database-url", default=None, help="overrides DATABASE_URL")
    p.set_defaults(func=run)


def _format(args: argparse.Namespace) -> str:
    if getattr(args, "format", None):
        return args.format
    is_csv = args.file.suffix.lower() in (".csv", ".txt", ".tsv")
    if args.what == "complaints":
        return "csv" if is_csv else "open311"
    return "csv" if is_csv else "sensorthings"


def rejects_path(file: Path, chosen: Path | None) -> Path:
    """In the current folder unless told otherwise: input folders are often shared or read-only."""
    return chosen if chosen is not None else Path.cwd() / f"{file.stem}.rejects.csv"


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    fmt = _format(args)
    report = IngestReport(feed=f"{args.what} ({fmt})" if args.what in ("complaints", "observations") else args.what)
    report.open_rejects_file(rejects_path(args.file, args.rejects))
    size = args.file.stat().st_size if args.file.is_file() else None
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=args.file.name, disable=None, leave=False)

    def progress(done: int) -> None:
        bar.update(done - bar.n)

    try:
        mapping = None
        if args.what == "complaints" and fmt == "csv":
            if not args.mapping:
                raise FileUnreadableError(
                    f"CSV complaints need --mapping ({', '.join(available_mappings())} or a path)"
                )
            mapping = load_mapping(args.mapping)
        engine = make_engine(args.database_url or settings.database_url)
        prepare_store(engine)
        if args.what == "complaints" and mapping is not None:
            ingest_complaints_csv(engine, args.file, mapping, args.source, report, progress)
        elif args.what == "complaints":
            kind = ingest_open311_file(engine, args.file, args.source or "open311", report, progress)
            report.feed = f"open311 {kind}"
        elif args.what == "observations":
            ingest_observations_file(
                engine, args.file, "csv" if fmt == "csv" else "json", report, progress, datastream=args.datastream
            )
        elif args.what == "sensors":
            ingest_sensors_file(engine, args.file, report, progress)
        else:
            ingest_metrics_file(engine, args.file, report, progress)
    except FileUnreadableError as exc:
        bar.close()
        report.close()
        print(f"error: {exc}", file=sys.stderr)
        if report.read:
            print("\n".join(report.summary_lines()), file=sys.stderr)
        return EXIT_UNREADABLE
    finally:
        bar.close()
        report.close()
    print("\n".join(report.summary_lines()))
    if args.what == "complaints":
        source = args.source or (mapping.source if mapping is not None else "open311")
        print(
            f"  source: {source} (ids are unique within a source; to meet records a feed sends through the API, "
            "load with --source set to its token's source)"
        )
    if report.rejected and not args.allow_rejects:
        return EXIT_REJECTS
    return 0
