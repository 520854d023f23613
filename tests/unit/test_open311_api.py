"""Open311 GeoReport v2 as real clients use it: POST with api_key (form and JSON), every endpoint in .json
and .xml shaped as the spec's examples, jurisdiction_id, service definitions, validation with reasons,
source-bound tokens, one id never listed twice, and expected_datetime only as the source said it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import func, select

from callbacks.context import RUNTIME_KEY
from dashboard.app import create_app
from data.auth.tokens import create_token
from data.ingest.complaints import ingest_open311_file
from data.ingest.report import IngestReport
from data.models import Complaint

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "open311"
PLACE = {"lat": "-6.1781", "long": "106.6319"}  # Kecamatan Tangerang


@pytest.fixture
def room(tmp_path, settings_for):
    """An app on a fresh SQLite store (no users: the loopback open demo reads), with two source-bound tokens."""
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'o311.db'}", demo_on_empty=False))
    engine = app.server.extensions[RUNTIME_KEY].engine
    laksa, _ = create_token(engine, "ingest", "LAKSA app", ["complaints"], "test", source="laksa")
    lapor, _ = create_token(engine, "ingest", "SP4N-LAPOR export", ["complaints"], "test", source="lapor")
    observer, _ = create_token(engine, "ingest", "sensors only", ["observations"], "test")
    return app.server.test_client(), engine, {"laksa": laksa, "lapor": lapor, "observer": observer}


def _count(engine, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Complaint).where(*where)).scalar()


def _tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def test_form_post_with_api_key_answers_the_spec_reply_and_reads_back(room):
    client, engine, keys = room
    form = {
        "api_key": keys["laksa"],
        "jurisdiction_id": "36.71",
        "service_code": "sampah",
        **PLACE,
        "address_string": "Jl. Daan Mogot 1",
        "description": "Sampah menumpuk",
        "first_name": "Siti",
        "phone": "0812",
        "account_id": "u-77",
    }
    created = client.post("/open311/v2/requests.json", data=form)
    assert created.status_code == 201, created.data
    [reply] = created.json
    assert set(reply) == {"service_request_id", "service_notice", "account_id"}
    assert reply["account_id"] == "u-77" and "WIB" in reply["service_notice"]
    with engine.connect() as conn:
        row = conn.execute(select(Complaint).where(Complaint.source_id == reply["service_request_id"])).one()
    assert row.source == "laksa" and row.reporter_name == "Siti" and row.district_code == "36.71.01"
    [read] = client.get(f"/open311/v2/requests/{reply['service_request_id']}.json").json
    assert read["service_code"] == "sampah" and read["description"] == "Sampah menumpuk"
    assert read["agency_responsible"] == "DLH"  # routed as the city's catalogue says
    assert read["expected_datetime"] is None  # the sender gave none; the room's SLA is not passed off as theirs
    assert "phone" not in json.dumps(read) and "Siti" not in json.dumps(read)
    [extended] = client.get(f"/open311/v2/requests/{reply['service_request_id']}.json?extensions=true").json
    assert extended["extended_attributes"]["sla_due_datetime"].endswith("+07:00")
    assert extended["extended_attributes"]["source"] == "laksa"


def test_json_post_and_xml_reply_shaped_as_the_spec(room):
    client, _engine, keys = room
    body = {"api_key": keys["laksa"], "service_code": "drainase", "address_string": "Jl. Merdeka, Cikokol"}
    created = client.post("/open311/v2/requests.xml", json=body)
    assert created.status_code == 201 and created.content_type.startswith("text/xml")
    assert created.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(created.data)
    assert root.tag == "service_requests" and _tags(root) == ["request"]
    assert _tags(root[0]) == ["service_request_id", "service_notice", "account_id"]
    assert root[0].find("account_id").text is None  # the spec's <account_id/>


def test_api_key_errors_and_the_spec_status_codes(room):
    client, engine, keys = room
    good = {"service_code": "sampah", **PLACE}
    missing = client.post("/open311/v2/requests.json", data=good)
    assert missing.status_code == 403 and missing.json[0]["code"] == 403
    assert "api_key" in missing.json[0]["description"]
    wrong_scope = client.post("/open311/v2/requests.json", data={**good, "api_key": keys["observer"]})
    assert wrong_scope.status_code == 403
    xml = client.post("/open311/v2/requests.xml", data={**good, "api_key": "cin_nope"})
    error = ET.fromstring(xml.data)
    assert xml.status_code == 403 and error.tag == "errors" and _tags(error[0]) == ["code", "description"]
    assert error[0].find("code").text == "403"
    other_city = client.post(
        "/open311/v2/requests.json", data={**good, "api_key": keys["laksa"], "jurisdiction_id": "35.08"}
    )
    assert other_city.status_code == 404 and "36.71" in other_city.json[0]["description"]
    unknown = client.post("/open311/v2/requests.json", data={**good, "service_code": "nope", "api_key": keys["laksa"]})
    assert unknown.status_code == 404 and "nope" in unknown.json[0]["description"]
    no_code = client.post("/open311/v2/requests.json", data={**PLACE, "api_key": keys["laksa"]})
    assert no_code.status_code == 400 and "service_code" in no_code.json[0]["description"]
    assert _count(engine) == 0


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"service_code": ["a", "b"], **PLACE}, "service_code must be text, got a list"),
        ({"service_code": "sampah", "address_string": [None, None]}, "address_string must be text"),
        ({"service_code": "sampah", **PLACE, "description": {"a": 1}}, "description must be text, got an object"),
        ({"service_code": "sampah", "lat": 0, "long": 0}, "0,0 is not a place"),
        ({"service_code": "sampah", "lat": "-6.17"}, "lat and long must be sent together"),
        ({"service_code": "sampah"}, "a location is required"),
        ({"service_code": "sampah", **PLACE, "description": "x" * 4001}, "4,000"),
        ({"service_code": "sampah", **PLACE, "media_url": "javascript:alert(1)"}, "media_url must be an http"),
        ({"service_code": "banjir", **PLACE, "attribute": {"AKSES_JALAN": "terbang"}}, "not one of"),
    ],
)
def test_bad_requests_are_refused_with_reasons_and_nothing_stored(room, fields, reason):
    client, engine, keys = room
    answer = client.post("/open311/v2/requests.json", json={**fields, "api_key": keys["laksa"]})
    assert answer.status_code == 400, answer.json
    assert reason in answer.json[0]["description"]
    assert _count(engine) == 0


def test_a_required_attribute_is_asked_for(room, monkeypatch):
    from data.ingest import service_definitions as defs

    required = {"sampah": (defs.Attribute("VOLUME", "singlevaluelist", True, "Berapa banyak?", 1, (("1", "satu"),)),)}
    monkeypatch.setattr(defs, "definitions", lambda: required)
    client, engine, keys = room
    answer = client.post(
        "/open311/v2/requests.json", data={"service_code": "sampah", **PLACE, "api_key": keys["laksa"]}
    )
    assert answer.status_code == 400 and "attribute[VOLUME] is required" in answer.json[0]["description"]
    answered = {"service_code": "sampah", **PLACE, "api_key": keys["laksa"], "attribute[VOLUME]": "1"}
    assert client.post("/open311/v2/requests.json", data=answered).status_code == 201


def test_zero_point_with_an_address_keeps_the_address_and_no_point(room):
    client, engine, keys = room
    body = {
        "service_code": "sampah",
        "lat": "0",
        "long": "0",
        "address_string": "Pasar Anyar",
        "api_key": keys["laksa"],
    }
    assert client.post("/open311/v2/requests.json", data=body).status_code == 201
    with engine.connect() as conn:
        row = conn.execute(select(Complaint.lat, Complaint.address)).one()
    assert row.lat is None and row.address == "Pasar Anyar"


def test_service_definition_and_multivaluelist_attributes_from_a_form(room):
    client, engine, keys = room
    services = client.get("/open311/v2/services.json").json
    by_code = {s["service_code"]: s for s in services}
    assert by_code["jalan_rusak"]["metadata"] is True and by_code["sampah"]["metadata"] is False
    definition = client.get("/open311/v2/services/jalan_rusak.json?jurisdiction_id=36.71").json
    assert definition["service_code"] == "jalan_rusak"
    first = definition["attributes"][0]
    assert set(first) == {
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    }
    assert client.get("/open311/v2/services/sampah.json").json == {"service_code": "sampah", "attributes": []}
    missing = client.get("/open311/v2/services/nope.xml")
    assert missing.status_code == 404 and ET.fromstring(missing.data).tag == "errors"
    xml = ET.fromstring(client.get("/open311/v2/services/jalan_rusak.xml").data)
    assert xml.tag == "service_definition" and _tags(xml) == ["service_code", "attributes"]
    attribute = xml.find("attributes")[0]
    assert attribute.tag == "attribute" and attribute.find("values")[0].tag == "value"
    assert _tags(attribute.find("values")[0]) == ["key", "name"] and attribute.find("variable").text == "true"
    form = [
        ("api_key", keys["laksa"]),
        ("service_code", "jalan_rusak"),
        *PLACE.items(),
        ("attribute[UKURAN_LUBANG]", "besar"),
        ("attribute[LAJUR][]", "kiri"),
        ("attribute[LAJUR][]", "kanan"),
    ]
    encoded = urlencode(form)  # as a client's form encoder sends it: attribute[LAJUR][] twice
    created = client.post("/open311/v2/requests.json", data=encoded, content_type="application/x-www-form-urlencoded")
    assert created.status_code == 201, created.json
    rid = created.json[0]["service_request_id"]
    [item] = client.get(f"/open311/v2/requests/{rid}.json?extensions=1").json
    assert item["extended_attributes"]["attributes"] == {"LAJUR": ["kiri", "kanan"], "UKURAN_LUBANG": "besar"}


def test_services_and_requests_xml_match_the_spec_examples(room):
    client, engine, keys = room
    client.post("/open311/v2/requests.json", data={"api_key": keys["laksa"], "service_code": "sampah", **PLACE})
    services = ET.fromstring(client.get("/open311/v2/services.xml?jurisdiction_id=36.71").data)
    spec_services = json.loads((SAMPLES / "spec_json-service-list.json").read_text())
    assert services.tag == "services" and {c.tag for c in services} == {"service"}
    assert set(_tags(services[0])) == set(spec_services[0])
    assert services.find("service/metadata").text in ("true", "false")
    requests_xml = ET.fromstring(client.get("/open311/v2/requests.xml").data)
    spec_requests = json.loads((SAMPLES / "spec_json-service-requests.json").read_text())
    assert requests_xml.tag == "service_requests" and _tags(requests_xml) == ["request"]
    assert _tags(requests_xml[0]) == list(spec_requests[0])  # the spec's fields, in the spec's order
    assert requests_xml[0].find("expected_datetime").text is None
    wrong = client.get("/open311/v2/requests.xml?jurisdiction_id=sfgov.org")
    assert wrong.status_code == 404 and ET.fromstring(wrong.data).find("error/code").text == "404"
    bad = client.get("/open311/v2/requests.xml?status=maybe")
    assert bad.status_code == 400 and ET.fromstring(bad.data).tag == "errors"


def test_service_discovery_names_the_endpoint_and_formats(room):
    client, _engine, _keys = room
    found = client.get("/open311/discovery.json").json
    [endpoint] = found["endpoints"]
    assert endpoint["url"] == "http://localhost/open311/v2" and endpoint["formats"] == ["text/xml", "application/json"]
    xml = ET.fromstring(client.get("/open311/discovery.xml").data)
    assert xml.tag == "discovery" and xml.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_a_token_writes_only_its_own_source(room):
    client, engine, keys = room
    laksa = {"Authorization": f"Bearer {keys['laksa']}"}
    forwarded = {
        "service_request_id": "T-1",
        "service_code": "sampah",
        "status": "open",
        "requested_datetime": "2026-11-19T08:00:00+07:00",
    }
    assert client.post("/api/v1/complaints", json=forwarded, headers=laksa).status_code == 201
    elsewhere = client.post("/api/v1/complaints", json={**forwarded, "jurisdiction_id": "35.08"}, headers=laksa)
    assert elsewhere.status_code == 400 and "is not 36.71" in elsewhere.json["errors"][0]["reason"]
    hijack = client.post("/api/v1/complaints", json={**forwarded, "source": "lapor", "status": "closed"}, headers=laksa)
    assert hijack.status_code == 400 and "writes source 'laksa' only" in hijack.json["errors"][0]["reason"]
    lapor = {"Authorization": f"Bearer {keys['lapor']}"}
    assert client.post("/api/v1/complaints", json={**forwarded, "status": "closed"}, headers=lapor).status_code == 201
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Complaint.source, Complaint.status)).all())
    assert rows == {"laksa": "open", "lapor": "closed"}  # LAPOR's T-1 never touched LAKSA's


def test_one_id_is_never_listed_twice_across_sources(room, tmp_path):
    client, engine, keys = room
    record = {
        "service_request_id": "14-00684314",
        "service_code": "sampah",
        "status": "open",
        "requested_datetime": "2026-11-19T08:00:00+07:00",
        "lat": -6.1781,
        "long": 106.6319,
    }
    laksa = {"Authorization": f"Bearer {keys['laksa']}"}
    assert client.post("/api/v1/complaints", json=record, headers=laksa).status_code == 201
    file = tmp_path / "requests.json"
    file.write_text(json.dumps([{**record, "status": "closed", "updated_datetime": "2026-11-19T09:00:00+07:00"}]))
    ingest_open311_file(engine, file, "laksa", IngestReport(feed="t"))  # the same source: one record, updated
    assert _count(engine) == 1
    ingest_open311_file(engine, file, "open311", IngestReport(feed="t"))  # another source, the same id
    assert _count(engine) == 2
    [one] = client.get("/open311/v2/requests/14-00684314.json").json
    assert one["service_request_id"] == "14-00684314" and one["status"] == "closed"
    listed = client.get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z").json
    ids = [r["service_request_id"] for r in listed]
    assert sorted(ids) == ["14-00684314", "open311:14-00684314"] and len(set(ids)) == len(ids)
    [other] = client.get("/open311/v2/requests/open311:14-00684314.json").json
    assert other["service_request_id"] == "open311:14-00684314"


def test_retry_with_an_idempotency_key_stores_once(room):
    client, engine, keys = room
    body = {"api_key": keys["laksa"], "service_code": "sampah", **PLACE}
    first = client.post("/open311/v2/requests.json", data=body, headers={"Idempotency-Key": "app-42"})
    again = client.post("/open311/v2/requests.json", data=body, headers={"Idempotency-Key": "app-42"})
    assert first.status_code == again.status_code == 201
    assert first.json[0]["service_request_id"] == again.json[0]["service_request_id"]
    own_id = {**body, "service_request_id": "LAKSA-9", "requested_datetime": "2026-11-19T08:00:00+07:00"}
    assert client.post("/open311/v2/requests.json", data=own_id).status_code == 201
    assert client.post("/open311/v2/requests.json", data=own_id).json[0]["service_request_id"] == "LAKSA-9"
    own_ticket = {**body, "service_request_id": "LAKSA-10"}  # the app's own id, no requested time: a new report
    replies = [client.post("/open311/v2/requests.json", data=own_ticket) for _ in range(2)]
    assert [r.status_code for r in replies] == [201, 201]
    assert {r.json[0]["service_request_id"] for r in replies} == {"LAKSA-10"}
    assert _count(engine) == 3


def test_expected_datetime_is_only_what_the_source_said(room, tmp_path):
    client, engine, _keys = room
    file = tmp_path / "requests.json"
    file.write_text((SAMPLES / "spec_json-service-requests.json").read_text())
    ingest_open311_file(engine, file, "sf", IngestReport(feed="t"))
    got = {
        r["service_request_id"]: r
        for r in client.get("/open311/v2/requests.json?service_request_id=638344,638349").json
    }
    assert got["638344"]["expected_datetime"] == "2010-04-15T21:37:38+07:00"  # the source's, in WIB


def test_post_only_routes_do_not_advertise_get(room):
    client, _engine, _keys = room
    for path in ("/api/v1/complaints", "/api/v1/observations", "/api/v1/metrics"):
        allow = client.options(path).headers["Allow"]
        assert "GET" not in allow and "POST" in allow, (path, allow)
    assert "GET" in client.options("/open311/v2/requests.json").headers["Allow"]


def test_cli_binds_an_ingest_token_to_a_source(tmp_path, capsys):
    from dashboard.cli import main
    from data.auth.tokens import list_tokens
    from data.store import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["tokens", "--database-url", url, "create", "ingest", "--name", "SP4N-LAPOR export", "--scope", "complaints"]
    assert main([*args, "--source", "lapor"]) == 0
    assert "source lapor" in capsys.readouterr().out
    assert main(args) == 0  # no --source: the name as a slug
    assert main([*args, "--source", "Bad Source!"]) == 2
    assert "bad source" in capsys.readouterr().err
    engine = make_engine(url)
    assert [t.source for t in list_tokens(engine, "ingest")] == ["lapor", "sp4n-lapor-export"]
    engine.dispose()


def test_hostile_text_keeps_the_xml_well_formed(room, tmp_path):
    client, engine, keys = room
    record = {"service_request_id": "X-1", "service_code": "sampah", "status": "open",
              "requested_datetime": "2026-11-19T08:00:00+07:00", "description": "a\x0bb\x01c <b>&amp;",
              "attributes": {"x><script": "1", "xmlns": "2", "OK": ["p", "q"]}}  # fmt: skip
    file = tmp_path / "hostile.json"
    file.write_text(json.dumps([record]))
    ingest_open311_file(engine, file, "desk", IngestReport(feed="t"))
    xml = client.get("/open311/v2/requests/X-1.xml?extensions=true")
    root = ET.fromstring(xml.data)  # well-formed
    assert root.find("request/description").text == "abc <b>&amp;"
    attributes = root.find("request/extended_attributes/attributes")
    assert [e.get("key") for e in attributes.findall("entry")] == ["x><script", "xmlns"]
    assert [i.text for i in attributes.find("OK")] == ["p", "q"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"lat": "NaN", "long": "106.6"}, "location"),
        ({"lat": "1e999", "long": "106.6"}, "location"),
        ({"lat": "-6.17", "long": "106.6", "service_request_id": "laksa:1"}, "must not contain ':'"),
    ],
)
def test_odd_numbers_and_ids_are_refused(room, fields, reason):
    client, engine, keys = room
    answer = client.post(
        "/open311/v2/requests.json", data={"service_code": "sampah", "api_key": keys["laksa"], **fields}
    )
    assert answer.status_code == 400 and reason in answer.json[0]["description"], answer.json
    assert _count(engine) == 0


def test_api_batch_retried_with_the_same_idempotency_key_stores_once(room):
    client, engine, keys = room
    headers = {"Authorization": f"Bearer {keys['laksa']}", "Idempotency-Key": "batch-7"}
    batch = [{"service_code": "sampah", "lat": -6.1781, "long": 106.6319}, {"service_code": "banjir", **PLACE}]
    first = client.post("/api/v1/complaints", json=batch, headers=headers)
    again = client.post("/api/v1/complaints", json=batch, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json["inserted"] == 2 and again.json["inserted"] == 0 and again.json["unchanged"] == 2
    assert [r["service_request_id"] for r in first.json["requests"]] == [
        r["service_request_id"] for r in again.json["requests"]
    ]
    assert _count(engine) == 2
