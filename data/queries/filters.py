"""A complaint filter shared by every page: turns chosen values into SQL conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement

from data.models import Complaint


@dataclass(frozen=True)
class ComplaintFilter:
    """Which complaints a figure covers; empty tuples mean "all". Times are naive UTC, end exclusive.

    Records located outside the city's area are kept and flagged, and never counted in its figures; records
    without coordinates are counted city-wide."""

    start: datetime | None = None
    end: datetime | None = None
    districts: tuple[str, ...] = field(default_factory=tuple)
    subdistricts: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)
    statuses: tuple[str, ...] = field(default_factory=tuple)
    agencies: tuple[str, ...] = field(default_factory=tuple)

    def clauses(self, include_time: bool = True) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = [Complaint.outside_city.is_not(True)]
        if include_time and self.start is not None:
            out.append(Complaint.requested_at >= self.start)
        if include_time and self.end is not None:
            out.append(Complaint.requested_at < self.end)
        for column, values in (
            (Complaint.district_code, self.districts),
            (Complaint.subdistrict_code, self.subdistricts),
            (Complaint.category, self.categories),
            (Complaint.channel, self.channels),
            (Complaint.status, self.statuses),
            (Complaint.agency, self.agencies),
        ):
            if values:
                out.append(column.in_(values))
        return out

    def time_of_day(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The WIB hours and weekdays of receipt the filter keeps (none here; the analysts' filter has them)."""
        return (), ()

    @classmethod
    def for_district(cls, district: str | None, **kw: object) -> ComplaintFilter:
        return cls(districts=(district,) if district else (), **kw)  # type: ignore[arg-type]
