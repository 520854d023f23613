"""The sensor registry from a CSV or GeoJSON of devices: id, kind, unit, location, thresholds, expected
reporting interval and, for SensorThings servers, the datastream each device publishes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import Engine, select

from data import geography
from data.city import catalogue
from data.ingest.readers import Broken, FileUnreadableError, Progress, csv_records, header_key, json_records
from data.ingest.report import IngestReport
from data.ingest.values import BadValueError, is_missing, parse_coordinates, parse_number, parse_optional_number
from data.models import Sensor
from data.store import bump_data_version, upsert_statement

ALIASES = {
    "id": ("id", "sensor_id", "device_id", "kode"),
    "name": ("name", "nama", "label"),
    "kind": ("kind", "type", "jenis"),
    "unit": ("unit", "satuan", "unit_of_measurement"),
    "lat": ("lat", "latitude", "lintang"),
    "lon": ("lon", "lng", "long", "longitude", "bujur"),
    "location": ("location", "lokasi", "coordinates"),
    "warning_threshold": ("warning_threshold", "warning", "siaga"),
    "danger_threshold": ("danger_threshold", "danger", "bahaya", "awas"),
    "expected_interval_s": ("expected_interval_s", "interval_s", "expected_interval", "interval"),
    "datastream_id": ("datastream_id", "datastream", "datastream@iot.id"),
    "network": ("network", "jaringan", "owner"),
    "active": ("active", "aktif"),
}


def _field(record: dict, name: str) -> object:
    keys = {header_key(k): k for k in record}
    for alias in ALIASES[name]:
        if alias in keys and not is_missing(record[keys[alias]]):
            return record[keys[alias]]
    return None


def _location(record: dict) -> tuple[object, object]:
    lat, lon = _field(record, "lat"), _field(record, "lon")
    where = _field(record, "location")
    if lat is None and lon is None and isinstance(where, str):
        text = where.strip().upper()
        if text.startswith("POINT"):  # WKT: POINT(lon lat)
            parts = text[text.index("(") + 1 : text.rindex(")")].split()
            return (parts[1], parts[0]) if len(parts) == 2 else (None, None)
        parts = [p for p in where.replace(";", ",").split(",") if p.strip()]
        if len(parts) == 2:  # "lat, lon" as people write it
            return parts[0], parts[1]
    return lat, lon


def check_sensor(record: dict) -> dict:
    """One registry entry, checked; a missing unit or threshold falls back to the kind's usual one."""
    sensor_id = _field(record, "id")
    sensor_id = None if sensor_id is None else str(sensor_id).strip()
    if not sensor_id:
        raise BadValueError("id is missing")
    if len(sensor_id) > 64:
        raise BadValueError("id is longer than 64 characters")
    kind = header_key(str(_field(record, "kind") or ""))
    defaults = catalogue().sensor_kind(kind)
    if defaults is None:
        raise BadValueError(
            f"kind {kind or '(missing)'!r} is not one of this city's sensor kinds "
            f"({', '.join(catalogue().sensor_kind_codes)}); to add one, add an entry to sensor_kinds in the "
            "city pack's catalogue (city.yaml, or data/config/catalogue.yaml for every city)"
        )
    try:
        lat, lon = parse_coordinates(*_location(record))
    except BadValueError as exc:
        raise BadValueError(f"location: {exc}") from None
    if lat is None:
        raise BadValueError("location (lat, lon) is missing")
    row = {
        "id": sensor_id,
        "name": str(_field(record, "name") or sensor_id)[:160],
        "kind": kind,
        "unit": str(_field(record, "unit") or defaults.unit)[:16],
        "lat": lat,
        "lon": lon,
        "network": str(_field(record, "network") or defaults.network)[:64],
    }
    for name, default in (("warning_threshold", defaults.warning), ("danger_threshold", defaults.danger)):
        try:
            value = parse_optional_number(_field(record, name))
        except BadValueError as exc:
            raise BadValueError(f"{name}: {exc}") from None
        row[name] = default if value is None else value
    if row["warning_threshold"] is not None and row["danger_threshold"] is not None:
        if defaults.bad == "low" and row["warning_threshold"] < row["danger_threshold"]:
            raise BadValueError(f"warning_threshold is below danger_threshold (a low {kind} is the bad one)")
        if defaults.bad != "low" and row["warning_threshold"] > row["danger_threshold"]:
            raise BadValueError("warning_threshold is above danger_threshold")
    interval = _field(record, "expected_interval_s")
    row["expected_interval_s"] = 600 if interval is None else int(parse_number(interval))
    if row["expected_interval_s"] <= 0:
        raise BadValueError("expected_interval_s must be a positive number of seconds")
    ds = _field(record, "datastream_id")
    row["datastream_id"] = None if ds is None else str(ds).strip()[:64]
    active = _field(record, "active")
    row["active"] = active is None or str(active).strip().lower() not in ("0", "false", "no", "tidak", "n")
    return row


