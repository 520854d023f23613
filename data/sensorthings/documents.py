"""SensorThings v1.1 JSON documents of the room's entities: self and navigation links, resource paths
(`Datastreams('x')/Observations`), $expand, $select and `@iot.nextLink` paging.

`base` is the service root URL as the client reached it (`http://host/sta/v1.1`); every link is absolute.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote, urlencode

from sqlalchemy import Connection

from data.sensorthings.entities import fetch, fetch_one, fetch_related, observation_id
from data.sensorthings.kinds import BY_KIND, UNITS
from data.sensorthings.query import Comparison, Query, QueryError, parse_path, quote_id

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
CONFORMANCE = (
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
)
MAX_ENTITIES = 20_000  # in one answer, expansions included
LINK_SAFE = "$(),'/:="  # kept readable in nextLinks, as FROST writes them
ENTITY_SETS = ("Things", "Locations", "Datastreams", "Sensors", "ObservedProperties", "Observations")
# (set, navigation) -> (target set, the target's property that equals this entity's id)
TO_MANY = {
    ("Things", "Datastreams"): ("Datastreams", "Thing/id"),
    ("Things", "Locations"): ("Locations", "id"),
    ("Locations", "Things"): ("Things", "id"),
    ("Sensors", "Datastreams"): ("Datastreams", "Sensor/id"),
    ("ObservedProperties", "Datastreams"): ("Datastreams", "ObservedProperty/id"),
    ("Datastreams", "Observations"): ("Observations", "Datastream/id"),
}
# (set, navigation) -> (target set, the column of this entity's row holding the target's id)
TO_ONE = {
    ("Datastreams", "Thing"): ("Things", "thing_id"),
    ("Datastreams", "Sensor"): ("Sensors", "kind"),
    ("Datastreams", "ObservedProperty"): ("ObservedProperties", "kind"),
    ("Observations", "Datastream"): ("Datastreams", "sensor_id"),
}


class NotFoundError(LookupError):
    """No such entity or path (answered with 404)."""


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="milliseconds") + "Z"


def service_root(base: str) -> dict:
    """The landing document: each entity set's URL and what this server conforms to."""
    return {
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITY_SETS],
        "serverSettings": {"conformance": list(CONFORMANCE)},
    }


def row_id(set_name: str, row: Mapping) -> str:
    return observation_id(row["sensor_id"], row["observed_at"]) if set_name == "Observations" else row["id"]


def _links(base: str, set_name: str, ident: str) -> dict:
    self_link = f"{base}/{set_name}({quote_id(ident)})"
    navs = [nav for (s, nav) in (*TO_MANY, *TO_ONE) if s == set_name]
    links = {f"{n}@iot.navigationLink": f"{self_link}/{n}" for n in navs}
    return {"@iot.id": ident, "@iot.selfLink": self_link} | links


def entity_doc(base: str, set_name: str, row: Mapping) -> dict:
    """One entity's properties and links (before $expand and $select)."""
    ident = row_id(set_name, row)
    doc = _links(base, set_name, ident)
    if set_name == "Things":
        doc |= {"name": row["name"], "description": f"Sensor site in {row['district_code'] or 'outside the city'}",
                "properties": {"district_code": row["district_code"], "network": row["network"]}}  # fmt: skip
    elif set_name == "Locations":
        doc |= {"name": row["name"], "description": f"Where {row['name']} stands",
                "encodingType": "application/geo+json",
                "location": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}}  # fmt: skip
    elif set_name == "Datastreams":
        doc |= _datastream(row)
    elif set_name == "Sensors":
        network = f" of {row['network']}" if row["network"] else ""
        doc |= {"name": f"{_kind_name(row['id'])} sensor", "encodingType": "text/plain",
                "description": f"{_kind_name(row['id'])} instruments{network}",
                "metadata": f"kind {row['id']} of the city's sensor registry"}  # fmt: skip
    elif set_name == "ObservedProperties":
        entry = BY_KIND.get(row["id"])
        doc |= {"name": _kind_name(row["id"]), "description": f"sensor kind {row['id']}",
                "definition": entry.definition if entry else f"urn:city:sensor-kind:{row['id']}"}  # fmt: skip
    else:
        doc |= {"phenomenonTime": iso(row["observed_at"]), "resultTime": None, "result": row["value"]}
    return doc


def _kind_name(kind: str) -> str:
    entry = BY_KIND.get(kind)
    return entry.name if entry else kind.replace("_", " ").capitalize()


def _datastream(row: Mapping) -> dict:
    unit_name, unit_definition = UNITS.get(row["unit"], (row["unit"], ""))
    span = f"{iso(row['first_at'])}/{iso(row['last_at'])}" if row["first_at"] and row["last_at"] else None
    return {
        "name": row["name"],
        "description": f"{_kind_name(row['kind'])} at {row['name']}",
        "observationType": OM_MEASUREMENT,
        "unitOfMeasurement": {"name": unit_name, "symbol": row["unit"], "definition": unit_definition},
        "observedArea": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
        "phenomenonTime": span,
        "resultTime": None,
        "properties": {
            "kind": row["kind"], "warning_threshold": row["warning_threshold"],
            "danger_threshold": row["danger_threshold"], "expected_interval_s": row["expected_interval_s"],
            "district_code": row["district_code"], "active": bool(row["active"]),
        },
    }  # fmt: skip


