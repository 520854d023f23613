"""alerts: run the time-based alert evaluator (offline sensors, SLA deadlines, incidents, webhooks).

Rules on arriving data run inside the ingest sink; silence and approaching deadlines need a clock,
which is this loop. `serve` starts it as a companion process; run it on its own beside gunicorn workers.
"""

from __future__ import annotations

import argparse

from dashboard.runtime import alert_config
from dashboard.settings import Settings


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="evaluate alert rules on a clock and send webhooks")
    p.add_argument("--every", type=float, default=None, help="seconds between passes (default ALERT_EVAL_SECONDS)")
    p.add_argument("--once", action="store_true", help="one pass, print what changed, and exit")
    p.add_argument("--check", action="store_true", help="only check the rules file and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from data.alerts.evaluate import evaluate, run_evaluator
    from data.alerts.webhooks import deliver_due
    from data.places import prepare_store
    from data.store import make_engine, utcnow

    settings = Settings.from_env()
    config = alert_config(settings)
    rules = ", ".join(r.name for r in config.sensor_rules)
    print(f"{settings.alert_rules_path}: {len(config.sensor_rules)} sensor rules ({rules}), spike, sla_due, flood")
    if args.check:
        return 0
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    if args.once:
        report = evaluate(engine, utcnow(), config)
        sent = deliver_due(engine, config)
        print(
            f"opened {len(report.opened)}, escalated {len(report.escalated)}, resolved {len(report.resolved)}, "
            f"incidents opened {len(report.incidents_opened)}, webhooks queued {report.webhooks_queued}, "
            f"sent {sent['sent']}, retrying {sent['retry']}, failed {sent['failed']}"
        )
        return 0
    every = args.every or settings.alert_eval_seconds
    print(f"evaluating every {every:g} s; Ctrl-C stops", flush=True)
    run_evaluator(engine, config, every)
    return 0
