"""The room's registry and readings as SensorThings entity sets, each a SELECT the database filters, sorts,
counts and pages (never a whole table in Python).

A Thing (and its Location) is a sensor site: the sensors registered at one point, named by the smallest
sensor id there. Each sensor is one Datastream (its id is the sensor id); each kind is one Sensor (the
instrument type) and one ObservedProperty; an Observation is one reading, its id `<sensor id>@<UTC time>`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, DateTime, Float, Select, and_, func, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from data.models import Observation, Sensor, SensorLatest
from data.sensorthings.query import Comparison, Logical, Query, QueryError

OPS: dict[str, Callable] = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge,
                            "lt": operator.lt, "le": operator.le}  # fmt: skip
OBSERVATION_ID = re.compile(r"^(?P<sensor>.+)@(?P<at>\d{8}T\d{6}(?:\.\d{1,6})?)Z$")


@dataclass(frozen=True)
class EntitySet:
    name: str
    base: Callable[[], tuple[Select, dict[str, ColumnElement]]]  # the SELECT and its filterable columns
    key: tuple[str, ...]  # default and tie-breaking order


@dataclass
class Page:
    rows: list[dict]
    more: bool
    count: int | None = None


def _sites():  # noqa: ANN202 - a subquery
    """One row per site: the smallest sensor id at each registered point."""
    return (
        select(func.min(Sensor.id).label("thing_id"), Sensor.lat.label("lat"), Sensor.lon.label("lon"))
        .group_by(Sensor.lat, Sensor.lon)
        .subquery("site")
    )


def _things() -> tuple[Select, dict[str, ColumnElement]]:
    site, owner = _sites(), aliased(Sensor)
    stmt = select(
        site.c.thing_id.label("id"), owner.name, owner.lat, owner.lon, owner.district_code, owner.network
    ).join(owner, owner.id == site.c.thing_id)
    return stmt, {"id": site.c.thing_id, "name": owner.name}


def _datastreams() -> tuple[Select, dict[str, ColumnElement]]:
    site = _sites()
    first = select(func.min(Observation.observed_at)).where(Observation.sensor_id == Sensor.id).scalar_subquery()
    stmt = (
        select(
            Sensor.id,
            Sensor.name,
            Sensor.kind,
            Sensor.unit,
            Sensor.lat,
            Sensor.lon,
            Sensor.district_code,
            Sensor.network,
            Sensor.warning_threshold,
            Sensor.danger_threshold,
            Sensor.expected_interval_s,
            Sensor.active,
            site.c.thing_id,
            first.label("first_at"),
            SensorLatest.observed_at.label("last_at"),
        )  # fmt: skip
        .join(site, and_(site.c.lat == Sensor.lat, site.c.lon == Sensor.lon))
        .outerjoin(SensorLatest, SensorLatest.sensor_id == Sensor.id)
    )
    columns = {
        "id": Sensor.id, "name": Sensor.name, "Thing/id": site.c.thing_id, "Sensor/id": Sensor.kind,
        "ObservedProperty/id": Sensor.kind, "unitOfMeasurement/symbol": Sensor.unit,
    }  # fmt: skip
    return stmt, columns


def _kinds() -> tuple[Select, dict[str, ColumnElement]]:
    stmt = select(Sensor.kind.label("id"), func.min(Sensor.network).label("network")).group_by(Sensor.kind)
    return stmt, {"id": Sensor.kind}


def _observations() -> tuple[Select, dict[str, ColumnElement]]:
    stmt = select(Observation.sensor_id, Observation.observed_at, Observation.value)
    columns = {
        "phenomenonTime": Observation.observed_at, "resultTime": Observation.observed_at,
        "result": Observation.value, "Datastream/id": Observation.sensor_id,
    }  # fmt: skip
    return stmt, columns


SETS: dict[str, EntitySet] = {
    "Things": EntitySet("Things", _things, ("id",)),
    "Locations": EntitySet("Locations", _things, ("id",)),
    "Datastreams": EntitySet("Datastreams", _datastreams, ("id",)),
    "Sensors": EntitySet("Sensors", _kinds, ("id",)),
    "ObservedProperties": EntitySet("ObservedProperties", _kinds, ("id",)),
    "Observations": EntitySet("Observations", _observations, ("Datastream/id", "phenomenonTime")),
}


def observation_id(sensor_id: str, at: datetime) -> str:
    stamp = at.strftime("%Y%m%dT%H%M%S") + (f".{at.microsecond:06d}" if at.microsecond else "")
    return f"{sensor_id}@{stamp}Z"


def _observation_key(value: object) -> tuple[str, datetime]:
    m = OBSERVATION_ID.match(str(value))
    if not m:
        raise KeyError(value)
    at = m.group("at")
    return m.group("sensor"), datetime.strptime(at, "%Y%m%dT%H%M%S.%f" if "." in at else "%Y%m%dT%H%M%S")


def _condition(es: EntitySet, columns: dict[str, ColumnElement], node: object) -> ColumnElement:
    if isinstance(node, Logical):
        parts = [_condition(es, columns, item) for item in node.items]
        return not_(parts[0]) if node.op == "not" else (and_ if node.op == "and" else or_)(*parts)
    assert isinstance(node, Comparison)
    if es.name == "Observations" and node.path == "id":
        return _observation_id_condition(node)
    column = columns.get(node.path)
    if column is None:
        known = ", ".join(columns)
        raise QueryError(f"{es.name} cannot be filtered by {node.path!r} (it can by {known})")
    value = _value_for(column, node)
    if value is None:
        if node.op not in ("eq", "ne"):
            raise QueryError(f"$filter: {node.path} {node.op} null compares with nothing")
        return column.is_(None) if node.op == "eq" else column.is_not(None)
    return OPS[node.op](column, value)


def _value_for(column: ColumnElement, node: Comparison) -> object:
    value = node.value
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        if not isinstance(value, datetime):
            raise QueryError(f"$filter: {node.path} compares with an ISO 8601 time such as 2026-11-20T00:00:00Z")
        return value
    if isinstance(column.type, Float):
        if not isinstance(value, float):
            raise QueryError(f"$filter: {node.path} compares with a number")
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Things(5): ids written as numbers compare with our text ids
    if isinstance(value, datetime | bool):
        raise QueryError(f"$filter: {node.path} compares with text such as 'water-level-001'")
    return str(value)


def _observation_id_condition(node: Comparison) -> ColumnElement:
    if node.op not in ("eq", "ne"):
        raise QueryError("$filter: Observations' id can only be compared with eq or ne")
    try:
        sensor_id, at = _observation_key(node.value)
    except KeyError:
        return true() if node.op == "ne" else not_(true())
    same = and_(Observation.sensor_id == sensor_id, Observation.observed_at == at)
    return same if node.op == "eq" else not_(same)


def _filtered(es: EntitySet, query: Query, constraints: Sequence[Comparison]) -> tuple[Select, dict, list]:
    """The set's SELECT with `constraints` and the query's $filter applied, and its ORDER BY (the query's
    $orderby, then the set's key, so pages never overlap)."""
    stmt, columns = es.base()
    conditions = [_condition(es, columns, c) for c in constraints]
    if query.filter is not None:
        conditions.append(_condition(es, columns, query.filter))
    if conditions:
        stmt = stmt.where(*conditions)
    order, seen = [], set()
    for path, descending in [*query.orderby, *((k, False) for k in es.key)]:
        path = path.replace("@iot.id", "id")
        column = columns.get(path)
        if column is None:
            raise QueryError(f"{es.name} cannot be sorted by {path!r} (it can by {', '.join(columns)})")
        if path not in seen:
            seen.add(path)
            order.append(column.desc() if descending else column.asc())
    return stmt, columns, order


def fetch(conn: Connection, set_name: str, query: Query, constraints: Sequence[Comparison] = ()) -> Page:
    """One page of an entity set: `constraints` (from the resource path) and the query's $filter applied,
    sorted by $orderby then the set's key, $skip and $top rows, and the total when $count asks for it."""
    stmt, _, order = _filtered(SETS[set_name], query, constraints)
    count = None
    if query.count:
        count = conn.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    if query.top == 0:
        return Page([], False, count)
    rows = conn.execute(stmt.order_by(*order).limit(query.top + 1).offset(query.skip)).mappings().all()
    return Page([dict(r) for r in rows[: query.top]], len(rows) > query.top, count)


def fetch_related(
    conn: Connection, set_name: str, query: Query, prop: str, keys: Sequence[object]
) -> dict[object, Page]:
    """A page of the set per key of `prop` (the Datastreams of each of 100 Things...) in one query: rows are
    numbered within each key (a window function), so $top, $skip and $count hold per key. The readings of
    a Datastream are the exception: one query per Datastream reads its page from the primary key, where a
    window would number every reading of every Datastream asked for."""
    if not keys:
        return {}
    if set_name == "Observations":
        return {k: fetch(conn, set_name, query, [Comparison(prop, "eq", k)]) for k in keys}
    stmt, columns, order = _filtered(SETS[set_name], query, [])
    key = columns[prop]
    numbered = (
        stmt.where(key.in_(list(keys)))
        .add_columns(
            key.label("_key"),
            func.row_number().over(partition_by=key, order_by=order).label("_n"),
            func.count().over(partition_by=key).label("_total"),
        )
        .subquery()
    )
    wanted = select(numbered).where(numbered.c._n > query.skip, numbered.c._n <= query.skip + query.top + 1)
    pages = {k: Page([], False, 0 if query.count else None) for k in keys}
    for row in conn.execute(wanted.order_by(numbered.c._key, numbered.c._n)).mappings():
        page = pages[row["_key"]]
        if query.count:
            page.count = row["_total"]
        if len(page.rows) < query.top:
            page.rows.append({k: v for k, v in row.items() if not k.startswith("_")})
        else:
            page.more = True
    return pages


def fetch_one(conn: Connection, set_name: str, ident: object) -> dict | None:
    """One entity by id, or None."""
    if set_name == "Observations":
        try:
            _observation_key(ident)
        except KeyError:
            return None
    page = fetch(conn, set_name, Query(top=1), [Comparison("id", "eq", ident)])
    return page.rows[0] if page.rows else None
