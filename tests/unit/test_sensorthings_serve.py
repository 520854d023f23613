"""GET /sta/v1.1/...: the room's registry and readings as SensorThings entities, checked against the
database directly: paging by @iot.nextLink covers every row once, $filter on phenomenonTime and ids,
$orderby, $count, $expand, navigation, errors, and who may read."""

from __future__ import annotations

import base64
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from dashboard.app import create_app
from dashboard.settings import Settings
from data.auth import tokens, users
from data.models import Observation, Sensor
from data.sensorthings.query import QueryError, parse_filter, parse_path

ROOT = "/sta/v1.1"


@pytest.fixture(scope="module")
def served(small_city_path):
    app = create_app(Settings(database_url=f"sqlite:///{small_city_path}"))
    return app.server.test_client(), app.server.extensions


@pytest.fixture(scope="module")
def client(served):
    return served[0]


@pytest.fixture(scope="module")
def engine(small_city_path):
    from data.store import make_engine

    engine = make_engine(f"sqlite:///{small_city_path}")
    yield engine
    engine.dispose()


def get(client, url: str, status: int = 200) -> dict:
    r = client.get(urlsplit(url)._replace(scheme="", netloc="").geturl())  # links are absolute
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    return r.get_json()


def all_pages(client, url: str) -> list[dict]:
    items, seen = [], set()
    while url:
        assert url not in seen
        seen.add(url)
        doc = get(client, url)
        items.extend(doc["value"])
        url = doc.get("@iot.nextLink")
        if url:
            assert url.startswith("http://localhost/sta/v1.1/")  # absolute, as the spec wants
    return items


def test_service_root_lists_the_entity_sets_and_conformance(client):
    doc = get(client, ROOT)
    assert {v["name"] for v in doc["value"]} == {
        "Things", "Locations", "Datastreams", "Sensors", "ObservedProperties", "Observations"}  # fmt: skip
    assert all(v["url"].startswith("http://localhost/sta/v1.1/") for v in doc["value"])
    assert any(c.endswith("/req/request-data") for c in doc["serverSettings"]["conformance"])


def test_datastreams_page_through_next_links_once_each_and_match_the_registry(client, engine):
    items = all_pages(client, f"{ROOT}/Datastreams?$top=7")
    with engine.connect() as conn:
        ids = sorted(conn.execute(select(Sensor.id)).scalars())
    assert [d["@iot.id"] for d in items] == ids
    one = items[0]
    assert one["unitOfMeasurement"]["symbol"] and one["observationType"].endswith("OM_Measurement")
    assert (
        one["Observations@iot.navigationLink"] == f"http://localhost{ROOT}/Datastreams('{one['@iot.id']}')/Observations"
    )


def test_things_are_sites_and_each_datastream_belongs_to_the_thing_at_its_point(client, engine):
    things = all_pages(client, f"{ROOT}/Things?$top=10&$expand=Locations,Datastreams($select=id)")
    with engine.connect() as conn:
        sites = conn.execute(select(func.count()).select_from(
            select(Sensor.lat, Sensor.lon).group_by(Sensor.lat, Sensor.lon).subquery())).scalar()  # fmt: skip
        total = conn.execute(select(func.count()).select_from(Sensor)).scalar()
    assert len(things) == sites
    assert sum(len(t["Datastreams"]) for t in things) == total
    thing = things[0]
    assert thing["Locations"][0]["location"]["type"] == "Point"
    assert thing["Locations"][0]["@iot.id"] == thing["@iot.id"]


def test_observations_of_a_datastream_filtered_by_time_range_match_the_database(client, engine):
    with engine.connect() as conn:
        sensor = conn.execute(select(Sensor.id).where(Sensor.kind == "water_level").limit(1)).scalar()
        start, end = datetime(2026, 11, 15), datetime(2026, 11, 16, 12)
        expected = conn.execute(
            select(Observation.observed_at, Observation.value)
            .where(Observation.sensor_id == sensor, Observation.observed_at >= start, Observation.observed_at < end)
            .order_by(Observation.observed_at.desc())
        ).all()
    assert len(expected) > 20
    url = (f"{ROOT}/Datastreams('{sensor}')/Observations?$filter=phenomenonTime ge 2026-11-15T00:00:00Z and "
           "phenomenonTime lt 2026-11-16T19:00:00%2B07:00&$orderby=phenomenonTime desc&$top=9&$count=true")  # fmt: skip
    first = get(client, url)
    assert first["@iot.count"] == len(expected)
    items = all_pages(client, url)
    assert [(o["phenomenonTime"], o["result"]) for o in items] == [
        (at.isoformat(timespec="milliseconds") + "Z", value) for at, value in expected
    ]
    single = get(client, items[0]["@iot.selfLink"])
    assert single["@iot.id"] == items[0]["@iot.id"] and single["result"] == expected[0].value


