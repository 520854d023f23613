"""What a running app holds: its settings, its city, its database engine and its cache, one per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from dashboard.settings import Settings
from data.city import CityPack


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    extras: dict[str, object] = field(default_factory=dict)
    city: CityPack | None = None  # the pack named by settings.city when not given

    def __post_init__(self) -> None:
        if self.city is None:
            self.city = self.settings.pack()

    def dispose(self) -> None:
        """Drop pooled connections (after a gunicorn fork, each worker opens its own)."""
        self.engine.dispose()
