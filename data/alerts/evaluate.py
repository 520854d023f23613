"""Evaluation: as data arrives (the ingest sink calls `after_ingest`) and on a clock (`run_evaluator`).

Arrival evaluates only the sensors that just reported, plus the complaint rules when complaints came;
the clock sweeps everything, because silence (offline sensors) and approaching SLA deadlines happen
without any data arriving.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from data.alerts import titles, webhooks
from data.alerts.complaint_rules import sla_due_conditions, spike_conditions
from data.alerts.config import AlertConfig, current_config
from data.alerts.incident_members import ANCHOR
from data.alerts.incidents import flood_incidents
from data.alerts.lifecycle import Reconciled, reconcile
from data.alerts.models import Alert, Incident, IncidentMember
from data.alerts.sensors import sensor_conditions
from data.store import utcnow

log = logging.getLogger(__name__)


@dataclass
class EvaluationReport:
    opened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    incidents_opened: list[int] = field(default_factory=list)
    webhooks_queued: int = 0

    def add(self, result: Reconciled) -> None:
        self.opened += result.opened
        self.escalated += result.escalated
        self.resolved += result.resolved


def _notify(conn: Connection, config: AlertConfig, report: EvaluationReport, danger: list[int], now: datetime) -> None:
    if not config.webhook_urls:
        return
    cols = (
        Alert.id,
        Alert.severity,
        Alert.rule,
        Alert.kind,
        Alert.title,
        Alert.district_code,
        Alert.sensor_id,
        Alert.lat,
        Alert.lon,
        Alert.value,
        Alert.threshold,
        Alert.opened_at,
    )
    english = titles.titles_on(conn, danger, "en", config)  # `title` is the room's language, Indonesian
    for row in conn.execute(select(*cols).where(Alert.id.in_(danger))).mappings():
        data = {**row, "title_en": english.get(row["id"], row["title"])}
        report.webhooks_queued += webhooks.enqueue(conn, config, "alert.danger", data, now)
    for incident_id in report.incidents_opened:
        row = (
            conn.execute(
                select(
                    Incident.id,
                    Incident.kind,
                    Incident.title,
                    Incident.district_code,
                    Incident.lat,
                    Incident.lon,
                    Incident.radius_m,
                    Incident.opened_at,
                ).where(Incident.id == incident_id)
            )
            .mappings()
            .one()
        )
        members = conn.execute(
            select(IncidentMember.member_type, IncidentMember.member_ref, IncidentMember.role)
            .where(IncidentMember.incident_id == incident_id)
            .order_by(IncidentMember.member_type, IncidentMember.member_ref)
        ).all()
        data = {**row, "title_en": titles.incident_title(row["title"], row["kind"], "en")}
        for kind in ("complaint", "sensor", "camera", "alert"):
            data[f"{kind}s"] = [m.member_ref for m in members if m.member_type == kind]
        data["river_gauges"] = [m.member_ref for m in members if m.member_type == "sensor" and m.role == ANCHOR]
        report.webhooks_queued += webhooks.enqueue(conn, config, "incident.opened", data, now)


def evaluate(
    engine: Engine,
    now: datetime,
    config: AlertConfig,
    sensor_ids: Iterable[str] | None = None,
    sensors: bool = True,
    complaints: bool = True,
) -> EvaluationReport:
    """One pass of the rules, their alerts and incidents, and the webhooks they trigger, in one transaction.

    `sensor_ids` limits the sensor rules to those devices; None with `sensors` sweeps every device.
    """
    report = EvaluationReport()
    danger: list[int] = []
    with engine.begin() as conn:
        if sensors:
            checked, firing = sensor_conditions(conn, config, now, sensor_ids)
            result = reconcile(conn, now, checked, firing)
            report.add(result)
            danger += result.new_danger
        if complaints:
            for rule in (spike_conditions, sla_due_conditions):
                checked, firing = rule(conn, config, now)
                result = reconcile(conn, now, checked, firing)
                report.add(result)
                danger += result.new_danger
        report.incidents_opened = flood_incidents(conn, config, now)
        _notify(conn, config, report, danger, now)
    return report


def after_ingest(engine: Engine, sensor_ids: Iterable[str] = (), complaints: bool = False) -> EvaluationReport | None:
    """The sink's hook: evaluate what just arrived by the rules of the city it arrived for (`current_config`).
    Never raises, so a rule bug can never lose a record."""
    sensor_ids = sorted(set(sensor_ids))
    if not sensor_ids and not complaints:
        return None
    try:
        return evaluate(
            engine, utcnow(), current_config(), sensor_ids=sensor_ids, sensors=bool(sensor_ids), complaints=complaints
        )
    except Exception:  # noqa: BLE001 - the records are stored already; the clock's next sweep catches up
        log.exception("alert evaluation after ingest failed")
        return None


def run_evaluator(
    engine: Engine,
    config: AlertConfig,
    every_s: float = 30.0,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Sweep every rule and send due webhooks every `every_s` seconds until `stop()` says so."""
    while not stop():
        started = time.monotonic()
        try:
            evaluate(engine, clock(), config)
            webhooks.deliver_due(engine, config)
        except Exception:  # noqa: BLE001 - a bad pass (database restarting) must not end the loop
            log.exception("alert evaluation pass failed")
        time.sleep(max(0.5, every_s - (time.monotonic() - started)))
