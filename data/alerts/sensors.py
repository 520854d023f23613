"""Sensor rules against the store: thresholds, rate of change and silence, for some sensors or all.

Readings come from a short window per sensor (the primary key makes it an index range scan);
silence comes from the latest-reading table, never from scanning observations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from data.alerts import titles
from data.alerts.config import AlertConfig, SensorRule
from data.alerts.lifecycle import Condition
from data.alerts.models import Alert
from data.alerts.rules import is_offline, rate_severity, threshold_severity
from data.city import catalogue
from data.models import Observation, Sensor, SensorLatest
from data.queries.sensors import REGISTRY_COLUMNS


def _sensors(conn: Connection, sensor_ids: Iterable[str] | None) -> list:
    stmt = select(*REGISTRY_COLUMNS).where(Sensor.active.is_(True))
    if sensor_ids is not None:
        stmt = stmt.where(Sensor.id.in_(sorted(set(sensor_ids))))
    return list(conn.execute(stmt))


def _series(conn: Connection, ids: list[str], start: datetime, now: datetime) -> dict[str, tuple[list, list]]:
    out: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    if not ids:
        return out
    rows = conn.execute(
        select(Observation.sensor_id, Observation.observed_at, Observation.value)
        .where(Observation.sensor_id.in_(ids), Observation.observed_at >= start, Observation.observed_at <= now)
        .order_by(Observation.sensor_id, Observation.observed_at)
    )
    for sid, at, value in rows:
        out[sid][0].append(at)
        out[sid][1].append(value)
    return out


def live_severities(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """The severity of the alert live for each key, which hysteresis remembers."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    rows = conn.execute(select(Alert.active_key, Alert.severity).where(Alert.active_key.in_(keys)))
    return dict(rows.all())


def _levels(rule: SensorRule, sensor: object) -> dict[str, float | None]:
    def pick(value: float | str | None, registry: float | None) -> float | None:
        return registry if value == "registry" else value  # type: ignore[return-value]

    return {
        "warning": pick(rule.warning, sensor.warning_threshold),
        "danger": pick(rule.danger, sensor.danger_threshold),
    }


def _condition(rule: SensorRule, sensor: object, kind: str, severity: str, title: str, **kw: object) -> Condition:
    return Condition(
        key=f"{rule.name}:{sensor.id}",
        rule=rule.name,
        kind=kind,
        severity=severity,
        title=title,
        district_code=sensor.district_code,
        sensor_id=sensor.id,
        lat=sensor.lat,
        lon=sensor.lon,
        **kw,
    )


def sensor_conditions(
    conn: Connection, config: AlertConfig, now: datetime, sensor_ids: Iterable[str] | None = None
) -> tuple[set[str], list[Condition]]:
    """(keys checked, conditions firing) for the sensor rules over these sensors (all when None)."""
    sensors = _sensors(conn, sensor_ids)
    series_rules = [r for r in config.sensor_rules if r.type in ("threshold", "rate")]
    pairs = [(config.rule_for(r, s.id), s) for s in sensors for r in series_rules if r.applies_to(s.id, s.kind)]
    lookback = max(
        [(r.min_duration_s if r.type == "threshold" else r.window_s) + 3 * s.expected_interval_s for r, s in pairs]
        or [0]
    )
    series = _series(conn, sorted({s.id for _, s in pairs}), now - timedelta(seconds=lookback), now)
    checked = {f"{r.name}:{s.id}" for r, s in pairs}
    current = live_severities(conn, checked)
    firing: list[Condition] = []
    for rule, s in pairs:
        times, values = series.get(s.id, ([], []))
        key = f"{rule.name}:{s.id}"
        if rule.type == "threshold":
            levels = _levels(rule, s)
            if s.kind in catalogue().low_is_bad:  # a falling value is the bad one: compare mirrored
                mirrored = {k: None if v is None else -v for k, v in levels.items()}
                severity = threshold_severity(
                    times, [-v for v in values], mirrored, rule.hysteresis, rule.min_duration_s, current.get(key)
                )
            else:
                severity = threshold_severity(
                    times, values, levels, rule.hysteresis, rule.min_duration_s, current.get(key)
                )
            if severity:
                value = values[-1] if values else None
                title = titles.threshold_title(s.name, value, s.unit, levels[severity], "id")
                firing.append(
                    _condition(rule, s, "threshold", severity, title, value=value, threshold=levels[severity])
                )
        else:
            severity, rise = rate_severity(times, values, rule, current.get(key))
            if severity:
                limit = rule.danger_rise if severity == "danger" else rule.warning_rise
                title = titles.rate_title(s.name, rise, s.unit, rule.window_s, "id")
                firing.append(_condition(rule, s, "rate", severity, title, value=rise, threshold=limit))
    offline_checked, offline_firing = _offline_conditions(conn, config, now, sensors)
    return checked | offline_checked, firing + offline_firing


def _offline_conditions(
    conn: Connection, config: AlertConfig, now: datetime, sensors: list
) -> tuple[set[str], list[Condition]]:
    rules = [r for r in config.sensor_rules if r.type == "offline"]
    if not rules or not sensors:
        return set(), []
    latest = dict(
        conn.execute(
            select(SensorLatest.sensor_id, SensorLatest.observed_at).where(
                SensorLatest.sensor_id.in_([s.id for s in sensors])
            )
        ).all()
    )
    checked: set[str] = set()
    firing: list[Condition] = []
    for base in rules:
        for s in sensors:
            if not base.applies_to(s.id, s.kind):
                continue
            rule = config.rule_for(base, s.id)
            checked.add(f"{rule.name}:{s.id}")
            last = latest.get(s.id)
            if not is_offline(now, last, s.expected_interval_s, rule.after_intervals):
                continue
            severity = "danger" if s.kind in rule.danger_kinds else rule.severity
            title = titles.offline_title(s.name, last, "id")
            firing.append(_condition(rule, s, "offline", severity, title, detail=f"luring; {s.kind}"))
    return checked, firing
