"""The ingest API and the Open311 read API through the real app, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from dashboard.app import create_app
from data.models import Complaint, IngestError, Observation, Sensor

TOKEN = "test-ingest-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(params=["sqlite", "postgresql"])
def app_engine(request, tmp_path, settings_for):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'api.db'}"
    else:
        engine = request.getfixturevalue("pg_engine")
        url = engine.url.render_as_string(hide_password=False)
    app = create_app(settings_for(url, ingest_token=TOKEN, demo_on_empty=False))
    from callbacks.context import RUNTIME_KEY

    engine = app.server.extensions[RUNTIME_KEY].engine
    with engine.begin() as conn:
        conn.execute(
            Sensor.__table__.insert(),
            [
                {"id": "wl-1", "name": "Pos 1", "kind": "water_level", "unit": "cm", "lat": -6.18, "lon": 106.63,
                 "datastream_id": None},
                {"id": "aq-1", "name": "AQ 1", "kind": "pm25", "unit": "ug", "lat": -6.19, "lon": 106.64,
                 "datastream_id": "77"},
            ],
        )  # fmt: skip
    return app.server.test_client(), engine


def _count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_writes_need_the_bearer_token(app_engine):
    client, engine = app_engine
    body = [{"sensor_id": "wl-1", "observed_at": "2026-11-20T05:00:00Z", "value": 1}]
    assert client.post("/api/v1/observations", json=body).status_code == 401
    wrong = client.post("/api/v1/observations", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/complaints", json={}, headers={"Authorization": TOKEN}).status_code == 401
    assert client.post("/api/v1/metrics", json=[]).status_code == 401
    assert _count(engine, Observation) == 0


def test_observation_batches_201_207_400_with_reasons(app_engine):
    client, engine = app_engine
    good = [{"sensor_id": "wl-1", "observed_at": f"2026-11-20T05:{m:02d}:00Z", "value": 100 + m} for m in range(50)]
    ok = client.post("/api/v1/observations", json=good, headers=AUTH)
    assert ok.status_code == 201 and ok.json["inserted"] == 50
    things = {"value": [{"phenomenonTime": "2026-11-20T06:00:00Z", "result": 12.5, "Datastream": {"@iot.id": 77}}]}
    assert client.post("/api/v1/observations", json=things, headers=AUTH).status_code == 201
    mixed = [*good[:2], {"sensor_id": "wl-1", "observed_at": "2026-11-20T07:00:00Z", "value": "NaN"},
             {"sensor_id": "nope", "observed_at": "2026-11-20T07:00:00Z", "value": 1}]  # fmt: skip
    partial = client.post("/api/v1/observations", json=mixed, headers=AUTH)
    assert partial.status_code == 207
    assert partial.json["unchanged"] == 2 and partial.json["rejected"] == 2
    assert {e["location"] for e in partial.json["errors"]} == {"[2]", "[3]"}
    bad = client.post("/api/v1/observations", json=mixed[2:], headers=AUTH)
    assert bad.status_code == 400 and len(bad.json["errors"]) == 2
    broken = client.post("/api/v1/observations", data="{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert broken.status_code == 400 and "not JSON" in broken.json["errors"][0]["reason"]
    assert _count(engine, Observation) == 51
    assert _count(engine, IngestError, IngestError.feed == "api.observations") == 4


def test_complaints_post_returns_ids_and_open311_reads_them_back(app_engine):
    client, engine = app_engine
    new = {"service_code": "jalan_rusak", "lat": -6.1781, "long": 106.6319, "description": "Lubang besar",
           "first_name": "Siti", "phone": "0812"}  # fmt: skip
    created = client.post("/api/v1/complaints", json=new, headers=AUTH)
    assert created.status_code == 201
    request_id = created.json["requests"][0]["service_request_id"]
    forwarded = {
        "service_request_id": "LAPOR-9",
        "source": "api",  # the shared INGEST_TOKEN writes source 'api' only (a database token: its own source)
        "status": "closed",
        "service_code": "sampah",
        "requested_datetime": "2026-11-19T08:00:00+07:00",
        "updated_datetime": "2026-11-19T10:00:00+07:00",
    }
    assert client.post("/api/v1/complaints", json=[forwarded, {"status": "open"}], headers=AUTH).status_code == 207
    assert client.post("/api/v1/complaints", data={"service_code": "sampah"}, headers=AUTH).status_code == 400
    assert _count(engine, Complaint) == 2

    one = client.get(f"/open311/v2/requests/{request_id}.json")
    assert one.status_code == 200 and len(one.json) == 1
    item = one.json[0]
    assert item["service_code"] == "jalan_rusak" and item["status"] == "open" and item["long"] == 106.6319
    assert item["requested_datetime"].endswith("+07:00") and "phone" not in str(item)
    closed = client.get("/open311/v2/requests.json?status=closed&start_date=2026-11-01T00:00:00%2B07:00")
    assert [r["service_request_id"] for r in closed.json] == ["LAPOR-9"]
    assert closed.json[0]["updated_datetime"] == "2026-11-19T10:00:00+07:00"
    by_code = client.get("/open311/v2/requests.json?service_code=sampah,banjir&start_date=2026-11-01")
    assert [r["service_request_id"] for r in by_code.json] == ["LAPOR-9"]
    assert client.get("/open311/v2/requests/NOPE.json").status_code == 404
    assert client.get("/open311/v2/requests.json?status=maybe").json[0]["code"] == 400
    services = client.get("/open311/v2/services.json").json
    assert {"jalan_rusak", "sampah"} <= {s["service_code"] for s in services}


def test_metrics_post_and_openapi_document(app_engine):
    client, engine = app_engine
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO services (code, name, agency, category) VALUES ('laksa', 'LAKSA', 'x', 'y')"))
    body = {"metrics": [{"service": "laksa", "period_start": "2026-11-20", "transactions": 10, "availability_pct": 99}]}
    assert client.post("/api/v1/metrics", json=body, headers=AUTH).status_code == 201
    bad = client.post("/api/v1/metrics", json=[{"service": "laksa", "period_start": "2026-11-20",
                                               "satisfaction": 9}], headers=AUTH)  # fmt: skip
    assert bad.status_code == 400 and "satisfaction" in bad.json["errors"][0]["reason"]
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.") and "/api/v1/observations" in doc["paths"]
    assert "/open311/v2/requests.json" in doc["paths"]


def test_open311_post_and_an_id_shared_by_two_sources_listed_once_each(app_engine):
    from data.auth.tokens import create_token

    client, engine = app_engine
    key, _ = create_token(engine, "ingest", "LAKSA app", ["complaints"], "test", source="laksa")
    new = {"api_key": key, "service_code": "sampah", "lat": "-6.1781", "long": "106.6319"}
    created = client.post("/open311/v2/requests.xml", data=new)
    assert created.status_code == 201 and b"<service_request_id>API-" in created.data
    shared = {"service_request_id": "14-00684314", "service_code": "sampah", "status": "open",
              "requested_datetime": "2026-11-19T08:00:00+07:00"}  # fmt: skip
    assert client.post("/api/v1/complaints", json=shared, headers=AUTH).status_code == 201  # source api
    assert client.post("/open311/v2/requests.json", data={**shared, "api_key": key}).status_code == 201  # laksa
    listed = client.get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z").json
    ids = [r["service_request_id"] for r in listed]
    assert len(ids) == len(set(ids)) == 3 and {"14-00684314", "laksa:14-00684314"} <= set(ids)
    assert len(client.get("/open311/v2/requests/14-00684314.json").json) == 1
    [twin] = client.get("/open311/v2/requests/laksa:14-00684314.json?extensions=true").json
    assert twin["extended_attributes"]["source"] == "laksa"
