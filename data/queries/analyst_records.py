"""The complaint records behind the analysts' charts: a page at a time for the grid, a stream for exports.

Reporter name and phone are personal data: they appear only when the caller passes
`include_personal=True` (the one switch a permission check turns on). The grid's own sort and filter
models (from AG Grid) are translated to SQL through a whitelist of columns; unknown ones are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, and_, case, func, literal, or_, select

from data.frames import frame_of
from data.models import Complaint, ComplaintStatusChange, District, Subdistrict
from data.queries import complaint_flows as flows
from data.queries.filters import ComplaintFilter

PERSONAL_COLUMNS = ("reporter_name", "reporter_phone")
MAX_PAGE = 1000
TEXT_OPS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank")
NUMBER_OPS = ("equals", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange")


def _columns(now: datetime) -> dict[str, ColumnElement]:
    """Every column the grid and exports may show, by its public name."""
    late = case(
        (and_(Complaint.closed_at.is_not(None), Complaint.closed_at > Complaint.due_at), 1),
        (and_(Complaint.closed_at.is_(None), Complaint.status != "closed", Complaint.due_at < literal(now)), 1),
        else_=0,
    )
    return {
        "id": Complaint.id,
        "requested_at": Complaint.requested_at,
        "category": Complaint.category,
        "status": Complaint.status,
        "channel": Complaint.channel,
        "agency": Complaint.agency,
        "district": District.name,
        "subdistrict": Subdistrict.name,
        "description": Complaint.description,
        "address": Complaint.address,
        "due_at": Complaint.due_at,
        "closed_at": Complaint.closed_at,
        "late": late,
        "source": Complaint.source,
        "source_id": Complaint.source_id,
        "reporter_name": Complaint.reporter_name,
        "reporter_phone": Complaint.reporter_phone,
    }


COLUMN_NAMES = tuple(_columns(datetime(2000, 1, 1)))


def record_columns(include_personal: bool = False) -> list[str]:
    """The columns shown, in order; personal ones only when allowed."""
    return [c for c in COLUMN_NAMES if include_personal or c not in PERSONAL_COLUMNS]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_clause(col: ColumnElement, op: str, value: object) -> ColumnElement | None:
    if op == "blank":
        return or_(col.is_(None), col == "")
    if op == "notBlank":
        return and_(col.is_not(None), col != "")
    if value is None or op not in TEXT_OPS:
        return None
    text = _like_escape(str(value).lower())
    low = func.lower(col)
    return {
        "contains": low.like(f"%{text}%", escape="\\"),
        "notContains": or_(col.is_(None), ~low.like(f"%{text}%", escape="\\")),
        "equals": low == str(value).lower(),
        "notEqual": or_(col.is_(None), low != str(value).lower()),
        "startsWith": low.like(f"{text}%", escape="\\"),
        "endsWith": low.like(f"%{text}", escape="\\"),
    }[op]


def _number_clause(col: ColumnElement, op: str, value: object, value_to: object) -> ColumnElement | None:
    try:
        a = float(value) if value is not None else None
        b = float(value_to) if value_to is not None else None
    except (TypeError, ValueError):
        return None
    if a is None or op not in NUMBER_OPS:
        return None
    if op == "inRange":
        return None if b is None else and_(col >= a, col <= b)
    return {
        "equals": col == a,
        "notEqual": col != a,
        "lessThan": col < a,
        "lessThanOrEqual": col <= a,
        "greaterThan": col > a,
        "greaterThanOrEqual": col >= a,
    }[op]


def _one_condition(col: ColumnElement, spec: Mapping[str, Any]) -> ColumnElement | None:
    if spec.get("filterType") == "number":
        return _number_clause(col, str(spec.get("type")), spec.get("filter"), spec.get("filterTo"))
    return _text_clause(col, str(spec.get("type")), spec.get("filter"))


def grid_clauses(
    filter_model: Mapping[str, Any] | None, now: datetime, include_personal: bool = False
) -> list[ColumnElement]:
    """AG Grid's filter model as SQL conditions (bound parameters); unknown columns and operators are ignored."""
    cols = _columns(now)
    out: list[ColumnElement] = []
    for name, spec in (filter_model or {}).items():
        if name not in cols or (name in PERSONAL_COLUMNS and not include_personal) or not isinstance(spec, Mapping):
            continue
        if isinstance(spec.get("conditions"), list):
            parts = [
                c
                for c in (_one_condition(cols[name], s) for s in spec["conditions"] if isinstance(s, Mapping))
                if c is not None
            ]
            if parts:
                out.append(or_(*parts) if spec.get("operator") == "OR" else and_(*parts))
            continue
        clause = _one_condition(cols[name], spec)
        if clause is not None:
            out.append(clause)
    return out


