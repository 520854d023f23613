"""The analysts' filter: parsed from a URL's query string, checked against known values, written back.

A link is the view: `/analyst?district=36.71.05&category=banjir&from=2026-11-01&to=2026-11-22` opens
exactly that. Days are WIB calendar days, `to` inclusive. Unknown values are dropped and reported, never
passed to SQL; every value that reaches SQL is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Connection, Engine, func, select

from data.city import catalogue
from data.models import COMPLAINT_STATUSES, Complaint, District, Subdistrict
from data.queries.filters import ComplaintFilter
from data.timebuckets import wib_hour, wib_midnight_utc, wib_weekday

PRESETS = ("today", "7d", "30d", "month", "custom")
DEFAULT_PRESET = "30d"
BUCKETS = ("day", "week")
MAX_DAYS = 3 * 366  # a longer range is almost certainly a typo; it is cut, and said so
# query-string key -> FilterState field (the multi-valued ones)
MULTI = {
    "district": "districts",
    "subdistrict": "subdistricts",
    "category": "categories",
    "channel": "channels",
    "status": "statuses",
    "agency": "agencies",
    "kind": "kinds",
    "hour": "hours",
    "weekday": "weekdays",
}


@dataclass(frozen=True)
class KnownValues:
    """What a filter may contain: the city's places and the values complaints and sensors actually use."""

    districts: dict[str, str]
    subdistricts: dict[str, tuple[str, str]]  # code -> (name, district code)
    categories: tuple[str, ...]
    channels: tuple[str, ...]
    statuses: tuple[str, ...]
    agencies: tuple[str, ...]
    kinds: tuple[str, ...] = ()  # the pack's sensor kinds; known_values fills them


def distinct_values(conn: Connection, column: ColumnElement) -> list:
    """The distinct non-NULL values of an indexed column, each found by one index seek past the last one.

    A loose index scan: with a few dozen values among a million rows, `SELECT DISTINCT` reads every row
    (or every index entry); this reads one index entry per value, on SQLite and PostgreSQL alike.
    """
    seen = select(func.min(column).label("value")).cte("seen", recursive=True)
    after = select(func.min(column)).where(column > seen.c.value).scalar_subquery()
    seen = seen.union_all(select(after).where(seen.c.value.is_not(None)))
    return list(conn.execute(select(seen.c.value).where(seen.c.value.is_not(None))).scalars())


def known_values(engine: Engine) -> KnownValues:
    """Places from the store; categories and agencies from the catalog plus whatever the data holds."""
    with engine.connect() as conn:
        districts = dict(conn.execute(select(District.code, District.name).order_by(District.name)).all())
        subs = conn.execute(
            select(Subdistrict.code, Subdistrict.name, Subdistrict.district_code).order_by(Subdistrict.name)
        ).all()
        cats = [c for c in distinct_values(conn, Complaint.category) if c]
        agencies = [a for a in distinct_values(conn, Complaint.agency) if a]
    pack_catalogue = catalogue()
    catalog = list(pack_catalogue.category_codes)
    return KnownValues(
        districts=districts,
        subdistricts={code: (name, d) for code, name, d in subs},
        categories=tuple(catalog + sorted(set(cats) - set(catalog))),
        channels=pack_catalogue.complaint_channels,
        statuses=tuple(COMPLAINT_STATUSES),
        agencies=tuple(sorted(set(agencies) | {c.agency for c in pack_catalogue.categories})),
        kinds=pack_catalogue.sensor_kind_codes,
    )


@dataclass(frozen=True)
class FilterState:
    """Everything the workbench is filtered by, in the user's terms (WIB days, codes), JSON-friendly."""

    preset: str = DEFAULT_PRESET
    start_day: str = ""  # YYYY-MM-DD, WIB, inclusive
    end_day: str = ""  # YYYY-MM-DD, WIB, inclusive
    districts: tuple[str, ...] = field(default_factory=tuple)
    subdistricts: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)
    statuses: tuple[str, ...] = field(default_factory=tuple)
    agencies: tuple[str, ...] = field(default_factory=tuple)
    kinds: tuple[str, ...] = field(default_factory=tuple)
    hours: tuple[int, ...] = field(default_factory=tuple)
    weekdays: tuple[int, ...] = field(default_factory=tuple)
    bucket: str = "day"

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping) -> FilterState:
        """From a dcc.Store's JSON (values were validated when the state was made)."""
        fields = cls.__dataclass_fields__
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in fields}
        return cls(**kw)

    def with_values(self, **changes: object) -> FilterState:
        return replace(self, **changes)


