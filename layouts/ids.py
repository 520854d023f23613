"""Every component id in one place, so layouts and callbacks cannot drift apart."""

from __future__ import annotations

# wall
WALL_PARAMS = "wall-params"
WALL_TICK = "wall-tick"
WALL_KPIS = "wall-kpis"
WALL_CLOCK = "wall-clock"
WALL_CLOCK_TICK = "wall-clock-tick"  # the 1 s clientside clock
WALL_POSITION = "wall-position"  # the playlist's {"current", "next", "takeover"}, written by assets/wall.js
WALL_PLAYLIST = "wall-playlist"  # the playlist's slots and dwell times, read by assets/wall.js
WALL_HEARTBEAT = "wall-heartbeat"  # changes on every good refresh; wall.js shows "reconnecting" when it stops
WALL_HEALTH = "wall-health"  # the data-health strip
WALL_TITLE = "wall-title"
WALL_ERROR = "wall-error"
WALL_TAKEOVER = "wall-takeover"  # the danger alert that took over the playlist, or None

# leader
LEADER_PARAMS = "leader-params"
LEADER_BODY = "leader-body"

# analyst
ANALYST_PARAMS = "analyst-params"
ANALYST_BODY = "analyst-body"


def kpi_value(key: str) -> str:
    """The id of one KPI tile's value, e.g. kpi-value-open_backlog (tests read these)."""
    return f"kpi-value-{key}"
