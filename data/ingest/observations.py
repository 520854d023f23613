"""Sensor readings from CSV, OGC SensorThings (entities, `Datastream@iot.id`, compact dataArray) and the
simple `{"sensor_id", "observed_at", "value"}` form, validated a column at a time and stored by the sink.

A reading names its sensor by our sensor id or by a SensorThings datastream id: a sensor whose registry
entry names that datastream gets it; otherwise the datastream id is taken as our sensor id.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from data.alerts.evaluate import after_ingest
from data.city import zone
from data.ingest.readers import Broken, FileUnreadableError, Progress, header_key, iter_csv_chunks, json_records
from data.ingest.report import IngestReport, Reject
from data.ingest.sink import ObservationBatch, store_observations
from data.ingest.values import parse_numbers, parse_times, physical_range
from data.models import Sensor
from data.store import utcnow

CSV_COLUMNS = {
    "sensor_id": ("sensor_id", "sensor", "id", "datastream_id", "datastream"),
    "observed_at": ("observed_at", "phenomenontime", "time", "timestamp", "datetime", "waktu", "date_time"),
    "value": ("value", "result", "nilai", "reading"),
}
NAV_LINK = re.compile(r"Datastreams\(\s*'?\"?([^)'\"]+)'?\"?\s*\)")
PAGE_LINK = re.compile(r"/Datastreams\(\s*'?\"?([^)'\"]+)'?\"?\s*\)/Observations(?:$|[?/])")
PAGE_LINKS = ("@iot.selfLink", "@iot.nextLink", "@iot.prevLink")
REGISTRY_TTL_S = 30.0
T = TypeVar("T")


@dataclass
class SensorRegistry:
    """Which sensors exist, their kind, and which datastream ids point at them."""

    kinds: dict[str, str]
    by_datastream: dict[str, str]
    loaded_at: float = field(default_factory=time.monotonic)

    @classmethod
    def load(cls, engine: Engine) -> SensorRegistry:
        with engine.connect() as conn:
            rows = conn.execute(select(Sensor.id, Sensor.kind, Sensor.datastream_id)).all()
        return cls({r.id: r.kind for r in rows}, {str(r.datastream_id): r.id for r in rows if r.datastream_id})

    def resolve(self, refs: np.ndarray, via_datastream: np.ndarray) -> np.ndarray:
        """Our sensor id for each reference (None where unknown); each distinct reference is looked up once."""
        codes, uniques = pd.factorize(refs)
        out = _per_code(codes, [u if u in self.kinds else None for u in uniques], None)
        if via_datastream.any():
            streamed = _per_code(codes, [self.by_datastream.get(u) for u in uniques], None)
            out = np.where(via_datastream & pd.notna(streamed), streamed, out)
        return out


def _per_code(codes: np.ndarray, per_unique: list, missing: object) -> np.ndarray:
    """Spread one value per distinct item (`pd.factorize`'s uniques) back over the rows; -1 gets `missing`."""
    return np.array([*per_unique, missing], dtype=float if isinstance(missing, float) else object)[codes]


class CachedRegistry:
    """A registry kept for a long-running consumer (API, MQTT): reloaded every 30 s, or sooner on a miss.

    Not the web app's version-keyed cache: the MQTT consumer runs without an app, and what matters here is
    reloading as soon as a reading names a sensor the registry does not know yet, which no key can express."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._registry: SensorRegistry | None = None

    def get(self, refs: Iterable[str] = ()) -> SensorRegistry:
        reg = self._registry
        age = time.monotonic() - reg.loaded_at if reg else math.inf
        missing = reg is not None and any(r not in reg.kinds and r not in reg.by_datastream for r in refs)
        if reg is None or age > REGISTRY_TTL_S or (missing and age > 2.0):
            self._registry = reg = SensorRegistry.load(self.engine)
        return reg


class LineLocations(Sequence[str]):
    """'line N' for each CSV row, made only for the rows that are rejected (most never are)."""

    def __init__(self, lines: list[int]) -> None:
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i):  # noqa: ANN001, ANN204 - Sequence protocol
        return f"line {self.lines[i]}"


@dataclass
class RawReadings:
    """Readings as sent, before validation: one entry per record, in arrival order."""

    locations: list[str] | LineLocations = field(default_factory=list)
    refs: list[object] = field(default_factory=list)
    via_datastream: list[bool] = field(default_factory=list)
    times: list[object] = field(default_factory=list)
    values: list[object] = field(default_factory=list)
    records: list[object] = field(default_factory=list)
    broken: list[Reject] = field(default_factory=list)

    def add(self, location: str, ref: object, via_ds: bool, at: object, value: object, record: object) -> None:
        self.locations.append(location)
        self.refs.append(ref)
        self.via_datastream.append(via_ds)
        self.times.append(at)
        self.values.append(value)
        self.records.append(record)

    def __len__(self) -> int:
        return len(self.locations) + len(self.broken)


def _value_text(value: object) -> object:
    """JSON values to the text the column parser reads, keeping NaN and booleans distinguishable."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return f"{type(value).__name__} {str(value)[:30]}"


def _phenomenon_end(value: object) -> object:
    """A SensorThings phenomenonTime may be an interval 'start/end'; the reading stands for its end."""
    if isinstance(value, str) and "/" in value:
        return value.rsplit("/", 1)[1]
    return value


def _datastream_ref(item: dict) -> object:
    if "Datastream@iot.id" in item:
        return item["Datastream@iot.id"]
    ds = item.get("Datastream")
    if isinstance(ds, dict) and "@iot.id" in ds:
        return ds["@iot.id"]
    link = item.get("Datastream@iot.navigationLink")
    match = NAV_LINK.search(link) if isinstance(link, str) else None
    return match.group(1) if match else None


def page_datastream(page: dict) -> str | None:
    """The datastream a page of `GET .../Datastreams(ID)/Observations` came from, as its links name it
    (servers name it there, not in each observation); None when the links name none."""
    for key in PAGE_LINKS:
        link = page.get(key)
        match = PAGE_LINK.search(unquote(urlsplit(link).path) + "/") if isinstance(link, str) else None
        if match:
            return match.group(1).strip()
    return None


@dataclass(frozen=True)
class PageContext:
    """What the enclosing page (or the `--datastream` option) says about observations that name no stream."""

    datastream: str | None = None
    told: str | None = None  # the datastream the person running the ingest named
    conflict: str | None = None

    def within(self, page: dict) -> PageContext:
        linked = page_datastream(page)
        if linked and self.told and linked != self.told:
            return PageContext(None, self.told, f"the page's links name Datastreams({linked}) but --datastream "
                                                f"{self.told} was given")  # fmt: skip
        return PageContext(linked or self.datastream, self.told, self.conflict)

    def missing_reason(self, what: str) -> str:
        if self.conflict:
            return self.conflict
        return (f"{what} names no Datastream and neither does its page's @iot.selfLink/@iot.nextLink (a page of "
                "/Observations mixes datastreams): fetch /Datastreams(ID)/Observations, add "
                "$expand=Datastream($select=id), or pass --datastream ID")  # fmt: skip


def collect_readings(doc: object, into: RawReadings, where: str = "", context: PageContext | None = None) -> None:
    """Add every reading in a JSON document: a list, a {"value": [...]} page, an entity, or a dataArray.

    Observations that name no datastream take their page's (from its links) or `context`'s."""
    context = context or PageContext()
    if isinstance(doc, list):
        for i, item in enumerate(doc):
            collect_readings(item, into, f"{where}[{i}]", context)
        return
    if not isinstance(doc, dict):
        into.broken.append(Reject(where or "document", "expected a JSON object or array", doc))
        return
    if isinstance(doc.get("value"), list) and "result" not in doc and "sensor_id" not in doc:
        collect_readings(doc["value"], into, f"{where}value", context.within(doc))
        return
    if "dataArray" in doc:
        _collect_data_array(doc, into, where, context)
        return
    if "sensor_id" in doc:
        into.add(where, doc.get("sensor_id"), False, doc.get("observed_at"), _value_text(doc.get("value")), doc)
        return
    if "result" in doc or "phenomenonTime" in doc:
        ref = _datastream_ref(doc)
        ref = context.datastream if ref is None and not context.conflict else ref
        if ref is None:
            into.broken.append(Reject(where, context.missing_reason("observation"), doc))
            return
        at = _phenomenon_end(doc.get("phenomenonTime", doc.get("resultTime")))
        into.add(where, str(ref), True, at, _value_text(doc.get("result")), doc)
        return
    into.broken.append(Reject(where or "document", "not an observation: no sensor_id, result or dataArray", doc))


def _collect_data_array(doc: dict, into: RawReadings, where: str, context: PageContext) -> None:
    components = doc.get("components") or []
    ref = _datastream_ref(doc)
    ref = context.datastream if ref is None and not context.conflict else ref
    if not isinstance(components, list) or not isinstance(doc.get("dataArray") or [], list):
        into.broken.append(Reject(where, "components and dataArray must be JSON arrays", None))
        return
    if "phenomenonTime" not in components or "result" not in components:
        into.broken.append(Reject(where, "dataArray components must include phenomenonTime and result", None))
        return
    if ref is None:
        into.broken.append(Reject(where, context.missing_reason("dataArray"), None))
        return
    t_i, r_i = components.index("phenomenonTime"), components.index("result")
    for j, row in enumerate(doc.get("dataArray") or []):
        loc = f"{where}.dataArray[{j}]"
        if not isinstance(row, list) or len(row) != len(components):
            into.broken.append(Reject(loc, f"row has {len(row) if isinstance(row, list) else 0} of "
                                           f"{len(components)} components", row))  # fmt: skip
            continue
        into.add(loc, str(ref), True, _phenomenon_end(row[t_i]), _value_text(row[r_i]), row)


def validate_readings(raw: RawReadings, registry: SensorRegistry, now: datetime | None = None):  # noqa: ANN201
    """Check every reading at once: (good ObservationBatch, rejects, zone-less count, unknown-sensor ids)."""
    now = now or utcnow()
    rejects = list(raw.broken)
    if not raw.locations:
        return ObservationBatch.from_rows([]), rejects, 0
    refs = np.array([None if r is None else str(r).strip() for r in raw.refs], dtype=object)
    sensor_ids = registry.resolve(refs, np.array(raw.via_datastream, dtype=bool))
    times, zoneless, time_reasons = parse_times(raw.times, now)
    values, value_reasons = parse_numbers(raw.values)
    codes, uniques = pd.factorize(sensor_ids)
    unique_kinds = [registry.kinds.get(u) for u in uniques]
    kinds = _per_code(codes, unique_kinds, None)
    low = _per_code(codes, [physical_range(k)[0] for k in unique_kinds], -np.inf)
    high = _per_code(codes, [physical_range(k)[1] for k in unique_kinds], np.inf)
    out_of_range = np.isfinite(values) & ((values < low) | (values > high))
    reasons = np.where(pd.isna(time_reasons), None, time_reasons)
    reasons = np.where(pd.isna(reasons) & ~pd.isna(value_reasons), value_reasons, reasons)
    for i in np.flatnonzero(pd.isna(reasons) & out_of_range):
        reasons[i] = (f"value {values[i]:g} is outside what a {kinds[i]} sensor can read "
                      f"({low[i]:g} to {high[i]:g})")  # fmt: skip
    for i in np.flatnonzero(pd.isna(sensor_ids)):
        ref = refs[i]
        reasons[i] = "sensor id is missing" if not ref else f"unknown sensor {ref!r}: register it with `ingest sensors`"
    bad = ~pd.isna(reasons)
    for i in np.flatnonzero(bad):
        rejects.append(Reject(raw.locations[i], str(reasons[i]), raw.records[i]))
    good = ~bad
    batch = ObservationBatch(sensor_ids[good], times[good], values[good])
    return batch, rejects, int((zoneless & good).sum())


def ingest_readings(
    engine: Engine, raw: RawReadings, registry: SensorRegistry, report: IngestReport, *, evaluate_alerts: bool = True
) -> ObservationBatch:
    """Validate and store one batch of readings, counting into `report`; returns what was stored."""
    return _store_checked(engine, raw, validate_readings(raw, registry), report, evaluate_alerts)


def _store_checked(
    engine: Engine, raw: RawReadings, checked: tuple, report: IngestReport, evaluate_alerts: bool
) -> ObservationBatch:
    report.read += len(raw)
    batch, rejects, zoneless = checked
    for r in rejects:
        report.reject(r.location, r.reason, r.record)
    if zoneless:
        report.notes[f"times without a zone, read as {zone().described}"] += zoneless
    if len(batch):
        result = store_observations(engine, batch, evaluate_alerts=evaluate_alerts)
        report.add_store(result.inserted, 0, result.unchanged)
    return batch


def _pick_columns(header: list[str], path: Path) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    picked: dict[str, int] = {}
    for ours, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in keys:
                picked[ours] = keys.index(alias)
                break
    missing = [c for c in CSV_COLUMNS if c not in picked]
    if missing:
        raise FileUnreadableError(f"{path}: missing column(s) {', '.join(missing)}; the file has: {', '.join(header)}")
    return picked


def _csv_readings(path: Path, chunk_rows: int, progress: Progress | None) -> Iterator[RawReadings]:
    for chunk in iter_csv_chunks(path, chunk_rows, progress):
        cols = _pick_columns(chunk.header, path)
        si, ti, vi = cols["sensor_id"], cols["observed_at"], cols["value"]
        width = max(si, ti, vi) + 1
        rows = chunk.rows
        if min(map(len, rows)) < width:
            rows = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
        yield RawReadings(
            locations=LineLocations(chunk.lines),
            refs=list(map(itemgetter(si), rows)),
            via_datastream=[False] * len(rows),
            times=list(map(itemgetter(ti), rows)),
            values=list(map(itemgetter(vi), rows)),
            records=rows,
        )


def _json_readings(
    path: Path, chunk_rows: int, progress: Progress | None, context: PageContext
) -> Iterator[RawReadings]:
    raw = RawReadings()
    for location, item in json_records(path, progress):
        if isinstance(item, Broken):
            raw.broken.append(Reject(location, item.reason, item.text))
        else:
            collect_readings(item, raw, "" if location == "document" else location, context)
        if len(raw) >= chunk_rows:
            yield raw
            raw = RawReadings()
    if len(raw):
        yield raw


def ingest_observations_file(
    engine: Engine, path: Path, fmt: str, report: IngestReport, progress: Progress | None = None,
    chunk_rows: int = 100_000, datastream: str | None = None,
) -> None:  # fmt: skip
    """Load a CSV or SensorThings JSON file of readings in batches, each its own transaction; the alert
    rules run once, over every sensor the file touched, when it is loaded. `datastream` names the stream of
    SensorThings observations that name none themselves (a saved page whose links name none either)."""
    registry = SensorRegistry.load(engine)
    if fmt == "csv":
        chunks = _csv_readings(Path(path), chunk_rows, progress)
    else:
        told = str(datastream).strip() if datastream is not None else None
        chunks = _json_readings(Path(path), chunk_rows, progress, PageContext(told, told))
    checked = ((raw, validate_readings(raw, registry)) for raw in chunks)
    touched: set[str] = set()
    for raw, result in read_ahead(checked):
        touched.update(_store_checked(engine, raw, result, report, evaluate_alerts=False).sensor_ids)
    after_ingest(engine, sensor_ids=touched)  # never raises


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of `items`, the next one made in a thread while the caller works on this one.

    Parsing and validating the next chunk then overlaps storing this one: SQLite and psycopg let go of
    the GIL while the database works. An error making an item is raised here, in the caller's order.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item