def test_filter_by_ids_or_and_result_and_expand_datastream(client, engine):
    with engine.connect() as conn:
        a, b = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall").order_by(Sensor.id).limit(2)).scalars()
        n = conn.execute(select(func.count()).select_from(Observation).where(
            Observation.sensor_id.in_([a, b]), Observation.value > 5)).scalar()  # fmt: skip
    doc = get(client, f"{ROOT}/Observations?$filter=(Datastream/id eq '{a}' or Datastream/@iot.id eq '{b}') and "
                      f"result gt 5&$count=true&$top=3&$expand=Datastream")  # fmt: skip
    assert doc["@iot.count"] == n
    assert {o["Datastream"]["@iot.id"] for o in doc["value"]} <= {a, b}
    assert all(o["result"] > 5 for o in doc["value"])
    assert [d["@iot.id"] for d in get(client, f"{ROOT}/Datastreams?$filter=id eq '{a}'")["value"]] == [a]


def test_navigation_between_entities(client, engine):
    with engine.connect() as conn:
        sensor = conn.execute(
            select(Sensor.id, Sensor.name, Sensor.lat, Sensor.lon).where(Sensor.kind == "pm25").limit(1)
        ).one()
        pm25 = conn.execute(select(func.count()).select_from(Sensor).where(Sensor.kind == "pm25")).scalar()
    ds = f"{ROOT}/Datastreams('{sensor.id}')"
    thing = get(client, f"{ds}/Thing")
    assert sensor.id in [d["@iot.id"] for d in get(client, thing["Datastreams@iot.navigationLink"])["value"]]
    assert get(client, f"{ds}/ObservedProperty")["@iot.id"] == "pm25"
    assert get(client, f"{ds}/Sensor")["@iot.id"] == "pm25"
    assert get(client, f"{ROOT}/Sensors('pm25')/Datastreams?$count=true&$top=0")["@iot.count"] == pm25
    assert get(client, f"{ds}/name") == {"name": sensor.name}
    location = get(client, f"{ROOT}/Things('{thing['@iot.id']}')/Locations")["value"][0]
    assert location["location"]["coordinates"] == [sensor.lon, sensor.lat] or thing["@iot.id"] != sensor.id
    latest = get(client, f"{ds}/Observations?$orderby=phenomenonTime desc&$top=1")["value"][0]
    assert get(client, latest["Datastream@iot.navigationLink"])["@iot.id"] == sensor.id


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/Observations?$filter=phenomenonTime ge yesterday", 400, "value"),
        ("/Observations?$filter=colour eq 'red'", 400, "cannot be filtered by 'colour'"),
        ("/Observations?$filter=result gt 'high'", 400, "number"),
        ("/Datastreams?$orderby=colour", 400, "cannot be sorted"),
        ("/Things?$top=ten", 400, "whole number"),
        ("/Things?$expand=Observations", 400, "cannot expand"),
        ("/Things?$resultFormat=dataArray", 400, "not supported"),
        ("/Things('nope')", 404, "no Things('nope')"),
        ("/Gadgets", 404, "no entity set"),
        ("/Things/Datastreams", 404, "name one entity first"),
        ("/Observations('garbage')", 404, "no Observations"),
        ("/Observations?$filter=" + "(" * 40 + "result gt 1" + ")" * 40, 400, "nests parentheses"),
        ("/Observations?$filter=" + " and ".join(["result gt 1"] * 80), 400, "more than 300 parts"),
        ("/Observations?$skip=99999999999999999999", 400, "$skip is larger"),
        ("/Things?$filter=name eq 'a%00b'", 400, "NUL"),
        ("/Things?$top=1000&$expand=Datastreams($expand=Observations($top=1000))", 400, "over 20,000 entities"),
    ],
)
def test_bad_requests_say_what_to_change(client, url, status, says):
    doc = get(client, ROOT + url, status)
    assert doc["code"] == status and doc["type"] == "error" and says in doc["message"]