def _base(stmt: Select, flt: ComplaintFilter, filter_model: Mapping | None, now: datetime, personal: bool) -> Select:
    return (
        stmt.join(District, District.code == Complaint.district_code, isouter=True)
        .join(Subdistrict, Subdistrict.code == Complaint.subdistrict_code, isouter=True)
        .where(*flt.clauses(), *grid_clauses(filter_model, now, personal))
    )


def _order(sort_model: Sequence[Mapping[str, Any]] | None, now: datetime, personal: bool) -> list:
    cols = _columns(now)
    out = []
    for spec in sort_model or []:
        name = spec.get("colId") if isinstance(spec, Mapping) else None
        if name in cols and (personal or name not in PERSONAL_COLUMNS):
            out.append(cols[name].desc() if spec.get("sort") == "desc" else cols[name].asc())
    # a stable order, so pages never repeat or skip a row
    return out + [Complaint.requested_at.desc(), Complaint.id.desc()]


def count_records(
    engine: Engine,
    flt: ComplaintFilter,
    now: datetime,
    filter_model: Mapping | None = None,
    include_personal: bool = False,
) -> int:
    """How many complaint records the filter (and the grid's column filters) select: the window's hours from the
    hourly rollup when it carries every condition, else a count of the rows."""
    if not grid_clauses(filter_model, now, include_personal) and flows.answers_per_hour(flt):
        hours = flows.received_per_hour(flt)
        stmt = select(func.coalesce(func.sum(hours.c.n), 0))
    else:
        stmt = _base(select(func.count()).select_from(Complaint), flt, filter_model, now, include_personal)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def _select(now: datetime, include_personal: bool) -> Select:
    cols = _columns(now)
    return select(*(cols[name].label(name) for name in record_columns(include_personal))).select_from(Complaint)


def record_page(
    engine: Engine,
    flt: ComplaintFilter,
    now: datetime,
    start_row: int = 0,
    end_row: int = 100,
    sort_model: Sequence[Mapping] | None = None,
    filter_model: Mapping | None = None,
    include_personal: bool = False,
) -> pd.DataFrame:
    """Rows start_row..end_row (exclusive) in the grid's order; at most MAX_PAGE rows per call."""
    start_row = max(0, int(start_row))
    limit = max(0, min(MAX_PAGE, int(end_row) - start_row))
    stmt = _base(_select(now, include_personal), flt, filter_model, now, include_personal)
    stmt = stmt.order_by(*_order(sort_model, now, include_personal)).offset(start_row).limit(limit)
    with engine.connect() as conn:
        # plain tuples: pandas probes a SQLAlchemy Row attribute by attribute
        return frame_of(conn.execute(stmt), record_columns(include_personal))


def iter_records(
    engine: Engine,
    flt: ComplaintFilter,
    now: datetime,
    sort_model: Sequence[Mapping] | None = None,
    filter_model: Mapping | None = None,
    include_personal: bool = False,
    batch: int = 5000,
) -> Iterator[tuple]:
    """Every selected record as a tuple, streamed from a server-side cursor in batches (constant memory)."""
    stmt = _base(_select(now, include_personal), flt, filter_model, now, include_personal)
    stmt = stmt.order_by(*_order(sort_model, now, include_personal))
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
        for part in result.partitions(batch):
            yield from part


def complaint_detail(engine: Engine, complaint_id: int, now: datetime, include_personal: bool = False) -> dict | None:
    """One complaint with its place names and its status history (oldest first); None if it does not exist."""
    cols = _columns(now)
    names = [*record_columns(include_personal), "lat", "lon", "media_url", "status_notes", "updated_at"]
    extra = {"lat": Complaint.lat, "lon": Complaint.lon, "media_url": Complaint.media_url}
    extra |= {"status_notes": Complaint.status_notes, "updated_at": Complaint.updated_at}
    stmt = _base(
        select(*((cols.get(n) if n in cols else extra[n]).label(n) for n in names)).select_from(Complaint),
        ComplaintFilter(),
        None,
        now,
        include_personal,
    ).where(Complaint.id == complaint_id)
    history = (
        select(ComplaintStatusChange.status, ComplaintStatusChange.changed_at, ComplaintStatusChange.note)
        .where(ComplaintStatusChange.complaint_id == complaint_id)
        .order_by(ComplaintStatusChange.changed_at, ComplaintStatusChange.id)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
        if row is None:
            return None
        steps = [dict(r) for r in conn.execute(history).mappings()]
    return {**dict(row), "history": steps}
