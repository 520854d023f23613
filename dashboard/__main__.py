"""python -m dashboard <command>: serve, seed, simulate, ingest, mqtt, users."""

from dashboard.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
