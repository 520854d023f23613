"""Write a generated demo city into the store, replacing what the store held."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, insert, text

from data import city as city_packs
from data import models
from data.bulk import copy_rows
from data.complaint_rollups import rebuild_all as rebuild_all_complaint_rollups
from data.demo import catalog
from data.demo.estate import seed_estate
from data.demo.generate import (
    CityWeather,
    DemoSpec,
    build_complaints,
    build_sensors,
    build_service_metrics,
    build_weather,
    flood_reports,
    observation_interval_s,
    observation_series,
)
from data.places import prepare_store, write_places
from data.rollups import rebuild_observation_rollups
from data.store import bump_data_version, is_sqlite

Progress = Callable[[str, int], None]

# Tables in the order they can be emptied without breaking foreign keys.
CITY_TABLES = (
    "incident_members",
    "ops_audit",
    "webhook_deliveries",
    "alerts",
    "incidents",
    "complaint_status_history",
    "complaints",
    "complaints_hourly",
    "complaints_backlog",
    "observations_hourly",
    "observations_daily",
    "sensor_latest",
    "observations",
    "sensors",
    "service_metrics",
    "services",
    "subdistricts",
    "districts",
    "feed_status",
    "ingest_errors",
)


@dataclass
class SeedReport:
    complaints: int
    observations: int
    sensors: int
    service_metrics: int
    seconds: float


def _quiet(_label: str, _n: int) -> None:
    return None


def clear_city(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in CITY_TABLES:
            conn.execute(delete(models.Base.metadata.tables[name]))


def _datetime_strings(values: np.ndarray) -> np.ndarray:
    """datetime64 -> 'YYYY-MM-DD HH:MM:SS.ffffff' (the stored form on SQLite, accepted by COPY)."""
    out = np.datetime_as_string(values.astype("datetime64[us]"), unit="us")
    return np.char.replace(out, "T", " ")


def _optional_times(values: np.ndarray) -> list[str | None]:
    missing = np.isnat(values)
    strings = _datetime_strings(values)
    return [None if gone else s for s, gone in zip(strings.tolist(), missing.tolist(), strict=True)]


def seed_demo_city(engine: Engine, spec: DemoSpec, progress: Progress = _quiet) -> SeedReport:
    """Build the demo city for `spec` into `engine` (schema first), replacing city data."""
    started = time.perf_counter()
    interval = observation_interval_s(spec)  # refuses an impossible size before anything is replaced
    prepare_store(engine)
    clear_city(engine)
    write_places(engine)
    rng = np.random.default_rng(spec.seed)
    wx = build_weather(spec, rng)

    services = _write_services(engine)
    metrics = build_service_metrics(spec, rng)
    metrics["service_id"] = metrics["service_code"].map(services)
    metric_cols = ["service_id", "period_start", "transactions", "availability_pct", "p95_response_ms", "satisfaction"]
    metrics["period_start"] = _datetime_strings(metrics["period_start"].to_numpy())
    copy_rows(engine, models.ServiceMetric.__table__, metric_cols, metrics[metric_cols].itertuples(index=False))
    progress("service_metrics", len(metrics))

    sensors = build_sensors(spec, rng, interval)
    sensor_cols = list(sensors.columns)
    copy_rows(
        engine,
        models.Sensor.__table__,
        sensor_cols,
        sensors.astype(object).where(sensors.notna(), None).itertuples(index=False),
    )
    progress("sensors", len(sensors))

    n_obs = copy_rows(
        engine,
        models.Observation.__table__,
        ["sensor_id", "observed_at", "value"],
        _observation_rows(spec, rng, sensors, wx, interval, progress),
    )
    rebuild_observation_rollups(engine)

    river_districts = set(sensors.loc[sensors["kind"] == "water_level", "district_code"].dropna())
    complaints = build_complaints(spec, rng, wx, river_districts)
    complaints = pd.concat([complaints, flood_reports(spec, sensors)], ignore_index=True)
    n_complaints = _write_complaints(engine, complaints, progress)
    rebuild_all_complaint_rollups(engine)

    _write_feed_status(engine, sensors, interval)
    seed_estate(engine, spec.end, spec.days, spec.seed)  # the other ~150 applications, coverage, cameras
    with engine.begin() as conn:
        _name_services_for_the_city(conn)
        bump_data_version(conn, "complaints", "observations", "services", "sensors")
    _evaluate_alerts(engine, spec)
    return SeedReport(n_complaints, n_obs, len(sensors), len(metrics), time.perf_counter() - started)


def _evaluate_alerts(engine: Engine, spec: DemoSpec) -> None:
    """Raise the alerts and incidents the seeded city deserves at `end`; seeding never sends webhooks."""
    from dataclasses import replace

    from data.alerts.config import current_config
    from data.alerts.evaluate import evaluate

    evaluate(engine, spec.end, replace(current_config(), webhook_urls=()))


def _write_services(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        conn.execute(
            insert(models.Service),
            [
                {
                    "code": s.code,
                    "name": s.name,
                    "agency": s.agency,
                    "category": s.category,
                    "dimension": s.dimension,
                    "kind": "e_government" if s.dimension == "governance" else "public_service",
                    "integration_state": "connected",
                }
                for s in catalog.SERVICES
            ],
        )
        return dict(conn.execute(text("SELECT code, id FROM services")).all())


def _observation_rows(
    spec: DemoSpec,
    rng: np.random.Generator,
    sensors: pd.DataFrame,
    wx: CityWeather,
    interval: int,
    progress: Progress,
) -> Iterator[tuple]:
    done = 0
    for sensor_id, times, values in observation_series(spec, rng, sensors, wx, interval):
        yield from zip([sensor_id] * len(times), _datetime_strings(times).tolist(), values.tolist(), strict=True)
        done += len(times)
        progress("observations", done)


def _write_complaints(engine: Engine, frame: pd.DataFrame, progress: Progress) -> int:
    n = len(frame)
    frame = frame.copy()
    frame["id"] = np.arange(1, n + 1)
    cols = [
        "id", "source", "source_id", "service_code", "category", "description", "status", "channel", "agency",
        "requested_at", "updated_at", "closed_at", "due_at", "lat", "lon", "address", "district_code",
        "subdistrict_code", "outside_city", "reporter_name", "reporter_phone",
    ]  # fmt: skip
    out = frame[cols].astype(object)
    out["requested_at"] = _datetime_strings(frame["requested_at"].to_numpy())
    out["updated_at"] = _datetime_strings(frame["updated_at"].to_numpy())
    out["closed_at"] = _optional_times(frame["closed_at"].to_numpy())
    out["due_at"] = _datetime_strings(frame["due_at"].to_numpy())
    out["outside_city"] = frame["outside_city"].astype(bool).to_numpy()
    if is_sqlite(engine):
        out["outside_city"] = out["outside_city"].astype(int)
    copy_rows(engine, models.Complaint.__table__, cols, out.itertuples(index=False))
    progress("complaints", n)

    history = []
    for status, column in (("open", "requested_at"), ("acknowledged", "acknowledged_at"),
                           ("in_progress", "in_progress_at"), ("closed", "closed_at")):  # fmt: skip
        times = frame[column].to_numpy()
        mask = ~np.isnat(times)
        history.append(pd.DataFrame({"complaint_id": frame["id"].to_numpy()[mask], "status": status,
                                     "changed_at": _datetime_strings(times[mask])}))  # fmt: skip
    hist = pd.concat(history, ignore_index=True).sort_values(["complaint_id", "changed_at"])
    copy_rows(engine, models.ComplaintStatusChange.__table__, ["complaint_id", "status", "changed_at"],
              hist.itertuples(index=False))  # fmt: skip
    progress("status_history", len(hist))
    if not is_sqlite(engine):
        with engine.begin() as conn:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('complaints','id'), (SELECT MAX(id) FROM complaints))")
            )
    return n


def _write_feed_status(engine: Engine, sensors: pd.DataFrame, interval: int) -> None:
    """One feed per sensor network plus complaints and service metrics, stamped with their newest data."""
    from data.feeds import refresh_feed_status

    refresh_feed_status(engine, sensor_interval_s=interval)


def _name_services_for_the_city(conn) -> None:  # noqa: ANN001 - a Connection
    """The demo estate is modelled on Kota Tangerang's applications; another pack's room shows them under its
    own name ('Satu Data Kabupaten Lumajang', 'RSUD Kabupaten Lumajang')."""
    pack = city_packs.current()
    if pack.name == "Kota Tangerang":
        return
    for column in ("name", "agency"):
        conn.execute(
            text(f"UPDATE services SET {column} = replace(replace({column}, 'Kota Tangerang', :full), "  # noqa: S608
                 "'Tangerang', :short)"),
            {"full": pack.name, "short": pack.short_name},
        )  # fmt: skip
