"""One room reads another: `pull sensorthings` against this app's own /sta/v1.1 (waitress on a free loopback port,
a token scoped 'sensorthings' in the URL as HTTP Basic) registers its sensors and copies their readings exactly;
a second pull finds nothing new."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dashboard.app import create_app
from dashboard.cli import main
from dashboard.settings import Settings
from data.auth import tokens, users
from data.models import Observation, Sensor
from data.places import prepare_store
from data.store import make_engine
from tests.helpers.live import LiveApp


def _readings(engine, sensor_id: str) -> list[tuple]:
    query = select(Observation.observed_at, Observation.value).where(Observation.sensor_id == sensor_id)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(Observation.observed_at))]


@pytest.fixture
def room_b(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'room_b.db'}")  # beside small_city's copy, not the same file
    prepare_store(engine)
    yield engine
    engine.dispose()


def test_a_room_pulls_another_rooms_sensors_and_readings_exactly(small_city, room_b, capsys):
    users.add_user(small_city, "wall1", "genangan air 2026", "wall")  # reading now needs a login or a token
    token, _ = tokens.create_token(small_city, "ingest", "room B", ["sensorthings"], "test")
    with small_city.connect() as conn:
        first = select(func.min(Sensor.id)).where(Sensor.kind.in_(["water_level", "rainfall"])).group_by(Sensor.kind)
        rain, gauge = conn.execute(first.order_by(Sensor.kind)).scalars()
    live = LiveApp(create_app(Settings(database_url=small_city.url.render_as_string(hide_password=False))))
    try:
        base = f"http://room-b:{token}@127.0.0.1:{live.port}/sta/v1.1"
        target = ["--database-url", room_b.url.render_as_string(hide_password=False)]
        assert main(["pull", "sensorthings", base, "--datastream", gauge, rain, *target]) == 0
        assert main(["pull", "sensorthings", base, "--datastream", gauge, rain, *target]) == 0
    finally:
        live.close()
    assert _readings(room_b, f"sta-{rain}") == _readings(small_city, rain)
    assert _readings(room_b, f"sta-{gauge}") == _readings(small_city, gauge)
    with room_b.connect() as conn:
        copied = conn.execute(
            select(Sensor.kind, Sensor.unit, Sensor.datastream_id).where(Sensor.id == f"sta-{gauge}")
        ).one()
        assert tuple(copied) == ("water_level", "cm", gauge)
        assert conn.execute(select(func.count()).select_from(Sensor)).scalar() == 2
    second = capsys.readouterr().out.strip().splitlines()[-1]
    assert "inserted 0" in second and "unchanged duplicates 2" in second
