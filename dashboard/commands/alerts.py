"""alerts: run the time-based alert evaluator (offline sensors, SLA deadlines, incidents, webhooks).

Rules on arriving data run inside the ingest sink; silence and approaching deadlines need a clock,
which is this loop. `serve` starts it as a thread; run it on its own beside gunicorn workers.
"""

from __future__ import annotations

import argparse

from dashboard.settings import Settings
from data.alerts.config import AlertConfig, install, load_config
from data.sla import WorkingCalendar, install_calendar, load_holidays_file


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="evaluate alert rules on a clock and send webhooks")
    p.add_argument("--every", type=float, default=None, help="seconds between passes (default ALERT_EVAL_SECONDS)")
    p.add_argument("--once", action="store_true", help="one pass, print what changed, and exit")
    p.add_argument("--check", action="store_true", help="only check the rules file and exit")
    p.set_defaults(func=run)


def install_working_calendar(settings: Settings) -> None:
    """Make the SLA clocks of this process skip the city's regional holidays too: its pack's list and
    HOLIDAYS_FILE's."""
    days = list(settings.pack().regional_holidays)
    if settings.holidays_path is not None:
        days += load_holidays_file(settings.holidays_path).regional
    install_calendar(WorkingCalendar.of(days))


def install_alert_config(settings: Settings) -> AlertConfig:
    """Read the rules file named by the settings and make it this process's rules (and webhook targets)."""
    config = load_config(settings.alert_rules_path, settings.webhook_urls, settings.webhook_secret)
    install(config)
    install_working_calendar(settings)
    return config


def run(args: argparse.Namespace) -> int:
    from data.alerts.evaluate import evaluate, run_evaluator
    from data.alerts.webhooks import deliver_due
    from data.places import prepare_store
    from data.store import make_engine, utcnow

    settings = Settings.from_env()
    config = install_alert_config(settings)
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
    run_evaluator(engine, every, config=config)
    return 0
