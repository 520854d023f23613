"""The rules driven with synthetic series: each fires once, holds without repeating, and clears."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from data.alerts.config import SensorRule, SpikeRule, load_config, parse_config
from data.alerts.rules import (
    is_offline,
    poisson_upper_tail,
    rate_severity,
    rise_over_window,
    spike_severity,
    threshold_severity,
)

T0 = datetime(2026, 11, 20, 0, 0)
LEVELS = {"warning": 250.0, "danger": 320.0}


def series(values, step_min=5):
    return [T0 + timedelta(minutes=step_min * i) for i in range(len(values))], list(values)


def run_threshold(values, hysteresis=10.0, min_duration_s=900, step_min=5):
    """Feed readings one at a time as they would arrive; return the severity after each."""
    times, values = series(values, step_min)
    out, current = [], None
    for i in range(1, len(values) + 1):
        current = threshold_severity(times[:i], values[:i], LEVELS, hysteresis, min_duration_s, current)
        out.append(current)
    return out


def transitions(states):
    """How many times the alert opened (None -> something) and cleared (something -> None)."""
    pairs = list(zip([None, *states], states, strict=False))
    return sum(a is None and b is not None for a, b in pairs), sum(a is not None and b is None for a, b in pairs)


def test_threshold_waits_for_the_minimum_duration_then_fires_once_and_clears():
    states = run_threshold([200, 260, 262, 265, 266, 270, 268, 240, 230])
    # 15 min at >= 250 needs four readings 5 min apart: 260 at 5', 266 at 20'.
    assert states[:4] == [None, None, None, None]
    assert states[4:7] == ["warning", "warning", "warning"]
    assert states[-1] is None
    assert transitions(states) == (1, 1)


def test_a_single_spike_above_danger_never_fires():
    assert set(run_threshold([200, 330, 200, 210, 205])) == {None}


def test_hysteresis_stops_a_value_hovering_at_the_line_from_flapping():
    hovering = [255, 256, 257, 258, 249, 252, 248, 251, 247, 250, 238]
    states = run_threshold(hovering)
    assert transitions(states) == (1, 1)
    assert states[-2] == "warning" and states[-1] is None  # cleared only below 250 - 10
    assert transitions(run_threshold(hovering, hysteresis=0.0, min_duration_s=0))[0] > 1  # without both it flaps


def test_danger_eases_to_warning_and_then_clears():
    states = run_threshold([330, 331, 332, 333, 334, 305, 300, 280, 230])
    assert states[3] == "danger"
    assert states[5] == "warning"  # below 320 - 10: eased to warning (already past 250 for long)
    assert states[-1] is None


def test_rise_is_measured_over_the_window_and_scaled_to_it():
    times, values = series([100, 104, 108, 112], step_min=5)  # 12 cm in 15 min
    assert rise_over_window(times, values, 900) == pytest.approx(12.0)
    times, values = series([100, 106], step_min=10)  # 6 cm in 10 min -> 9 cm per 15 min
    assert rise_over_window(times, values, 900) == pytest.approx(9.0)
    assert rise_over_window(*series([100, 140], step_min=2), 900) is None  # too short a span to say


def test_rate_rule_fires_once_while_rising_and_clears_when_the_river_levels_off():
    rule = SensorRule(name="river_rising", type="rate", kinds=("water_level",), window_s=900,
                      warning_rise=15, danger_rise=30, hysteresis=5)  # fmt: skip
    levels = [100, 102, 104, 110, 118, 126, 134, 140, 143, 144, 144, 144]
    times, values = series(levels, step_min=5)
    states, current = [], None
    for i in range(2, len(values) + 1):
        current, _rise = rate_severity(times[:i], values[:i], rule, current)
        states.append(current)
    assert "warning" in states
    assert transitions(states) == (1, 1)
    assert states[-1] is None


def test_offline_after_a_multiple_of_the_expected_interval():
    assert not is_offline(T0 + timedelta(minutes=29), T0, 600, 3)
    assert is_offline(T0 + timedelta(minutes=31), T0, 600, 3)
    assert is_offline(T0, None, 600, 3)


def test_poisson_tail_matches_hand_computed_values():
    # P(X >= 1 | 2) = 1 - e^-2; P(X >= 3 | 0.5) = 1 - e^-0.5 (1 + 0.5 + 0.125)
    assert poisson_upper_tail(1, 2.0) == pytest.approx(1 - 2.718281828459045**-2)
    assert poisson_upper_tail(3, 0.5) == pytest.approx(1 - 2.718281828459045**-0.5 * 1.625)
    tiny = poisson_upper_tail(40, 1.0)
    assert 0 < tiny < 1e-40  # exact in the far tail, not 0 from 1 - 0.999...
    assert poisson_upper_tail(0, 3.0) == 1.0


def test_spike_needs_significance_and_a_minimum_count():
    rule = SpikeRule(p_value=0.001, danger_p_value=1e-6, danger_min_count=20, min_count=5, min_mean=0.5)
    assert spike_severity(4, 0.0, rule)[0] is None  # p is tiny but four reports are not a spike
    assert spike_severity(8, 6.0, rule)[0] is None  # usual for this weekday and hour
    severity, p = spike_severity(12, 2.0, rule)
    assert severity == "warning" and p < 0.001
    assert spike_severity(25, 2.0, rule)[0] == "danger"


def test_the_shipped_rules_file_loads_with_sensible_tangerang_defaults():
    config = load_config()
    river = next(r for r in config.sensor_rules if r.name == "river_level")
    assert river.warning == "registry" and river.hysteresis > 0 and river.min_duration_s > 0
    assert {r.type for r in config.sensor_rules} == {"threshold", "rate", "offline"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sensor_rules": [{"name": "x", "type": "nonsense"}]}, "type must be one of"),
        ({"sensor_rules": [{"name": "x", "type": "threshold", "warnign": 3}]}, "unknown field"),
        ({"sensor_rules": [{"type": "threshold"}]}, "needs a name"),
        ({"sensor_rules": [{"name": "x", "type": "rate"}]}, "warning_rise or danger_rise"),
        ({"complaint_rules": {"spike": {"p": 1}}}, "unknown field"),
    ],
)
def test_a_mistyped_rules_file_names_the_problem(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_config(raw)
