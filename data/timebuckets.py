"""SQL expressions that bucket UTC timestamps by the city's day, week, hour and weekday on SQLite and PostgreSQL.

The database stores naive UTC; the city lives in its pack's zone (WIB UTC+7, WITA UTC+8 or WIT UTC+9;
Indonesia has no daylight saving), so every calendar grouping shifts by that many hours inside the
database, never in pandas. The `wib_` names are historical: each expression takes the active city's
offset when it is built and carries it in its cache key, so a compiled statement never serves another zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from data.city import zone


class _LocalTime(FunctionElement):
    """A function of a UTC timestamp read in the city's zone; the zone's offset is part of its cache key."""

    inherit_cache = True
    _traverse_internals = [*FunctionElement._traverse_internals, ("hours", InternalTraversal.dp_plain_obj)]

    def __init__(self, *clauses, **kw) -> None:  # noqa: ANN002, ANN003 - SQLAlchemy's signature
        self.hours = zone().offset_hours
        super().__init__(*clauses, **kw)


class wib_day(_LocalTime):  # noqa: N801 - reads as a SQL function
    """The city's calendar day of a UTC timestamp as 'YYYY-MM-DD'."""

    type = String()
    inherit_cache = True


class wib_week(_LocalTime):  # noqa: N801
    """The Monday (city time) that starts the week of a UTC timestamp, as 'YYYY-MM-DD'."""

    type = String()
    inherit_cache = True


class wib_hour(_LocalTime):  # noqa: N801
    """The city's hour of day, 0-23."""

    type = Integer()
    inherit_cache = True


class wib_weekday(_LocalTime):  # noqa: N801
    """The city's weekday, 0 = Monday ... 6 = Sunday."""

    type = Integer()
    inherit_cache = True


class utc_hour_start(FunctionElement):  # noqa: N801
    """The UTC hour a timestamp falls in (for hourly rollups)."""

    inherit_cache = True


class utc_day_start(FunctionElement):  # noqa: N801
    """The UTC midnight starting a timestamp's UTC day (for daily rollups that windows in UTC hours read)."""

    inherit_cache = True


class wib_day_start(_LocalTime):  # noqa: N801
    """The UTC instant at which the city's day of a timestamp starts (17:00 UTC the day before in WIB), for
    the daily rollup: stored as a timestamp like the hourly rollup's hours, so the same bucket functions apply."""

    inherit_cache = True


class hours_between(FunctionElement):  # noqa: N801
    """Hours from the first timestamp to the second, as a float."""

    type = Float()
    inherit_cache = True


def _args(compiler, element, **kw) -> list[str]:  # noqa: ANN001
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(wib_day, "sqlite")
def _wib_day_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "date({}, '+{} hours')".format(*_args(compiler, element, **kw), element.hours)


@compiles(wib_day, "postgresql")
def _wib_day_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "to_char({} + interval '{} hours', 'YYYY-MM-DD')".format(*_args(compiler, element, **kw), element.hours)


@compiles(wib_week, "sqlite")
def _wib_week_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "date({}, '+{} hours', '-6 days', 'weekday 1')".format(*_args(compiler, element, **kw), element.hours)


@compiles(wib_week, "postgresql")
def _wib_week_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "to_char(date_trunc('week', {} + interval '{} hours'), 'YYYY-MM-DD')".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(wib_hour, "sqlite")
def _wib_hour_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "CAST(strftime('%H', {}, '+{} hours') AS INTEGER)".format(*_args(compiler, element, **kw), element.hours)


@compiles(wib_hour, "postgresql")
def _wib_hour_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "CAST(EXTRACT(hour FROM {} + interval '{} hours') AS INTEGER)".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(wib_weekday, "sqlite")
def _wib_weekday_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "((CAST(strftime('%w', {}, '+{} hours') AS INTEGER) + 6) % 7)".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(wib_weekday, "postgresql")
def _wib_weekday_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "(CAST(EXTRACT(isodow FROM {} + interval '{} hours') AS INTEGER) - 1)".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(utc_hour_start, "sqlite")
def _hour_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "strftime('%Y-%m-%d %H:00:00.000000', {})".format(*_args(compiler, element, **kw))


@compiles(utc_hour_start, "postgresql")
def _hour_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "date_trunc('hour', {})".format(*_args(compiler, element, **kw))


@compiles(utc_day_start, "sqlite")
def _utc_day_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "strftime('%Y-%m-%d 00:00:00.000000', {})".format(*_args(compiler, element, **kw))


@compiles(utc_day_start, "postgresql")
def _utc_day_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "date_trunc('day', {})".format(*_args(compiler, element, **kw))


@compiles(wib_day_start, "sqlite")
def _day_start_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    return "strftime('%Y-%m-%d %H:%M:%S.000000', date({0}, '+{1} hours'), '-{1} hours')".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(wib_day_start, "postgresql")
def _day_start_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    return "(date_trunc('day', {0} + interval '{1} hours') - interval '{1} hours')".format(
        *_args(compiler, element, **kw), element.hours
    )


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = _args(compiler, element, **kw)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_between_pg(element, compiler, **kw) -> str:  # noqa: ANN001
    start, end = _args(compiler, element, **kw)
    # double precision, not EXTRACT's numeric: sorts several times faster and reaches Python as a float
    return f"(CAST(EXTRACT(epoch FROM ({end} - {start})) AS DOUBLE PRECISION) / 3600.0)"


def to_wib(moment: datetime) -> datetime:
    """A stored naive-UTC (or aware) datetime as an aware datetime in the city's zone (named WIB/WITA/WIT)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone().tzinfo)


def to_utc_naive(moment: datetime) -> datetime:
    """Any aware datetime (or naive, taken as UTC) as the naive UTC the database stores."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def wib_midnight_utc(day: date) -> datetime:
    """The naive UTC instant at which the city's calendar day starts."""
    return datetime.combine(day, time.min) - zone().offset


def wib_day_start_utc(moment: datetime) -> datetime:
    """`wib_day_start` in Python: the naive UTC instant at which the city's day of `moment` (naive UTC) starts."""
    return wib_midnight_utc((moment + zone().offset).date())


def wib_today(now_utc: datetime) -> date:
    """The city's calendar day at a naive UTC moment."""
    return (now_utc + zone().offset).date()
