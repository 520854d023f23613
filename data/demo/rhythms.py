"""The seeded city's rhythms as rates and chances, so the live simulator continues the history it follows.

The seed draws each complaint's whole life at once (close time by category, a few forgotten ones); the
simulator cannot, since a seeded complaint that is still open has only its age. It uses the same
distributions through their survival functions instead: a complaint open at age a closes before age
a + dt with chance 1 - S(a + dt) / S(a), which holds for every tick length and for seeded and live
complaints alike, so the backlog stays where the seed left it (Little's law: arrivals x time open).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from data.city import Category, catalogue, zone
from data.demo import weather
from data.demo.generate import (
    ACK_MEDIAN_H,
    ACK_SIGMA,
    CLOSE_SIGMA,
    STUCK_FACTOR,
    STUCK_SHARE,
    hour_profile,
    weekday_profile,
)

_erfc = np.frompyfunc(math.erfc, 1, 1)
# work starts at a uniform 10-60 % of the way to closing (the seed's draw), integrated on five points
_WORK_SHARES = np.array([0.15, 0.25, 0.35, 0.45, 0.55])


def _lognormal_survival(hours: np.ndarray, median: np.ndarray | float, sigma: float) -> np.ndarray:
    hours = np.maximum(np.asarray(hours, dtype=float), 1e-9)
    z = (np.log(hours) - np.log(median)) / (sigma * math.sqrt(2))
    return 0.5 * _erfc(z).astype(float)


def close_survival(age_h: np.ndarray, median_h: np.ndarray) -> np.ndarray:
    """Chance that a complaint of a category with this median close time is still open at `age_h`."""
    usual = _lognormal_survival(age_h, median_h, CLOSE_SIGMA)
    forgotten = _lognormal_survival(age_h, np.asarray(median_h) * STUCK_FACTOR, CLOSE_SIGMA)
    return (1 - STUCK_SHARE) * usual + STUCK_SHARE * forgotten


def ack_survival(age_h: np.ndarray, median_h: np.ndarray) -> np.ndarray:
    """Still unacknowledged: the seed acknowledges at min(30 % of the close time, 1.5 h x lognormal)."""
    age_h = np.asarray(age_h, dtype=float)
    return close_survival(age_h / 0.3, median_h) * _lognormal_survival(age_h, ACK_MEDIAN_H, ACK_SIGMA)


def work_survival(age_h: np.ndarray, median_h: np.ndarray) -> np.ndarray:
    """Work not yet started (the acknowledgement's small head start left out)."""
    age_h = np.asarray(age_h, dtype=float)
    return np.mean([close_survival(age_h / share, median_h) for share in _WORK_SHARES], axis=0)


def _chance(survival, age_before: np.ndarray, age_now: np.ndarray, median: np.ndarray) -> np.ndarray:  # noqa: ANN001
    before = survival(age_before, median)
    now = survival(age_now, median)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, 1 - now / before, 1.0)


def next_steps(frame: pd.DataFrame, since: datetime, now: datetime, rng: np.random.Generator) -> pd.Series:
    """The status each not-yet-closed complaint reaches between `since` and `now` (NaN: unchanged).

    `frame` has status, category and requested_at; one step per complaint per tick, except that a
    complaint may close from any status, as desks close quick reports without logging each stage."""
    if frame.empty:
        return pd.Series(dtype=object)
    medians = {c.code: c.median_close_hours for c in catalogue().categories}
    median = frame["category"].map(medians).fillna(48.0).to_numpy()
    requested = pd.to_datetime(frame["requested_at"])
    age_now = ((pd.Timestamp(now) - requested).dt.total_seconds() / 3600).to_numpy()
    age_before = np.maximum(((pd.Timestamp(since) - requested).dt.total_seconds() / 3600).to_numpy(), 0.0)
    draw = rng.random(len(frame))
    status = frame["status"].to_numpy()
    out = np.full(len(frame), None, dtype=object)
    closes = draw < _chance(close_survival, age_before, age_now, median)
    acks = (status == "open") & (draw >= 1 - _chance(ack_survival, age_before, age_now, median))
    works = (status == "acknowledged") & (draw >= 1 - _chance(work_survival, age_before, age_now, median))
    out[acks] = "acknowledged"
    out[works] = "in_progress"
    out[closes] = "closed"
    return pd.Series(out, index=frame.index)


# ---------------------------------------------------------------- arrivals and weather


def rhythm(at: pd.DatetimeIndex) -> np.ndarray:
    """The seed's relative arrival rate at these UTC hours (day and week profile, WIB clock)."""
    wib = at + pd.Timedelta(zone().offset)
    return hour_profile(wib.hour.to_numpy()) * weekday_profile(wib.day_of_week.to_numpy())


def category_rates(unit_rate: float, rhythm_now: float, pressure_mm: float) -> dict[Category, float]:
    """Complaints per hour by category: the seed's shares on its rhythm, rain-driven ones and floods with rain."""
    rates = {}
    for c in catalogue().categories:
        if c.code == "banjir":
            # the seed: population-weighted river/other district factors (0.004 / 0.001) average ~0.0025
            rates[c] = unit_rate * max(pressure_mm - 15.0, 0.0) * 0.0025
        else:
            boost = 1 + max(pressure_mm - 10.0, 0.0) / 15 if c.rain_driven else 1.0
            rates[c] = unit_rate * rhythm_now * c.share * boost
    return rates


class LiveWeather:
    """City rain by UTC hour from the seed's own weather model, one reproducible day at a time."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._days: dict[int, np.ndarray] = {}

    def _day(self, day: datetime) -> np.ndarray:
        key = day.toordinal()
        if key not in self._days:
            rng = np.random.default_rng([self.seed, key])
            self._days[key] = weather.city_rain(rng, day, 24)
            if len(self._days) > 8:
                self._days.pop(min(self._days))
        return self._days[key]

    def rain(self, first_hour: datetime, n_hours: int) -> np.ndarray:
        """mm/h for n whole UTC hours from `first_hour`."""
        out = np.empty(n_hours)
        for i in range(n_hours):
            at = first_hour + timedelta(hours=i)
            out[i] = self._day(datetime(at.year, at.month, at.day))[at.hour]
        return out

    def pressure(self, at: datetime) -> float:
        """Rain over the six hours up to `at`: what fills streets and brings flood reports (as in the seed)."""
        hour = at.replace(minute=0, second=0, microsecond=0)
        return float(self.rain(hour - timedelta(hours=5), 6).sum())
