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


# SP4N-LAPOR's stages: forwarded to the agency (3 working days), answered (5), closed for want of a reply (10).
LAPOR_STAGES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("forwarded", 3, ("acknowledged", "in_progress", "closed")),
    ("answered", 5, ("in_progress", "closed")),
    ("closed", 10, ("closed",)),
)


def lapor_stages(requested_utc: datetime, history: list[tuple[str, datetime]], now_utc: datetime) -> list[dict]:
    """Each SP4N-LAPOR stage's due time, when it was reached (from the status history) and its state.

    A stage is met when a status that implies it came before its due time, late when it came after
    (or has not come and the due time has passed), otherwise running on_time / due_soon.
    """
    stages = []
    for name, days, statuses in LAPOR_STAGES:
        due = due_times(np.array([requested_utc], dtype="datetime64[us]"), np.array([days]))[0].astype(datetime)
        reached = min((at for status, at in history if status in statuses), default=None)
        if reached is not None:
            state = "met" if reached <= due else "late"
        else:
            state = sla_state(now_utc, requested_utc, due)
        stages.append({"stage": name, "working_days": days, "due_at": due, "reached_at": reached, "state": state})
    return stages


def sla_state_sql(now_utc: datetime, requested_at, due_at):  # noqa: ANN001, ANN201 - SQL column expressions
    """`sla_state` computed in the database, for lists of open complaints ordered and filtered by it."""
    from sqlalchemy import case, literal

    from data.timebuckets import hours_between

    now = literal(now_utc)
    return case(
        (due_at.is_(None), "on_time"),
        (due_at <= now, "late"),
        (hours_between(now, due_at) <= hours_between(requested_at, due_at) * DUE_SOON_FRACTION, "due_soon"),
        else_="on_time",
    )
