"""How callbacks reach the running app's engine and settings: through Flask's current app, never a global."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app

from data.store import utcnow

if TYPE_CHECKING:
    from dashboard.runtime import Runtime

RUNTIME_KEY = "city_runtime"


def runtime() -> Runtime:
    return current_app.extensions[RUNTIME_KEY]


def now() -> datetime:
    """The moment figures are computed for (naive UTC); one place to change for replaying a day."""
    return utcnow()