def test_top_is_capped_and_zero_top_still_counts(client, engine):
    doc = get(client, f"{ROOT}/Observations?$top=50000")
    assert len(doc["value"]) == 1000 and "$skip=1000" in doc["@iot.nextLink"]
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Observation)).scalar()
    assert get(client, f"{ROOT}/Observations?$top=0&$count=true") == {"@iot.count": total, "value": []}


def test_filter_parser_reads_precedence_quotes_and_flipped_comparisons():
    node = parse_filter("id eq 'it''s' or not (result lt 5 and 2026-11-20T00:00:00Z le phenomenonTime)")
    assert node.op == "or" and node.items[0].value == "it's"
    inner = node.items[1].items[0]
    assert inner.op == "and" and inner.items[1].op == "ge" and inner.items[1].path == "phenomenonTime"
    assert parse_path("Things('a/b')/Datastreams") == [("Things", "a/b"), ("Datastreams", None)]
    with pytest.raises(QueryError):
        parse_filter("substringof('x', name)")


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    from data.places import prepare_store
    from data.store import make_engine

    path = tmp_path_factory.mktemp("sta_auth") / "city.db"
    engine = make_engine(f"sqlite:///{path}")
    prepare_store(engine)
    users.add_user(engine, "wall1", "genangan air 2026", "wall")
    app = create_app(Settings(database_url=f"sqlite:///{path}"))
    yield app.server, engine
    engine.dispose()


def test_reading_needs_a_wall_login_or_a_sensorthings_token(secured):
    server, engine = secured
    client = server.test_client()
    r = client.get(f"{ROOT}/Things")
    assert r.status_code == 401 and r.get_json()["type"] == "error"
    reader, _ = tokens.create_token(engine, "ingest", "BPBD provinsi", ["sensorthings"], "test")
    writer, _ = tokens.create_token(engine, "ingest", "gauge gateway", ["observations"], "test")
    assert client.get(f"{ROOT}/Things", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
    basic = base64.b64encode(f"any:{reader}".encode()).decode()
    assert client.get(f"{ROOT}/Things", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert client.get(f"{ROOT}/Things", headers={"Authorization": f"Bearer {writer}"}).status_code == 401
    person = server.test_client()
    person.post("/auth/login", data={"username": "wall1", "password": "genangan air 2026"})
    assert person.get(f"{ROOT}/Datastreams").status_code == 200


def test_sensors_at_one_point_are_one_thing_and_nested_top_holds_per_thing(small_city):
    with small_city.begin() as conn:
        gauge = conn.execute(select(Sensor).where(Sensor.kind == "water_level").order_by(Sensor.id).limit(1)).one()
        row = dict(gauge._mapping) | {
            "id": "zz-rain-at-gauge",
            "kind": "rainfall",
            "unit": "mm/h",
            "datastream_id": None,
        }
        conn.execute(Sensor.__table__.insert().values(**row))
    client = create_app(
        Settings(database_url=small_city.url.render_as_string(hide_password=False))
    ).server.test_client()
    thing = get(client, f"{ROOT}/Things('{gauge.id}')?$expand=Datastreams($top=1;$count=true;$orderby=id desc)")
    assert thing["Datastreams@iot.count"] == 2 and [d["@iot.id"] for d in thing["Datastreams"]] == ["zz-rain-at-gauge"]
    assert thing["Datastreams@iot.nextLink"].endswith(f"/Things('{gauge.id}')/Datastreams?$top=1&$skip=1")
    assert get(client, f"{ROOT}/Datastreams('zz-rain-at-gauge')/Thing")["@iot.id"] == gauge.id
    assert get(client, f"{ROOT}/Things('zz-rain-at-gauge')", 404)["code"] == 404  # not a site's id
    things = all_pages(client, f"{ROOT}/Things?$top=50&$expand=Datastreams($top=1;$count=true)")
    counts = {t["@iot.id"]: t["Datastreams@iot.count"] for t in things}
    assert counts[gauge.id] == 2 and all(len(t["Datastreams"]) == 1 for t in things)
