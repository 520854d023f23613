"""Reading the values real systems send: times with and without zones, epoch numbers, decimal commas, NaN.

Each parser either returns a clean value or raises `BadValueError` with a reason a person can act on.
The vectorised twins (`parse_times`, `parse_numbers`) do the same for a whole column at once, so a
file of millions of readings validates at C speed; they return a reason per row instead of raising.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

import numpy as np
import pandas as pd

from data.city import catalogue, zone

EARLIEST = datetime(2000, 1, 1)  # a reading before this is a device whose clock was never set
OBSERVATION_FUTURE_SLACK = timedelta(minutes=15)
COMPLAINT_FUTURE_SLACK = timedelta(days=1)
# Day-first layouts tried after ISO 8601, as Indonesian spreadsheets write dates.
FALLBACK_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y %H:%M",
)
ZONE_SUFFIX = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
EPOCH = r"-?\d{9,13}(?:\.\d+)?"


class BadValueError(ValueError):
    """A value that cannot be used, with the reason shown to the person who sent it."""


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in ("", "null", "NULL", "None")


def _epoch(number: float) -> datetime:
    seconds = number / 1000 if abs(number) >= 1e11 else number  # milliseconds from JavaScript and Java
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):  # found by tests/unit/test_hostile_properties.py
        raise BadValueError(f"{number!r} is not a time (epoch seconds or milliseconds out of range)") from None


def parse_time(
    value: object, *, default_tz: tzinfo | None = None, formats: Sequence[str] = ()
) -> tuple[datetime, bool]:
    """A time as naive UTC, and whether it had no zone (then it is read in `default_tz`, by default the
    city's zone: WIB, WITA or WIT)."""
    if is_missing(value):
        raise BadValueError("missing")
    if isinstance(value, bool):
        raise BadValueError(f"{value!r} is not a time")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise BadValueError(f"{value!r} is not a time")
        return _epoch(float(value)), False
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if re.fullmatch(EPOCH, text):
            return _epoch(float(text)), False
        moment = _from_text(text, formats)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=default_tz or zone().tzinfo).astimezone(UTC).replace(tzinfo=None), True
    return moment.astimezone(UTC).replace(tzinfo=None), False


def _from_text(text: str, formats: Sequence[str]) -> datetime:
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 - the zone is applied by the caller
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        pass
    for fmt in FALLBACK_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007
        except ValueError:
            continue
    raise BadValueError(f"{text[:40]!r} is not an ISO 8601 time")


def check_time_window(moment: datetime, now: datetime, future_slack: timedelta) -> None:
    """Refuse times a sane feed cannot mean: before 2000 (clock never set) or ahead of now."""
    if moment < EARLIEST:
        raise BadValueError(f"{moment:%Y-%m-%d} is before 2000: is the device clock set?")
    if moment > now + future_slack:
        raise BadValueError(f"{moment:%Y-%m-%d %H:%M} UTC is in the future")


def normalise_decimal(text: str) -> str:
    """'1.234,5' and '1,5' (Indonesian) become '1234.5' and '1.5'; '1,234.5' becomes '1234.5'."""
    text = text.replace("\u00a0", "").replace(" ", "").replace("_", "")
    if "," in text:
        if "." in text:
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        else:
            text = text.replace(",", "")
    return text


