"""The alert rules file (YAML) read into typed rules, with clear errors for a mistyped file.

A city's rules are its own: a running app owns its AlertConfig (the rules file its settings name, with
their webhook targets) and serves each request under it (`using_config`), so that the ingest sink, which
every feed calls, evaluates the rules of the city the data arrived for. Code handed no config uses the one
entered, else the current city's own rules file (`current_config`, without webhook targets).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from data.city import CityPack, current

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent / "config" / "alert_rules.yaml"
RULE_TYPES = ("threshold", "rate", "offline")


@dataclass(frozen=True)
class SensorRule:
    name: str
    type: str
    kinds: tuple[str, ...] = ()
    sensors: tuple[str, ...] = ()
    warning: float | str | None = None  # a number, or "registry" for the sensor's own threshold
    danger: float | str | None = None
    hysteresis: float = 0.0
    min_duration_s: int = 0
    window_s: int = 900
    warning_rise: float | None = None
    danger_rise: float | None = None
    after_intervals: float = 3.0
    severity: str = "warning"
    danger_kinds: tuple[str, ...] = ()

    def applies_to(self, sensor_id: str, kind: str) -> bool:
        return sensor_id in self.sensors or (not self.sensors and kind in self.kinds)


@dataclass(frozen=True)
class SpikeRule:
    weeks: int = 8
    p_value: float = 0.001
    danger_p_value: float = 1e-6
    danger_min_count: int = 20
    min_count: int = 5
    min_mean: float = 0.5


@dataclass(frozen=True)
class SlaDueRule:
    due_within_h: float = 4.0
    min_count: int = 1
    severity: str = "warning"


@dataclass(frozen=True)
class FloodRule:
    river_rule: str = "river_level"
    radius_m: float = 3000.0
    window_h: float = 12.0
    categories: tuple[str, ...] = ("banjir", "drainase")
    min_complaints: int = 1
    rain_radius_m: float = 6000.0
    rain_window_h: float = 12.0
    min_rain_mm: float = 20.0
    cameras: int = 3
    camera_radius_m: float = 5000.0
    duplicate_radius_m: float = 250.0
    duplicate_window_h: float = 6.0
    quiet_hours: float = 6.0


@dataclass(frozen=True)
class WebhookPolicy:
    events: tuple[str, ...] = ("alert.danger", "incident.opened")
    max_attempts: int = 8
    backoff_s: float = 30.0
    timeout_s: float = 10.0


@dataclass(frozen=True)
class AlertConfig:
    """Everything the evaluator needs: rules, per-sensor overrides, and where to send webhooks."""

    sensor_rules: tuple[SensorRule, ...] = ()
    overrides: dict[str, dict[str, dict]] = field(default_factory=dict)
    spike: SpikeRule = field(default_factory=SpikeRule)
    sla_due: SlaDueRule = field(default_factory=SlaDueRule)
    flood: FloodRule = field(default_factory=FloodRule)
    webhook: WebhookPolicy = field(default_factory=WebhookPolicy)
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str = ""

    def rule_for(self, rule: SensorRule, sensor_id: str) -> SensorRule:
        """The rule as it applies to one sensor, with that sensor's overrides."""
        changes = self.overrides.get(rule.name, {}).get(sensor_id)
        return replace(rule, **changes) if changes else rule


def _build(cls: type, raw: object, where: str) -> object:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(raw).__name__}")
    known = cls.__dataclass_fields__
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(known)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    return cls(**values)


def _sensor_rule(raw: dict, index: int) -> SensorRule:
    where = f"sensor_rules[{index}]"
    if not isinstance(raw, dict) or "name" not in raw or "type" not in raw:
        raise ValueError(f"{where}: each rule needs a name and a type")
    raw = dict(raw)
    if "kind" in raw:
        raw["kinds"] = [raw.pop("kind")]
    rule = _build(SensorRule, raw, f"{where} ({raw['name']})")
    if rule.type not in RULE_TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(RULE_TYPES)}, got {rule.type!r}")
    for level in (rule.warning, rule.danger):
        if level is not None and level != "registry" and not isinstance(level, int | float):
            raise ValueError(f"{where}: a level is a number or 'registry', got {level!r}")
    if rule.type == "rate" and rule.warning_rise is None and rule.danger_rise is None:
        raise ValueError(f"{where}: a rate rule needs warning_rise or danger_rise")
    return rule


def parse_config(raw: dict, webhook_urls: tuple[str, ...] = (), webhook_secret: str = "") -> AlertConfig:
    if not isinstance(raw, dict):
        raise ValueError("the alert rules file must be a YAML mapping")
    rules = tuple(_sensor_rule(r, i) for i, r in enumerate(raw.get("sensor_rules") or []))
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise ValueError("alert rule names must be unique")
    complaint = raw.get("complaint_rules") or {}
    return AlertConfig(
        sensor_rules=rules,
        overrides=raw.get("overrides") or {},
        spike=_build(SpikeRule, complaint.get("spike"), "complaint_rules.spike"),
        sla_due=_build(SlaDueRule, complaint.get("sla_due"), "complaint_rules.sla_due"),
        flood=_build(FloodRule, (raw.get("incidents") or {}).get("flood"), "incidents.flood"),
        webhook=_build(WebhookPolicy, raw.get("webhooks"), "webhooks"),
        webhook_urls=tuple(webhook_urls),
        webhook_secret=webhook_secret,
    )


def load_config(
    path: Path | str | None = None, webhook_urls: tuple[str, ...] = (), webhook_secret: str = ""
) -> AlertConfig:
    """Read and check a rules file; a mistake names the rule and the field."""
    path = Path(path or DEFAULT_RULES_FILE)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return parse_config(raw or {}, webhook_urls, webhook_secret)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def rules_file_of(pack: CityPack) -> Path:
    """The rules file a pack names in its catalogue, else the shared default."""
    catalogue = getattr(pack, "catalogue", None)  # a federation room has none of its own
    name = catalogue.alert_rules_file if catalogue is not None else None
    return pack.path(name) if name else DEFAULT_RULES_FILE


@lru_cache(maxsize=16)
def pack_config(pack: CityPack) -> AlertConfig:
    """A city's own rules, read once per pack; no webhook targets (those are a deployment's settings)."""
    return load_config(rules_file_of(pack))


_entered: ContextVar[AlertConfig | None] = ContextVar("alert_config", default=None)


@contextmanager
def using_config(config: AlertConfig) -> Iterator[AlertConfig]:
    """Evaluate and word alerts by `config` within this block (this thread/context only: a request, a command)."""
    token = _entered.set(config)
    try:
        yield config
    finally:
        _entered.reset(token)


def current_config() -> AlertConfig:
    """The rules entered for this request or command, else the current city's own."""
    config = _entered.get()
    return config if config is not None else pack_config(current())
