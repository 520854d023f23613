"""Evaluation: as data arrives (the ingest sink calls `after_ingest`) and on a clock (`run_evaluator`).

Arrival evaluates only the sensors that just reported, plus the complaint rules when complaints came;
the clock sweeps everything, because silence (offline sensors) and approaching SLA deadlines happen
without any data arriving.
"""

from __future__ import annotations

import contextvars
import logging
import threading
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


# Arrival passes run at most once per ARRIVAL_GAP_S per process, city and database: a pass reads the rules'
# whole state (0.4-0.65 s at 1M complaints), so one per API call or MQTT batch capped ingest near 12k readings/s.
# What arrives within the gap is folded into one pass at its end (the wall refreshes every 10 s); the clock's
# sweep catches anything a crash loses.
ARRIVAL_GAP_S = 5.0


@dataclass
class _Arrivals:
    """What arrived for one city and database since its last pass, and when that pass ran."""

    engine: Engine
    config: AlertConfig
    sensor_ids: set[str] = field(default_factory=set)
    complaints: bool = False
    last_pass: float = float("-inf")
    busy: bool = False  # a pass is running (in a caller's thread or the timer's)
    timer: threading.Timer | None = None

    def take(self) -> tuple[list[str], bool]:
        taken = sorted(self.sensor_ids), self.complaints
        self.sensor_ids, self.complaints = set(), False
        return taken


class ArrivalPacer:
    """Runs the arrival pass at once when the last one is older than the gap, else once at the gap's end.

    The deferred pass runs in a timer thread within the caller's context (its city, rules and SLA calendar);
    the timer is not a daemon, so a command that ingests and exits still evaluates what it stored."""

    def __init__(self, gap_s: float = ARRIVAL_GAP_S) -> None:
        self.gap_s = gap_s
        self._lock = threading.Lock()
        self._due: dict[tuple[int, int], _Arrivals] = {}

    def arrived(
        self, engine: Engine, config: AlertConfig, sensor_ids: Iterable[str], complaints: bool
    ) -> _Arrivals | None:
        """Note what arrived; the entry to pass to `run` when the caller should run the pass now, else None."""
        with self._lock:
            self._forget_idle()
            due = self._due.setdefault((id(engine), id(config)), _Arrivals(engine, config))
            due.sensor_ids.update(sensor_ids)
            due.complaints = due.complaints or complaints
            wait = due.last_pass + self.gap_s - time.monotonic()
            if not due.busy and wait <= 0:
                due.busy = True
                return due
            if due.timer is None:
                self._schedule(due, max(wait, 0.05))
            return None

    def _schedule(self, due: _Arrivals, delay_s: float) -> None:
        """A timer for `due`'s deferred pass, run in the caller's context (the lock is held)."""
        due.timer = threading.Timer(delay_s, contextvars.copy_context().run, (self._deferred, due))
        due.timer.name = "alerts-after-ingest"
        due.timer.start()

    def _forget_idle(self) -> None:
        """Drop the entries whose gap has passed with nothing pending: no engine is held past its use."""
        settled = time.monotonic() - self.gap_s
        for key, due in list(self._due.items()):
            pending = due.busy or due.timer is not None or due.sensor_ids or due.complaints
            if not pending and due.last_pass < settled:
                del self._due[key]

    def run(self, due: _Arrivals) -> EvaluationReport | None:
        """The pass over everything noted for this city and database (the caller marked it busy)."""
        with self._lock:
            sensor_ids, complaints = due.take()
        try:
            return _evaluate_arrivals(due, sensor_ids, complaints)
        finally:
            with self._lock:
                due.busy, due.last_pass = False, time.monotonic()

    def settle(self, engine: Engine) -> None:
        """Run now every pass still waiting for `engine` (a test's end, before its database goes away)."""
        with self._lock:
            waiting = [due for due in self._due.values() if due.engine is engine and not due.busy]
            for due in waiting:
                if due.timer is not None:
                    due.timer.cancel()
                    due.timer = None
                due.busy = True
        for due in waiting:
            self.run(due)

    def _deferred(self, due: _Arrivals) -> None:
        with self._lock:
            due.timer = None
            if due.busy:  # a caller is running a pass: try again a gap after it
                self._schedule(due, self.gap_s)
                return
            due.busy = True
        self.run(due)


def _evaluate_arrivals(due: _Arrivals, sensor_ids: list[str], complaints: bool) -> EvaluationReport | None:
    if not sensor_ids and not complaints:
        return None
    try:
        return evaluate(
            due.engine, utcnow(), due.config, sensor_ids=sensor_ids, sensors=bool(sensor_ids), complaints=complaints
        )
    except Exception:  # noqa: BLE001 - the records are stored already; the clock's next sweep catches up
        log.exception("alert evaluation after ingest failed")
        return None


_pacer = ArrivalPacer()


def settle_arrivals(engine: Engine) -> None:
    """Evaluate now whatever arrived for `engine` and waits for its pass."""
    _pacer.settle(engine)


def after_ingest(engine: Engine, sensor_ids: Iterable[str] = (), complaints: bool = False) -> EvaluationReport | None:
    """The sink's hook: evaluate what just arrived by the rules of the city it arrived for (`current_config`),
    now or, when a pass ran within the last ARRIVAL_GAP_S, folded into one pass at the gap's end (None then).
    Never raises, so a rule bug can never lose a record."""
    sensor_ids = set(sensor_ids)
    if not sensor_ids and not complaints:
        return None
    due = _pacer.arrived(engine, current_config(), sensor_ids, complaints)
    return _pacer.run(due) if due is not None else None


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