def _geojson_items(path: Path, progress: Progress | None) -> Iterator[tuple[str, object]]:
    for location, doc in json_records(path, progress):
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            if isinstance(doc, dict) and doc.get("type") == "Feature":
                features = [doc]
            else:
                yield location, doc
                continue
        for i, feature in enumerate(features):
            props = dict((feature or {}).get("properties") or {})
            geometry = (feature or {}).get("geometry") or {}
            if geometry.get("type") == "Point" and len(geometry.get("coordinates") or []) >= 2:
                props.setdefault("lon", geometry["coordinates"][0])
                props.setdefault("lat", geometry["coordinates"][1])
            yield f"features[{i}]", props


def ingest_sensors_file(engine: Engine, path: Path, report: IngestReport, progress: Progress | None = None) -> None:
    """Upsert the devices of a CSV or GeoJSON registry by id; each bad entry is rejected with its reason."""
    path = Path(path)
    if path.suffix.lower() in (".json", ".geojson"):
        items: Iterable[tuple[str, object]] = _geojson_items(path, progress)
    else:
        items = ((f"line {n}", rec) for n, rec in csv_records(path, progress=progress))
    rows: dict[str, dict] = {}
    where: dict[str, str] = {}
    for location, record in items:
        report.read += 1
        if isinstance(record, Broken) or not isinstance(record, dict):
            report.reject(location, getattr(record, "reason", "expected a sensor object"), record)
            continue
        try:
            row = check_sensor(record)
        except BadValueError as exc:
            report.reject(location, str(exc), record)
            continue
        if row["id"] in rows:
            report.unchanged += 1
        rows[row["id"]], where[row["id"]] = row, location
    if not rows and report.read == 0:
        raise FileUnreadableError(f"{path}: no sensors in the file")
    store_sensors(engine, rows, where, report)


def store_sensors(engine: Engine, rows: dict[str, dict], where: dict[str, str], report: IngestReport) -> None:
    """Upsert checked registry rows (from `check_sensor`); a row whose datastream another sensor owns is
    rejected and dropped from `rows`."""
    with engine.begin() as conn:
        existing = {r.id: r for r in conn.execute(select(Sensor.__table__))}
        owner = {r.datastream_id: r.id for r in existing.values() if r.datastream_id}
        for sid in list(rows):
            ds = rows[sid]["datastream_id"]
            taken = owner.get(ds) if ds else None
            if taken and taken != sid:
                report.reject(where[sid], f"datastream {ds!r} already belongs to sensor {taken!r}", rows.pop(sid))
            elif ds:
                owner[ds] = sid
        if not rows:
            return
        values = list(rows.values())
        districts, _ = geography.locator().locate([r["lat"] for r in values], [r["lon"] for r in values])
        outside = 0
        for row, district in zip(values, districts, strict=True):
            row["district_code"] = district
            outside += district is None
            old = existing.get(row["id"])
            if old is None:
                report.inserted += 1
            elif all(getattr(old, k) == v for k, v in row.items()):
                report.unchanged += 1
            else:
                report.updated += 1
        if outside:
            report.notes["sensors outside the city (kept, flagged by no district)"] += outside
        stmt = upsert_statement(engine, Sensor.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"], set_={c: stmt.excluded[c] for c in values[0] if c != "id"}
        )
        conn.execute(stmt, values)
        bump_data_version(conn, "sensors")
