"""SLA clocks in working days, on the government's calendar: weekends, national public holidays, cuti
bersama (the joint leave days a ministerial decree adds each year) and the city's own regional holidays.

Defaults follow SP4N-LAPOR (forwarded within 3 working days, answered within 5, closed 10 working
days after follow-up); each category has its own limit in the catalogue. Due times keep the clock
time of the request, so a report at 14:00 WIB on Friday with a 1-day SLA is due 14:00 WIB Monday.

The national days come from the `holidays` package (its PUBLIC and GOVERNMENT categories for Indonesia:
cuti bersama such as 24 Dec 2026 are in GOVERNMENT). A city's extra days come as an explicit list
(`WorkingCalendar.of(...)`): a city pack's `regional_holidays` plus a `HOLIDAYS_FILE`'s (`pack_calendar`).
A running app owns its city's calendar and serves each request under it (`using_calendar`); code handed no
calendar uses the one entered, else the current city's own (`current_calendar`), so two apps of two cities
in one process each count their own days.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import holidays
import numpy as np
import yaml

from data.city import CityPack, catalogue, current, zone

DEFAULT_SLA_WORKING_DAYS = 10
DUE_SOON_FRACTION = 0.25  # the last quarter of the allowed time counts as "due soon"


def sla_working_days(category: str) -> int:
    cat = catalogue().category(category)
    return cat.sla_working_days if cat else DEFAULT_SLA_WORKING_DAYS


@lru_cache(maxsize=32)
def national_days_off(first_year: int, last_year: int) -> dict[date, str]:
    """Indonesia's public holidays and cuti bersama for these years, with their names."""
    days = holidays.country_holidays(
        "ID", years=range(first_year, last_year + 1), categories=(holidays.PUBLIC, holidays.GOVERNMENT)
    )
    return dict(days.items())


@dataclass(frozen=True)
class Holiday:
    """A day off the national calendar does not know: a regional holiday (e.g. a city's anniversary)."""

    day: date
    name: str = ""


@dataclass(frozen=True)
class WorkingCalendar:
    """The days an SLA clock runs: Monday to Friday except national days off and `regional` ones."""

    regional: tuple[Holiday, ...] = ()

    @classmethod
    def of(cls, days: Iterable[object]) -> WorkingCalendar:
        """From Holiday objects, anything with `.day` and `.name` (a city pack's list) or (date, name) pairs."""
        out = []
        for item in days:
            day, name = (item.day, getattr(item, "name", "")) if hasattr(item, "day") else tuple(item)
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"a regional holiday needs a date, got {day!r}")
            out.append(Holiday(day, str(name or "")))
        return cls(tuple(sorted(set(out), key=lambda h: h.day)))

    def days_off(self, first_year: int, last_year: int) -> dict[date, str]:
        """Every day off (weekends aside) in these years, with its name."""
        days = dict(national_days_off(first_year, last_year))
        days.update({h.day: h.name for h in self.regional if first_year <= h.day.year <= last_year})
        return days

    def holiday_array(self, first_year: int, last_year: int) -> np.ndarray:
        return _holiday_array(self, first_year, last_year)


@lru_cache(maxsize=64)
def _holiday_array(calendar: WorkingCalendar, first_year: int, last_year: int) -> np.ndarray:
    return np.array(sorted(calendar.days_off(first_year, last_year)), dtype="datetime64[D]")


def load_holidays_file(path: Path | str) -> WorkingCalendar:
    """A regional holiday list: YAML (a list of {date, name}) or CSV (columns date,name); ISO dates."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        if rows and "date" not in rows[0]:
            raise ValueError(f"{path}: a holidays CSV needs a 'date' column (and optionally 'name')")
    else:
        try:
            rows = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from exc
        rows = rows.get("holidays") if isinstance(rows, dict) else rows
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError(f"{path}: expected a list of {{date, name}} entries (or `holidays:` holding one)")
    days = []
    for i, row in enumerate(rows, start=1):
        raw = row.get("date")
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise ValueError(f"{path}: entry {i}: {raw!r} is not a date (use YYYY-MM-DD)") from exc
        days.append(Holiday(day, str(row.get("name") or "").strip()))
    return WorkingCalendar.of(days)


@lru_cache(maxsize=16)
def pack_calendar(pack: CityPack, holidays_file: Path | None = None) -> WorkingCalendar:
    """A city's calendar: its pack's regional days plus those of a holidays file (read once per pack and file)."""
    days = list(getattr(pack, "regional_holidays", ()))  # a federation room has none of its own
    if holidays_file is not None:
        days += load_holidays_file(holidays_file).regional
    return WorkingCalendar.of(days)


_entered: ContextVar[WorkingCalendar | None] = ContextVar("working_calendar", default=None)


@contextmanager
def using_calendar(calendar: WorkingCalendar) -> Iterator[WorkingCalendar]:
    """Count SLA days on `calendar` within this block (this thread/context only: a request, a command)."""
    token = _entered.set(calendar)
    try:
        yield calendar
    finally:
        _entered.reset(token)


def current_calendar() -> WorkingCalendar:
    """The calendar entered for this request or command, else the current city's own."""
    calendar = _entered.get()
    return calendar if calendar is not None else pack_calendar(current())


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    hol = (calendar or current_calendar()).holiday_array(day.year, day.year)
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=hol))


def due_times(
    requested_utc: np.ndarray, working_days: np.ndarray, calendar: WorkingCalendar | None = None
) -> np.ndarray:
    """SLA due times (datetime64[us], naive UTC) for request times and per-request working-day limits."""
    requested_utc = np.asarray(requested_utc, dtype="datetime64[us]")
    if len(requested_utc) == 0:
        return requested_utc
    offset = np.timedelta64(zone().offset_hours, "h")
    local = requested_utc + offset
    local_day = local.astype("datetime64[D]")
    clock = local - local_day.astype("datetime64[us]")
    years = local_day.astype("datetime64[Y]").astype(int) + 1970
    hol = (calendar or current_calendar()).holiday_array(int(years.min()), int(years.max()) + 1)
    due_day = np.busday_offset(local_day, np.asarray(working_days, dtype=np.int64), roll="forward", holidays=hol)
    return due_day.astype("datetime64[us]") + clock - offset


def due_time(requested_utc: datetime, category: str, calendar: WorkingCalendar | None = None) -> datetime:
    """The due time of one complaint (naive UTC in, naive UTC out)."""
    out = due_times(np.array([requested_utc], dtype="datetime64[us]"), np.array([sla_working_days(category)]), calendar)
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
