"""Pulling another SensorThings server into the room: its Datastreams (with Thing, Locations and
ObservedProperty) become registry entries, and each one's Observations since the last one stored are read
page by page, checked like any feed, and stored a page per transaction.

A Datastream already in the registry (its `datastream_id`) keeps its entry as the room wrote it; a new one
becomes sensor `sta-<datastream id>`, placed at its Thing's Location. The kind comes from
data/sensorthings/kinds.py; values are scaled to the room's unit of that kind (metres to centimetres...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, func, select, update

from data.alerts.evaluate import after_ingest
from data.ingest.observations import PageContext, RawReadings, SensorRegistry, collect_readings, ingest_readings
from data.ingest.report import IngestReport
from data.ingest.sensors import check_sensor, store_sensors
from data.ingest.values import BadValueError
from data.models import Observation, Sensor
from data.sensorthings.client import PullError, SensorThingsClient
from data.sensorthings.kinds import kind_for
from data.sensorthings.query import quote_id
from data.store import bump_data_version

DATASTREAM_EXPAND = "Thing($expand=Locations),ObservedProperty"
PAGE_SIZE = 1000
MIN_INTERVAL_S, MAX_INTERVAL_S = 60, 86_400
SENSOR_ID_PREFIX = "sta-"


@dataclass(frozen=True)
class Stream:
    """A remote Datastream the room reads, the sensor it feeds and the factor to the room's unit."""

    datastream_id: str
    sensor_id: str
    factor: float
    ref: str  # the id as it stands in the server's URLs: 7 or 'abc'
    new: bool = False  # registered by this pull: its reporting interval is learnt from its readings


def _remote_ref(ident: object) -> str:
    if isinstance(ident, int) or (isinstance(ident, str) and ident.isdigit()):
        return str(ident)
    return quote_id(str(ident))


def _datastreams(client: SensorThingsClient, wanted: list[str], report: IngestReport):  # noqa: ANN202
    """(location, Datastream entity) for each wanted id, or for every Datastream the server lists."""
    params = {"$expand": DATASTREAM_EXPAND}
    if not wanted:
        for page in client.pages(client.url("Datastreams", params | {"$top": 200, "$orderby": "id asc"})):
            for ds in page["value"]:
                yield f"Datastreams({ds.get('@iot.id') if isinstance(ds, dict) else '?'})", ds
        return
    for ident in wanted:
        where = f"Datastreams({_remote_ref(ident)})"
        try:
            yield where, client.get(client.url(where, params))
        except PullError as exc:
            if exc.status != 404:
                raise
            report.reject(where, "the server has no such Datastream", None)


def _point(ds: dict) -> tuple[object, object]:
    """(lat, lon) of the Datastream's Thing's first Location, else of its observedArea if that is a point."""
    thing = ds.get("Thing") if isinstance(ds.get("Thing"), dict) else {}
    places = [loc.get("location") for loc in thing.get("Locations") or [] if isinstance(loc, dict)]
    for geo in [*places, ds.get("observedArea")]:
        if isinstance(geo, dict) and geo.get("type") == "Feature":
            geo = geo.get("geometry")
        if isinstance(geo, dict) and geo.get("type") == "Point" and len(geo.get("coordinates") or []) >= 2:
            return geo["coordinates"][1], geo["coordinates"][0]
    return None, None


def _name(ds: dict) -> str:
    thing = ds.get("Thing") if isinstance(ds.get("Thing"), dict) else {}
    thing_name, ds_name = str(thing.get("name") or "").strip(), str(ds.get("name") or "").strip()
    if thing_name and ds_name and thing_name.lower() not in ds_name.lower():
        return f"{thing_name} – {ds_name}"[:160]
    return (ds_name or thing_name or f"Datastream {ds.get('@iot.id')}")[:160]


def _new_sensor_id(ds_id: str) -> str:
    return SENSOR_ID_PREFIX + re.sub(r"[^A-Za-z0-9._-]", "_", ds_id)[:60]


