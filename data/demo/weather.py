"""Hourly rain for the demo city and the signals that follow it (river levels, flood pressure).

Rain drives everything that makes an operations room busy: rivers rise hours later and flood
complaints follow, so the demo's correlations come from one shared series, not from chance.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from data.city import zone


def rainy_season_factor(months: np.ndarray) -> np.ndarray:
    """Banten's wet season runs November-April, peaking in January-February."""
    peak = {1: 1.6, 2: 1.6, 3: 1.3, 4: 1.0, 5: 0.6, 6: 0.4, 7: 0.3, 8: 0.3, 9: 0.4, 10: 0.7, 11: 1.1, 12: 1.4}
    return np.array([peak[int(m)] for m in months])


def city_rain(rng: np.random.Generator, start: datetime, n_hours: int, storm_hours_before_end: int = 0) -> np.ndarray:
    """City-wide rain in mm/h for n hours from `start` (naive UTC): convective spells, mostly afternoons."""
    hours = np.array([start + timedelta(hours=i) for i in range(n_hours)])
    wib_hour = np.array([(h.hour + zone().offset_hours) % 24 for h in hours])
    season = rainy_season_factor(np.array([h.month for h in hours]))
    diurnal = 0.4 + 1.6 * np.exp(-(((wib_hour - 16) / 3.0) ** 2))
    start_p = np.clip(0.012 * season * diurnal, 0, 0.3)
    starts = rng.random(n_hours) < start_p
    rain = np.zeros(n_hours)
    for i in np.nonzero(starts)[0]:
        length = 1 + rng.geometric(0.35)
        peak = rng.gamma(1.3, 6.0) * season[i]
        shape = np.sin(np.linspace(0.3, np.pi - 0.3, length))
        end = min(n_hours, i + length)
        rain[i:end] += peak * shape[: end - i]
    if storm_hours_before_end:
        # A heavy storm that has just passed: rivers are high now, as an operations room would see.
        s = max(0, n_hours - storm_hours_before_end)
        profile = np.array([18, 32, 41, 36, 24, 12, 5], dtype=float)
        e = min(n_hours, s + len(profile))
        rain[s:e] = np.maximum(rain[s:e], profile[: e - s])
    return np.round(rain, 2)


def district_rain(rng: np.random.Generator, rain: np.ndarray, n_districts: int) -> np.ndarray:
    """Per-district rain [hours x districts]: the city's cells, scaled and jittered per district."""
    factor = rng.uniform(0.7, 1.3, size=(1, n_districts))
    jitter = rng.lognormal(0.0, 0.35, size=(len(rain), n_districts))
    return np.round(rain[:, None] * factor * jitter, 2)


def river_response(rain: np.ndarray, lag_hours: int = 2, tau_hours: float = 6.0) -> np.ndarray:
    """The catchment's memory of rain: a lagged exponential kernel, in mm-equivalent."""
    kernel = np.exp(-np.arange(48) / tau_hours)
    response = np.convolve(rain, kernel)[: len(rain)]
    return np.concatenate([np.zeros(lag_hours), response[: len(rain) - lag_hours]])


def flood_pressure(rain: np.ndarray) -> np.ndarray:
    """Rain over the last six hours, which is what fills streets and triggers flood reports."""
    window = np.ones(6)
    return np.convolve(rain, window)[: len(rain)]
