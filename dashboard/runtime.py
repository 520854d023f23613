"""What a running app holds: its settings, its city, the city's rules, its database engine and its cache."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine

from dashboard.settings import Settings
from data import city as city_context
from data.alerts.config import AlertConfig, load_config, using_config
from data.city import CityPack, activate
from data.sla import WorkingCalendar, pack_calendar, using_calendar


def alert_config(settings: Settings) -> AlertConfig:
    """The rules file the settings name (the pack's own unless ALERT_RULES_FILE says otherwise), with their
    webhook targets."""
    return load_config(settings.alert_rules_path, settings.webhook_urls, settings.webhook_secret)


@dataclass(frozen=True)
class CityRules:
    """The rules a city runs by: its alert rules and its SLA working calendar (the pack's regional days plus
    HOLIDAYS_FILE's). Built per app or command from its settings and pack, never installed process-wide."""

    alerts: AlertConfig
    calendar: WorkingCalendar

    @classmethod
    def of(cls, settings: Settings, pack: CityPack | None = None) -> CityRules:
        pack = pack or settings.pack()
        return cls(alert_config(settings), pack_calendar(pack, settings.holidays_path))

    @contextmanager
    def applied(self) -> Iterator[CityRules]:
        """These rules for code within the block that is handed none (the ingest sink, SLA due dates)."""
        with using_config(self.alerts), using_calendar(self.calendar):
            yield self


@contextmanager
def serving_command(settings: Settings) -> Iterator[CityRules]:
    """A command's process serves CITY's pack (threads included) and, in this thread, the city's rules."""
    pack = settings.pack()
    activate(pack)
    with CityRules.of(settings, pack).applied() as rules:
        yield rules


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    extras: dict[str, object] = field(default_factory=dict)
    city: CityPack | None = None  # the pack named by settings.city when not given
    rules: CityRules | None = None  # built from the settings and the pack when not given

    def __post_init__(self) -> None:
        if self.city is None:
            self.city = self.settings.pack()
        if self.rules is None:
            self.rules = CityRules.of(self.settings, self.city)

    @contextmanager
    def serving(self) -> Iterator[Runtime]:
        """This app's city and rules for the code within the block (a request), even beside another app."""
        with city_context.using(self.city), self.rules.applied():
            yield self

    def dispose(self) -> None:
        """Drop pooled connections (after a gunicorn fork, each worker opens its own)."""
        self.engine.dispose()
