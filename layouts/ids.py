"""Every component id in one place, so layouts and callbacks cannot drift apart."""

from __future__ import annotations

# wall
WALL_PARAMS = "wall-params"
WALL_TICK = "wall-tick"
WALL_KPIS = "wall-kpis"
WALL_CLOCK = "wall-clock"

# leader
LEADER_PARAMS = "leader-params"
LEADER_BODY = "leader-body"

# analyst
ANALYST_PARAMS = "analyst-params"
ANALYST_BODY = "analyst-body"


def kpi_value(key: str) -> str:
    """The id of one KPI tile's value, e.g. kpi-value-open_backlog (tests read these)."""
    return f"kpi-value-{key}"