@dataclass(frozen=True)
class AnalystFilter(ComplaintFilter):
    """A ComplaintFilter plus the heatmap's WIB hours and weekdays and the sensor kinds."""

    hours: tuple[int, ...] = field(default_factory=tuple)
    weekdays: tuple[int, ...] = field(default_factory=tuple)
    kinds: tuple[str, ...] = field(default_factory=tuple)

    def time_of_day(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return self.hours, self.weekdays

    def clauses(self, include_time: bool = True) -> list[ColumnElement[bool]]:
        out = super().clauses(include_time)
        if self.hours:
            out.append(wib_hour(Complaint.requested_at).in_(self.hours))
        if self.weekdays:
            out.append(wib_weekday(Complaint.requested_at).in_(self.weekdays))
        return out


def preset_days(preset: str, today: date) -> tuple[date, date]:
    """The inclusive WIB days a preset covers, ending today."""
    if preset == "today":
        return today, today
    if preset == "7d":
        return today - timedelta(days=6), today
    if preset == "month":
        return today.replace(day=1), today
    return today - timedelta(days=29), today


def _values(raw: object) -> list[str]:
    """Query-string values as a flat list: repeated keys and comma-separated values both work."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [part.strip() for item in items if item is not None for part in str(item).split(",") if part.strip()]


def _day(raw: object) -> date | None:
    try:
        return date.fromisoformat(_values(raw)[0])
    except (IndexError, ValueError):
        return None


def _allowed(known: KnownValues) -> dict[str, object]:
    return {
        "districts": known.districts,
        "subdistricts": known.subdistricts,
        "categories": known.categories,
        "channels": known.channels,
        "statuses": known.statuses,
        "agencies": known.agencies,
        "kinds": known.kinds,
        "hours": tuple(str(h) for h in range(24)),
        "weekdays": tuple(str(d) for d in range(7)),
    }


def from_query(params: Mapping[str, object], known: KnownValues, today: date) -> tuple[FilterState, list[str]]:
    """A validated state from query-string params, and what was rejected ('key=value' strings)."""
    rejected: list[str] = []
    allowed = _allowed(known)
    chosen: dict[str, tuple] = {}
    for key, name in MULTI.items():
        good: list[str] = []
        for value in _values(params.get(key)):
            if value not in allowed[name]:
                rejected.append(f"{key}={value}")
            elif value not in good:
                good.append(value)
        chosen[name] = tuple(int(v) for v in good) if name in ("hours", "weekdays") else tuple(good)
    start, end = _day(params.get("from")), _day(params.get("to"))
    for key in ("from", "to"):
        if params.get(key) and _day(params.get(key)) is None:
            rejected.append(f"{key}={_values(params.get(key))[0]}")
    preset = (_values(params.get("range")) or [""])[0]
    if start or end:
        start = start or (end - timedelta(days=29))
        end = end or today
        if end < start:
            start, end = end, start
        if (end - start).days > MAX_DAYS:
            rejected.append(f"from={start.isoformat()}")
            start = end - timedelta(days=MAX_DAYS)
        preset = "custom"
    else:
        if preset and preset not in PRESETS[:-1]:
            rejected.append(f"range={preset}")
        preset = preset if preset in PRESETS[:-1] else DEFAULT_PRESET
        start, end = preset_days(preset, today)
    bucket = (_values(params.get("by")) or ["day"])[0]
    if bucket not in BUCKETS:
        rejected.append(f"by={bucket}")
        bucket = "day"
    state = FilterState(preset=preset, start_day=start.isoformat(), end_day=end.isoformat(), bucket=bucket, **chosen)
    return state, rejected


def to_query(state: FilterState, lang: str = "id") -> str:
    """The query string that reproduces `state` exactly (explicit days, so a shared link never drifts)."""
    pairs: list[tuple[str, str]] = [("from", state.start_day), ("to", state.end_day)]
    for key, name in MULTI.items():
        pairs.extend((key, str(v)) for v in getattr(state, name))
    if state.bucket != "day":
        pairs.append(("by", state.bucket))
    if lang != "id":
        pairs.append(("lang", lang))
    return "?" + urlencode(pairs)


def to_filter(state: FilterState) -> AnalystFilter:
    """The SQL-side filter: WIB days become naive-UTC bounds, end exclusive."""
    start = wib_midnight_utc(date.fromisoformat(state.start_day)) if state.start_day else None
    end = wib_midnight_utc(date.fromisoformat(state.end_day) + timedelta(days=1)) if state.end_day else None
    return AnalystFilter(
        start=start,
        end=end,
        districts=state.districts,
        subdistricts=state.subdistricts,
        categories=state.categories,
        channels=state.channels,
        statuses=state.statuses,
        agencies=state.agencies,
        hours=state.hours,
        weekdays=state.weekdays,
        kinds=state.kinds,
    )