def register_datastreams(
    engine: Engine, client: SensorThingsClient, wanted: list[str], report: IngestReport
) -> list[Stream]:
    """The Streams to read: known Datastreams as registered, new ones registered (counted as inserted in
    `report`); each Datastream the room cannot take is rejected with its reason."""
    with engine.connect() as conn:
        registered = select(Sensor.id, Sensor.kind, Sensor.datastream_id, Sensor.network)
        known = {str(r.datastream_id): r for r in conn.execute(registered) if r.datastream_id}
        taken = set(conn.execute(select(Sensor.id)).scalars())
    streams, rows, where = [], {}, {}
    network = (urlsplit(client.base_url).hostname or "SensorThings")[:64]
    for location, ds in _datastreams(client, wanted, report):
        report.read += 1
        if not isinstance(ds, dict) or ds.get("@iot.id") is None:
            report.reject(location, "not a Datastream entity (no @iot.id)", ds)
            continue
        ds_id = str(ds["@iot.id"])
        sensor_id = known[ds_id].id if ds_id in known else _new_sensor_id(ds_id)
        try:
            kind, factor = kind_for(ds.get("ObservedProperty"), ds.get("unitOfMeasurement"), ds.get("name"))
            if ds_id in known:
                if sensor_id.startswith(SENSOR_ID_PREFIX) and known[ds_id].network != network:
                    raise BadValueError(f"its id is taken by {sensor_id!r}, pulled from {known[ds_id].network}: "
                                        "Datastream ids are each server's own")  # fmt: skip
                if known[ds_id].kind != kind:
                    raise BadValueError(f"it is registered as {known[ds_id].kind} sensor {sensor_id!r} but the "
                                        f"server says {kind}")  # fmt: skip
                report.unchanged += 1
            else:
                if sensor_id in taken:
                    raise BadValueError(f"sensor id {sensor_id!r} is taken by another sensor: register the "
                                        "datastream with `ingest sensors` (datastream_id column)")  # fmt: skip
                lat, lon = _point(ds)
                if lat is None:
                    raise BadValueError("its Thing has no Location with a GeoJSON Point")
                rows[sensor_id] = check_sensor({"id": sensor_id, "name": _name(ds), "kind": kind, "lat": lat,
                                                "lon": lon, "datastream_id": ds_id, "network": network})  # fmt: skip
                where[sensor_id] = location
        except BadValueError as exc:
            report.reject(location, f"Datastream {ds_id} ({_name(ds)}): {exc}", _summary(ds))
            continue
        streams.append(Stream(ds_id, sensor_id, factor, _remote_ref(ds["@iot.id"]), new=ds_id not in known))
    new = set(rows)
    if rows:
        store_sensors(engine, rows, where, report)  # drops from `rows` any it refuses, with the reason
    return [s for s in streams if s.sensor_id not in new or s.sensor_id in rows]


def _summary(ds: object) -> object:
    if not isinstance(ds, dict):
        return ds
    return {k: ds.get(k) for k in ("@iot.id", "name", "unitOfMeasurement", "ObservedProperty") if k in ds}


def last_stored(engine: Engine, sensor_id: str) -> datetime | None:
    """The newest reading stored for a sensor (the primary key's range: one index seek)."""
    newest = select(func.max(Observation.observed_at)).where(Observation.sensor_id == sensor_id)
    with engine.connect() as conn:
        return conn.execute(newest).scalar()


def pull_stream(engine: Engine, client: SensorThingsClient, stream: Stream, since: datetime | None,
                report: IngestReport) -> int:  # fmt: skip
    """Read one Datastream's Observations from the later of `since` and the last one stored, oldest first,
    and store each page; returns how many readings were stored."""
    start = max(filter(None, (since, last_stored(engine, stream.sensor_id))), default=None)
    params: dict[str, object] = {"$orderby": "phenomenonTime asc", "$top": PAGE_SIZE}
    if start is not None:  # `ge`, not `gt`: an interval starting where the last one ended is new
        params["$filter"] = f"phenomenonTime ge {start.isoformat(timespec='milliseconds')}Z"
    registry = SensorRegistry.load(engine)
    stored = 0
    url = client.url(f"Datastreams({stream.ref})/Observations", params)
    for page in client.pages(url):
        if stream.factor != 1.0:
            page = page | {"value": [_scaled(o, stream.factor) for o in page["value"]]}
        raw = RawReadings()
        collect_readings(page, raw, f"Datastreams({stream.ref})/Observations ", PageContext(stream.datastream_id))
        before = report.inserted
        ingest_readings(engine, raw, registry, report, evaluate_alerts=False)
        stored += report.inserted - before
    return stored


def learn_interval(engine: Engine, sensor_id: str) -> None:
    """A new sensor's expected reporting interval from its last 100 readings (the median gap, 1 min to 1 day),
    so an hourly station is not taken for an offline one by the 10-minute default."""
    newest = (select(Observation.observed_at).where(Observation.sensor_id == sensor_id)
              .order_by(Observation.observed_at.desc()).limit(101))  # fmt: skip
    with engine.begin() as conn:
        times = conn.execute(newest).scalars().all()
        if len(times) < 3:
            return
        gaps = sorted((a - b).total_seconds() for a, b in zip(times, times[1:], strict=False))
        interval = int(min(max(gaps[len(gaps) // 2], MIN_INTERVAL_S), MAX_INTERVAL_S))
        conn.execute(update(Sensor).where(Sensor.id == sensor_id).values(expected_interval_s=interval))
        bump_data_version(conn, "sensors")


def _scaled(observation: object, factor: float) -> object:
    if isinstance(observation, dict):
        result = observation.get("result")
        if isinstance(result, int | float) and not isinstance(result, bool):
            return observation | {"result": result * factor}
    return observation


def pull_once(engine: Engine, client: SensorThingsClient, wanted: list[str], since: datetime | None,
              datastreams: IngestReport, readings: IngestReport) -> None:  # fmt: skip
    """One round: the registry from the server's Datastreams, then each one's new Observations; the alert
    rules run once over the sensors that got readings."""
    touched = []
    for stream in register_datastreams(engine, client, wanted, datastreams):
        if pull_stream(engine, client, stream, since, readings):
            touched.append(stream.sensor_id)
        if stream.new:
            learn_interval(engine, stream.sensor_id)
    for note in client.notes:
        readings.notes[note] = 1
    if touched:
        after_ingest(engine, sensor_ids=set(touched))
