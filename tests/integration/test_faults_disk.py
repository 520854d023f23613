"""A full disk or a read-only database: a clear error, no half-written batch, no corruption.

SQLite's own limits stand in for the faults (as root, file permissions would not stop a write):
`PRAGMA max_page_count` makes the database file full exactly as a full disk does (SQLITE_FULL), and
`PRAGMA query_only` refuses writes as a read-only file does (SQLITE_READONLY).
"""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlalchemy import event, func, select, text

from dashboard import cli
from dashboard.app import create_app
from data.models import Complaint, Observation, Sensor
from tests.conftest import DEMO_END

TOKEN = "disk-fault-ingest-token-0123456789"


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        obs = conn.execute(select(func.count()).select_from(Observation)).scalar_one()
        complaints = conn.execute(select(func.count()).select_from(Complaint)).scalar_one()
    return obs, complaints


def _readings(engine, n: int) -> bytes:
    with engine.connect() as conn:
        sensors = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall").limit(5)).scalars().all()
    base = DEMO_END + timedelta(hours=3)
    return orjson.dumps(
        [
            {
                "sensor_id": sensors[i % len(sensors)],
                "observed_at": (base + timedelta(seconds=i)).isoformat() + "Z",
                "value": i % 97 / 10,
            }
            for i in range(n)
        ]  # fmt: skip
    )


def _complaints(n: int) -> bytes:
    return orjson.dumps(
        [
            {"service_code": "jalan_rusak", "lat": -6.18 + i * 1e-4, "long": 106.63, "description": "x" * 2000}
            for i in range(n)
        ]  # fmt: skip
    )


def _fault(engine, pragma: str):  # noqa: ANN201 - returns the listener, to remove it later
    """Apply the fault to every connection the engine opens from now on (and drop the pooled ones)."""

    def on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        if pragma == "full":
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        else:
            dbapi_conn.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", on_connect)
    engine.dispose()
    return on_connect


@pytest.mark.parametrize(("fault", "message"), [("full", "disk is full"), ("readonly", "read-only")])
def test_ingest_on_a_full_or_read_only_database_answers_503_and_writes_nothing(
    small_city, settings_for, fault, message
):  # noqa: E501
    app = create_app(settings_for(str(small_city.url), ingest_token=TOKEN))
    runtime = app.server.extensions["city_runtime"]
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    before = _counts(small_city)
    listener = _fault(runtime.engine, fault)

    r = client.post("/api/v1/observations", data=_readings(small_city, 5_000), headers=headers)
    assert r.status_code == 503 and message in r.get_json()["error"] and r.headers["Retry-After"]
    r = client.post("/api/v1/complaints", data=_complaints(300), headers=headers)
    assert r.status_code == 503 and message in r.get_json()["error"]
    assert _counts(small_city) == before  # no half-written batch
    with small_city.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"

    # When space (or write access) is back, the sender's retry of the same batch is stored in full.
    event.remove(runtime.engine, "connect", listener)
    runtime.engine.dispose()
    r = client.post("/api/v1/observations", data=_readings(small_city, 5_000), headers=headers)
    assert r.status_code == 201, str(r.get_json())[:300]
    assert _counts(small_city)[0] == before[0] + 5_000


def test_cli_ingest_on_a_read_only_database_says_so_and_exits_nonzero(small_city, tmp_path, capsys, monkeypatch):
    csv = tmp_path / "readings.csv"
    with small_city.connect() as conn:
        sensor = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall").limit(1)).scalar_one()
    rows = "".join(f"{sensor},2026-11-20T0{h}:00:00Z,1.5\n" for h in range(5))
    csv.write_text("sensor_id,observed_at,value\n" + rows)
    db_path = str(small_city.url).split("///", 1)[1]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{db_path}?mode=ro&uri=true")
    before = _counts(small_city)
    code = cli.main(["ingest", "observations", str(csv)])
    err = capsys.readouterr().err
    assert code != 0 and "read-only" in err and "Traceback" not in err
    assert _counts(small_city) == before
