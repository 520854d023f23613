"""What a running app holds: its settings, its database engine and its cache, one per process."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from dashboard.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    extras: dict[str, object] = field(default_factory=dict)

    def dispose(self) -> None:
        """Drop pooled connections (after a gunicorn fork, each worker opens its own)."""
        self.engine.dispose()
