"""SLA clocks in working days: weekends and Indonesia's public holidays do not count.

Defaults follow SP4N-LAPOR (forwarded within 3 working days, answered within 5, closed 10 working
days after follow-up); each category has its own limit in the catalog. Due times keep the clock
time of the request, so a report at 14:00 WIB on Friday with a 1-day SLA is due 14:00 WIB Monday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
import numpy as np

from data.demo.catalog import CATEGORY_BY_CODE

WIB_OFFSET = timedelta(hours=7)
DEFAULT_SLA_WORKING_DAYS = 10
DUE_SOON_FRACTION = 0.25  # the last quarter of the allowed time counts as "due soon"


def sla_working_days(category: str) -> int:
    cat = CATEGORY_BY_CODE.get(category)
    return cat.sla_working_days if cat else DEFAULT_SLA_WORKING_DAYS


@lru_cache(maxsize=32)
def indonesian_holidays(first_year: int, last_year: int) -> np.ndarray:
    """Public holidays (national, incl. cuti bersama where the package lists them) as datetime64[D]."""
    days = holidays.country_holidays("ID", years=range(first_year, last_year + 1))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


def is_working_day(day: date) -> bool:
    hol = indonesian_holidays(day.year, day.year)
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=hol))


def due_times(requested_utc: np.ndarray, working_days: np.ndarray) -> np.ndarray:
    """SLA due times (datetime64[us], naive UTC) for request times and per-request working-day limits."""
    requested_utc = np.asarray(requested_utc, dtype="datetime64[us]")
    if len(requested_utc) == 0:
        return requested_utc
    wib = requested_utc + np.timedelta64(7, "h")
    wib_day = wib.astype("datetime64[D]")
    clock = wib - wib_day.astype("datetime64[us]")
    years = wib_day.astype("datetime64[Y]").astype(int) + 1970
    hol = indonesian_holidays(int(years.min()), int(years.max()) + 1)
    due_day = np.busday_offset(wib_day, np.asarray(working_days, dtype=np.int64), roll="forward", holidays=hol)
    return due_day.astype("datetime64[us]") + clock - np.timedelta64(7, "h")


def due_time(requested_utc: datetime, category: str) -> datetime:
    """The due time of one complaint (naive UTC in, naive UTC out)."""
    out = due_times(np.array([requested_utc], dtype="datetime64[us]"), np.array([sla_working_days(category)]))
    return out[0].astype(datetime)


def sla_state(now_utc: datetime, requested_utc: datetime, due_utc: datetime | None) -> str:
    """on_time, due_soon or late: Jakarta CROP's green, yellow and red."""
    if due_utc is None:
        return "on_time"
    if now_utc >= due_utc:
        return "late"
    if (due_utc - now_utc) <= (due_utc - requested_utc) * DUE_SOON_FRACTION:
        return "due_soon"
    return "on_time"
