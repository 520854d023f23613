"""The rules themselves as pure functions of a short series: no database, so tests drive them directly.

Each returns the severity the condition has now ("warning", "danger") or None, given the severity
of the alert already live for it, which is what hysteresis needs to remember.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from data.alerts.config import SensorRule, SpikeRule

LEVELS = ("danger", "warning")  # checked worst first
RANK = {None: 0, "warning": 1, "danger": 2}


def _held_since(times: Sequence[datetime], values: Sequence[float], level: float) -> datetime | None:
    """When the current unbroken run of readings at or above `level` began (None if the newest is below)."""
    start = None
    for at, value in zip(reversed(times), reversed(values), strict=True):
        if value < level:
            break
        start = at
    return start


def threshold_severity(
    times: Sequence[datetime],
    values: Sequence[float],
    levels: dict[str, float | None],
    hysteresis: float,
    min_duration_s: float,
    current: str | None,
) -> str | None:
    """Severity by levels, with hysteresis and a minimum duration.

    A level is entered when every reading for at least `min_duration_s` is at or above it; once entered,
    it holds until the newest reading falls below level - hysteresis, so a value hovering at the line
    does not flap. Readings are in time order.
    """
    if not values:
        return current
    latest_at, latest = times[-1], values[-1]
    for name in LEVELS:
        level = levels.get(name)
        if level is None:
            continue
        if RANK[current] >= RANK[name] and latest >= level - hysteresis:
            return name
        since = _held_since(times, values, level)
        if since is not None and (latest_at - since).total_seconds() >= min_duration_s:
            return name
    return None


def rise_over_window(times: Sequence[datetime], values: Sequence[float], window_s: float) -> float | None:
    """How much the value rose over the last `window_s`, from the reading nearest the window's start.

    The change is scaled to exactly one window (readings rarely fall on its edges); a span of less than
    half a window says nothing.
    """
    if len(values) < 2:
        return None
    latest_at = times[-1]
    base_i = 0
    for i, at in enumerate(times):
        if (latest_at - at).total_seconds() >= window_s:
            base_i = i
        else:
            break
    span = (latest_at - times[base_i]).total_seconds()
    if span < window_s / 2:
        return None
    return (values[-1] - values[base_i]) * window_s / span


def rate_severity(
    times: Sequence[datetime], values: Sequence[float], rule: SensorRule, current: str | None
) -> tuple[str | None, float | None]:
    """(severity, rise per window): a river rising faster than X per window; hysteresis on the rise."""
    rise = rise_over_window(times, values, rule.window_s)
    if rise is None:
        return current, None
    for name, level in (("danger", rule.danger_rise), ("warning", rule.warning_rise)):
        if level is None:
            continue
        if rise >= level or (RANK[current] >= RANK[name] and rise >= level - rule.hysteresis):
            return name, rise
    return None, rise


def is_offline(now: datetime, last_at: datetime | None, interval_s: float, after_intervals: float) -> bool:
    """Silent for more than `after_intervals` expected reporting intervals (or never heard from)."""
    if last_at is None:
        return True
    return (now - last_at).total_seconds() > after_intervals * max(1.0, interval_s)


def poisson_upper_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed in log space so tiny p-values stay exact."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if k <= mean:
        # The lower part is the short sum here; the tail is large, so 1 - cdf loses nothing.
        log_terms = [i * math.log(mean) - mean - math.lgamma(i + 1) for i in range(k)]
        return max(0.0, 1.0 - math.fsum(math.exp(t) for t in log_terms))
    total, i = 0.0, k
    term = math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
    while term > 0 and (term > total * 1e-17 or i < k + 5):
        total += term
        i += 1
        term *= mean / i
    return min(1.0, total)


def spike_severity(today: int, mean: float, rule: SpikeRule, p_value: float | None = None) -> tuple[str | None, float]:
    """(severity, p) for today's count against the usual mean: a one-sided Poisson test.

    `p_value` overrides the rule's threshold (a live spike holds at a looser one, so it does not flap).
    """
    p = poisson_upper_tail(today, max(mean, rule.min_mean))
    if today < rule.min_count or p >= (p_value if p_value is not None else rule.p_value):
        return None, p
    danger = p < rule.danger_p_value and today >= rule.danger_min_count
    return ("danger" if danger else "warning"), p
