"""A CSV of readings loads the same on PostgreSQL (binary COPY straight into the table, or through a temporary
table when some readings are already stored) as on SQLite: same rows kept, same rejects, same counts."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from data.ingest.observations import ingest_observations_file
from data.ingest.report import IngestReport
from data.ingest.sink import store_observations
from data.models import Observation, Sensor
from data.rollups import rebuild_observation_rollups
from tests.helpers.rollup_scenarios import rollups

pytestmark = pytest.mark.integration

# ids of several byte lengths (one not ASCII): the binary COPY groups rows by id length
SENSORS = {"w": "water_level", "wl-long-id-7": "water_level", "hujan-ü": "rainfall"}
START = datetime(2026, 3, 1, 1, 0, 0, 123456)


def _lines() -> list[str]:
    good = [
        f"{sensor},{(START + timedelta(seconds=37 * i)).isoformat()}Z,{round(i * 1.7 % 90, 3)}"
        for i in range(300)
        for sensor in SENSORS
    ]
    bad = [
        f"nope,{START.isoformat()}Z,1.0",  # unknown sensor
        "w,yesterday,1.0",  # not a time
        f"w,{START.isoformat()}Z,",  # missing value
        f"hujan-ü,{START.isoformat()}Z,-5",  # below what a rain gauge reads
        f"w,{START.isoformat()}Z,2.5",  # the same reading again in the file: the first is kept
    ]
    return ["sensor_id,observed_at,value", *good[:400], *bad, *good[400:]]


def _load(engine: Engine, path: Path) -> IngestReport:
    report = IngestReport(feed="copy-test")
    ingest_observations_file(engine, path, "csv", report, chunk_rows=250)
    return report


def _stored(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        o = Observation
        return [
            tuple(r)
            for r in conn.execute(select(o.sensor_id, o.observed_at, o.value).order_by(o.sensor_id, o.observed_at))
        ]


def _outcome(report: IngestReport) -> tuple:
    return report.read, report.inserted, report.unchanged, [(r.location, r.reason) for r in report.examples]


@pytest.mark.parametrize("resend", ["the whole file again", "the file after some readings were stored"])
def test_csv_ingest_on_postgres_keeps_the_rows_and_rejects_sqlite_keeps(pg_engine, sqlite_engine, tmp_path, resend):
    path = tmp_path / "readings.csv"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    outcomes = {}
    for name, engine in (("postgresql", pg_engine), ("sqlite", sqlite_engine)):
        with engine.begin() as conn:
            conn.execute(Sensor.__table__.insert(), [{"id": s, "name": s, "kind": k, "unit": "cm", "lat": -6.2,
                                                      "lon": 106.6} for s, k in SENSORS.items()])  # fmt: skip
        if resend == "the file after some readings were stored":
            store_observations(engine, [("wl-long-id-7", START + timedelta(seconds=37 * 5), 99.0)])
        first = _load(engine, path)
        again = _load(engine, path)
        outcomes[name] = (_outcome(first), _outcome(again), _stored(engine))
    assert outcomes["postgresql"] == outcomes["sqlite"]
    (read, inserted, unchanged, rejects), (_, inserted_again, unchanged_again, _), stored = outcomes["postgresql"]
    assert read == 905 and len(rejects) == 4 and (inserted_again, unchanged_again) == (0, 901)
    assert (inserted, unchanged) == ((900, 1) if resend == "the whole file again" else (899, 2))
    assert len(stored) == 900 and ("w", START, 0.0) in stored
    kept = rollups(pg_engine)
    rebuild_observation_rollups(pg_engine)
    assert kept == rollups(pg_engine)