def parse_number(value: object) -> float:
    """A finite number from a number or text; NaN, Infinity and words are refused with the reason."""
    if is_missing(value):
        raise BadValueError("missing")
    if isinstance(value, bool):
        raise BadValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(normalise_decimal(text))
        except ValueError:
            raise BadValueError(f"{text[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise BadValueError(f"{value!r} is not a finite number")
    return number


def parse_optional_number(value: object) -> float | None:
    return None if is_missing(value) else parse_number(value)


def parse_coordinates(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Both or neither; numbers within the globe; 0,0 (a common 'unknown') counts as no location."""
    if is_missing(lat) and is_missing(lon):
        return None, None
    if is_missing(lat) or is_missing(lon):
        raise BadValueError("latitude and longitude must come together")
    la, lo = parse_number(lat), parse_number(lon)
    if not -90 <= la <= 90:
        raise BadValueError(f"latitude {la} is outside -90..90")
    if not -180 <= lo <= 180:
        raise BadValueError(f"longitude {lo} is outside -180..180")
    if la == 0 and lo == 0:
        return None, None
    return la, lo


def physical_range(kind: str | None) -> tuple[float, float]:
    """What a sensor of this kind can physically report (the pack's catalogue); outside it the device or the
    feed is broken. Unbounded for a kind the catalogue does not know."""
    spec = catalogue().sensor_kind(kind) if kind else None
    return (spec.physical_min, spec.physical_max) if spec else (-math.inf, math.inf)


def check_physical_range(kind: str, value: float) -> None:
    low, high = physical_range(kind)
    if not low <= value <= high:
        raise BadValueError(f"value {value:g} is outside what a {kind} sensor can read ({low:g} to {high:g})")


# --- column-at-a-time versions for large files -------------------------------------------------------------


def text_array(raw: Sequence[object]) -> np.ndarray:
    """A column as a numpy string array (stripped; None, NaN and 'null' become ''), for C-speed checks."""
    try:
        arr = np.array(raw, dtype=np.dtypes.StringDType())
        if arr.ndim != 1:  # cells that are themselves lists would make a 2-D array
            raise ValueError("nested cells")
    except (TypeError, ValueError):
        arr = np.array(["" if is_missing(v) else str(v) for v in raw], dtype=np.dtypes.StringDType())
    arr = np.strings.strip(arr)
    arr[(arr == "null") | (arr == "NULL") | (arr == "None")] = ""
    return arr


def _zoned(text: np.ndarray) -> np.ndarray:
    """Which times end in a zone: Z, +07:00, +0700 or +07 after a clock time.

    The last six characters are read as a matrix of code points, so each test is one integer comparison
    over the column (string slicing per test cost more than the rest of the validation).
    """
    tail = np.strings.slice(text, -6, None).astype("U6")
    codes = tail.view(np.uint32).reshape(len(tail), 6)
    length = np.strings.str_len(tail)
    rows = np.arange(len(tail))
    # at[k]: the k-th character from the end (0 where the text is shorter)
    at = {k: np.where(length >= k, codes[rows, np.maximum(length - k, 0)], 0) for k in range(1, 7)}
    digit = {k: (c >= ord("0")) & (c <= ord("9")) for k, c in at.items()}
    sign = {k: (c == ord("+")) | (c == ord("-")) for k, c in at.items()}

    has_clock = np.strings.find(text, ":") >= 0
    z = (at[1] == ord("Z")) | (at[1] == ord("z"))
    long_offset = sign[6] & (at[3] == ord(":")) & digit[2] & digit[1]
    short4 = sign[5] & digit[4] & digit[3] & digit[2] & digit[1]
    short2 = sign[3] & digit[2] & digit[1]
    return has_clock & (z | long_offset | short4 | short2)


def parse_times(raw: Sequence[object], now: datetime) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of times: (naive UTC datetime64[us], had-no-zone mask, reason or None per row)."""
    text = text_array(raw)
    n = len(text)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    zoneless = np.zeros(n, dtype=bool)
    missing = text == ""
    lengths = np.strings.str_len(text)
    epoch = np.strings.isdigit(text) & (lengths >= 9) & (lengths <= 13)
    if epoch.any():
        num = text[epoch].astype(float)
        num = np.where(np.abs(num) >= 1e11, num / 1000, num)
        out[epoch] = (num * 1e6).astype("int64").astype("datetime64[us]")
    rest = ~missing & ~epoch
    zoned = rest & _zoned(text)
    if zoned.any():
        parsed = pd.to_datetime(text[zoned].astype(object), utc=True, format="ISO8601", errors="coerce")
        out[zoned] = parsed.tz_localize(None).as_unit("us").to_numpy()
    naive = rest & ~zoned
    if naive.any():
        parsed = pd.to_datetime(text[naive].astype(object), format="ISO8601", errors="coerce")
        out[naive] = (parsed - pd.Timedelta(zone().offset)).as_unit("us").to_numpy()
        zoneless[naive] = True
    for i in np.flatnonzero(~missing & np.isnat(out)):  # unusual layouts (day-first, dotted): rare, one by one
        try:
            moment, no_zone = parse_time(str(text[i]))
        except BadValueError:
            continue
        out[i] = moment
        zoneless[i] = no_zone
    reasons = np.full(n, None, dtype=object)
    reasons[missing] = "observed_at is missing"
    for i in np.flatnonzero(~missing & np.isnat(out)):
        reasons[i] = f"observed_at {str(text[i])[:40]!r} is not an ISO 8601 time"
    valid = ~np.isnat(out)
    reasons[valid & (out < np.datetime64(EARLIEST))] = "observed_at is before 2000: is the device clock set?"
    reasons[valid & (out > np.datetime64(now + OBSERVATION_FUTURE_SLACK))] = "observed_at is in the future"
    return out, zoneless & valid & pd.isna(reasons), reasons


def parse_numbers(raw: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of numbers (decimal commas allowed): (float64 values, reason or None per row)."""
    text = text_array(raw)
    missing = text == ""
    values = np.full(len(text), np.nan)
    try:
        values[~missing] = text[~missing].astype(float)
    except ValueError:  # some cells need a closer look: decimal commas, words
        cleaned = [normalise_decimal(str(t)) for t in text[~missing]]
        values[~missing] = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce").to_numpy(float)
    reasons = np.full(len(values), None, dtype=object)
    reasons[missing] = "value is missing"
    for i in np.flatnonzero(~missing & ~np.isfinite(values)):
        word = str(text[i])
        is_word = word.lower().lstrip("+-") in ("nan", "inf", "infinity")
        what = "a finite number" if is_word else "a number"
        reasons[i] = f"value {word[:40]!r} is not {what}"
    return values, reasons
