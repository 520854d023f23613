"""The room's SensorThings API read by the real `frost-sta-client` (PyPI), over HTTP from waitress on a free
loopback port, as another city system would: lists with paging, single entities, navigation, filters,
expansions and a token sent as HTTP Basic."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

frost_sta_client = pytest.importorskip("frost_sta_client")

from dashboard.app import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from data.auth import tokens, users  # noqa: E402
from data.models import Observation, Sensor  # noqa: E402
from tests.conftest import copy_city  # noqa: E402
from tests.helpers.live import LiveApp  # noqa: E402


@pytest.fixture(scope="module")
def room(small_city_path, tmp_path_factory):
    """A copy of the small city with one person (so reading needs a login or a token), served on loopback."""
    path = tmp_path_factory.mktemp("sta_live") / "city.db"
    engine = copy_city(small_city_path, path)
    users.add_user(engine, "wall1", "genangan air 2026", "wall")
    token, _ = tokens.create_token(engine, "ingest", "BPBD Provinsi Banten", ["sensorthings"], "test")
    live = LiveApp(create_app(Settings(database_url=f"sqlite:///{path}")))
    auth = frost_sta_client.AuthHandler(username="bpbd-banten", password=token)
    service = frost_sta_client.SensorThingsService(f"{live.url}/sta/v1.1", auth_handler=auth)
    yield service, engine
    live.close()
    engine.dispose()


def test_things_and_datastreams_list_through_every_page(room):
    service, engine = room
    with engine.connect() as conn:
        sensors = conn.execute(select(func.count()).select_from(Sensor)).scalar()
    listed = list(service.datastreams().query().top(7).list())  # iterating follows @iot.nextLink
    assert len(listed) == sensors and len({d.id for d in listed}) == sensors
    gauge = next(d for d in listed if d.properties["kind"] == "water_level")
    assert gauge.unit_of_measurement.symbol == "cm"
    things = list(service.things().query().expand("Locations").top(5).list())
    assert things and all(t.locations.entities[0].location["type"] == "Point" for t in things)


def test_observations_of_one_datastream_filtered_and_ordered(room):
    service, engine = room
    with engine.connect() as conn:
        sensor = conn.execute(select(Sensor.id).where(Sensor.kind == "rainfall").limit(1)).scalar()
        expected = conn.execute(
            select(func.count()).select_from(Observation).where(
                Observation.sensor_id == sensor, Observation.observed_at >= "2026-11-18 00:00:00")
        ).scalar()  # fmt: skip
    datastream = service.datastreams().find(sensor)
    assert datastream.id == sensor and datastream.name
    query = (service.observations().query()
             .filter(f"Datastream/id eq '{sensor}' and phenomenonTime ge 2026-11-18T00:00:00Z")
             .orderby("phenomenonTime", "ASC").count().top(50))  # fmt: skip
    first = query.list()
    assert first.count == expected
    readings = list(first)
    assert len(readings) == expected
    times = [o.phenomenon_time for o in readings]
    assert times == sorted(times) and times[0] >= "2026-11-18T00:00:00"


def test_navigation_and_expand_as_the_client_builds_them(room):
    service, _ = room
    datastream = service.datastreams().query().expand("Thing,ObservedProperty,Sensor").top(1).list().get(0)
    assert datastream.thing.id and datastream.observed_property.id == datastream.properties["kind"]
    observations = service.observations().query().expand("Datastream").top(3).list()
    assert all(o.datastream.id for o in observations.entities)
    thing = service.things().find(datastream.thing.id)
    assert datastream.id in [d.id for d in service.datastreams().query().filter(f"Thing/id eq '{thing.id}'").list()]


def test_without_credentials_the_client_is_refused(room):
    service, _ = room
    anonymous = frost_sta_client.SensorThingsService(str(service.url))
    with pytest.raises(Exception, match="401"):
        anonymous.things().query().list()