class Resolver:
    """Answers one request: a resource path and its query options, against one connection."""

    def __init__(self, conn: Connection, base: str) -> None:
        self.conn = conn
        self.base = base
        self._one: dict[tuple[str, object], dict | None] = {}
        self._built = 0

    def answer(self, path: str, query: Query, args: Mapping[str, str]) -> object:
        """The JSON document for `GET {base}/{path}?{args}`; NotFoundError or QueryError when it cannot."""
        segments = parse_path(path)
        if not segments:
            return service_root(self.base)
        set_name, ident = segments[0]
        if set_name not in ENTITY_SETS:
            raise NotFoundError(f"no entity set {set_name!r}: this server has {', '.join(ENTITY_SETS)}")
        constraints: list[Comparison] = []
        row = self._single(set_name, ident) if ident is not None else None
        for i, (name, sub_id) in enumerate(segments[1:], start=1):
            if row is None:
                raise NotFoundError(f"{name} after a collection: name one entity first, e.g. {set_name}(id)/{name}")
            if (set_name, name) in TO_MANY:
                target, prop = TO_MANY[(set_name, name)]
                constraints = [Comparison(prop, "eq", row_id(set_name, row))]
                set_name, row = target, None
                if sub_id is not None:
                    row = self._single(set_name, sub_id, constraints)
            elif (set_name, name) in TO_ONE and sub_id is None:
                target, column = TO_ONE[(set_name, name)]
                set_name, row = target, self._single(target, row[column])
            else:
                return self._property(set_name, row, name, segments[i + 1 :])
        if row is not None:
            return self._expanded(set_name, row, query)
        return self.collection(set_name, query, constraints, path, args)

    def _single(self, set_name: str, ident: object, constraints: list[Comparison] | None = None) -> dict:
        key = (set_name, ident)
        if key not in self._one:
            self._one[key] = fetch_one(self.conn, set_name, ident)
        row = self._one[key]
        if row is None or (constraints and not fetch(self.conn, set_name, Query(top=1), [
                *constraints, Comparison("id", "eq", ident)]).rows):  # fmt: skip
            raise NotFoundError(f"no {set_name}({quote_id(ident)})")
        return row

    def _property(self, set_name: str, row: dict, name: str, rest: list) -> object:
        doc = entity_doc(self.base, set_name, row)
        if name not in doc or name.startswith("@") or "@" in name:
            raise NotFoundError(f"{set_name} has no property or navigation {name!r}")
        if rest == [("$value", None)]:
            return ("raw", doc[name])
        if rest:
            raise NotFoundError(f"nothing below {set_name}/{name}")
        return {name: doc[name]}

    def collection(self, set_name: str, query: Query, constraints: list, path: str, args: Mapping) -> dict:
        page = fetch(self.conn, set_name, query, constraints)
        out: dict = {}
        if page.count is not None:
            out["@iot.count"] = page.count
        if page.more:
            following = {k: v for k, v in args.items() if k != "$skip"} | {"$skip": str(query.skip + query.top)}
            query_text = urlencode(following, safe=LINK_SAFE, quote_via=quote)
            out["@iot.nextLink"] = f"{self.base}/{path.strip('/')}?{query_text}"
        out["value"] = self._docs(set_name, page.rows, query)
        return out

    def _expanded(self, set_name: str, row: dict, query: Query) -> dict:
        return self._docs(set_name, [row], query)[0]

    def _docs(self, set_name: str, rows: list[dict], query: Query) -> list[dict]:
        """The documents of `rows` with their $expand: each navigation is read for all rows at once (one query
        per level, not one per row), then $select."""
        self._built += len(rows)
        if self._built > MAX_ENTITIES:
            raise QueryError(f"the answer would hold over {MAX_ENTITIES:,} entities: lower $top (also inside $expand)")
        docs = [entity_doc(self.base, set_name, row) for row in rows]
        for nav, sub in query.expand.items():
            if (set_name, nav) in TO_ONE:
                target, column = TO_ONE[(set_name, nav)]
                found = fetch_related(
                    self.conn, target, Query(top=1), "id", list(dict.fromkeys(r[column] for r in rows))
                )
                related = [(found[r[column]].rows or [None])[0] for r in rows]
                built = iter(self._docs(target, [r for r in related if r is not None], sub))
                for doc, r in zip(docs, related, strict=True):
                    doc[nav] = None if r is None else next(built)
            elif (set_name, nav) in TO_MANY:
                target, prop = TO_MANY[(set_name, nav)]
                keys = [row_id(set_name, r) for r in rows]
                pages = fetch_related(self.conn, target, sub, prop, keys)
                built = iter(self._docs(target, [r for k in keys for r in pages[k].rows], sub))
                for doc, k in zip(docs, keys, strict=True):
                    page = pages[k]
                    doc[nav] = [next(built) for _ in page.rows]
                    if page.count is not None:
                        doc[f"{nav}@iot.count"] = page.count
                    if page.more:
                        following = urlencode({"$top": sub.top, "$skip": sub.skip + sub.top}, safe=LINK_SAFE)
                        doc[f"{nav}@iot.nextLink"] = f"{doc[f'{nav}@iot.navigationLink']}?{following}"
            else:
                navs = [n for (s, n) in (*TO_MANY, *TO_ONE) if s == set_name]
                raise QueryError(f"{set_name} cannot expand {nav!r} (it can expand {', '.join(navs)})")
        return [_selected(doc, query.select, query.expand) for doc in docs]


def _selected(doc: dict, select: list[str], expanded: Mapping) -> dict:
    if not select:
        return doc
    wanted = {"@iot.id" if s in ("id", "@iot.id") else s for s in select} | set(expanded)
    unknown = [s for s in wanted if s not in doc and f"{s}@iot.navigationLink" not in doc]
    if unknown:
        raise QueryError(f"$select: no property {', '.join(sorted(unknown))}")
    return {k: v for k, v in doc.items() if k in wanted or k.split("@", 1)[0] in wanted and k.endswith("Link")}
