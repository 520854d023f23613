"""The SensorThings API answers the same on PostgreSQL as on SQLite for the same city: site grouping, first and
last reading times, time filters, counts, ordering and paging are all done by the database."""

from __future__ import annotations

import pytest

from data.demo.seed import seed_demo_city
from data.sensorthings.documents import Resolver
from data.sensorthings.query import parse_query
from tests.conftest import SMALL_CITY

pytestmark = pytest.mark.integration
BASE = "http://room/sta/v1.1"
REQUESTS = [
    ("Things", {"$top": "5", "$skip": "3", "$count": "true", "$expand": "Locations,Datastreams($select=id)"}),
    ("Datastreams", {"$orderby": "name desc", "$top": "4", "$expand": "Thing,ObservedProperty"}),
    ("Sensors", {"$count": "true"}),
    ("Datastreams('water-level-002')/Observations",
     {"$filter": "phenomenonTime ge 2026-11-15T00:00:00Z and phenomenonTime lt 2026-11-17T00:00:00+07:00",
      "$orderby": "phenomenonTime desc", "$top": "7", "$skip": "7", "$count": "true"}),
    ("Observations", {"$filter": "(Datastream/id eq 'rainfall-001' or Datastream/id eq 'pm25-001') and result gt 4",
                      "$orderby": "result desc", "$top": "5", "$count": "true", "$expand": "Datastream($select=name)"}),
]  # fmt: skip


def _answer(engine, path: str, args: dict) -> object:
    with engine.connect() as conn:
        return Resolver(conn, BASE).answer(path, parse_query(args), args)


def test_same_answers_on_postgres_and_sqlite(pg_engine, small_city):
    seed_demo_city(pg_engine, SMALL_CITY)
    for path, args in REQUESTS:
        on_pg, on_sqlite = _answer(pg_engine, path, args), _answer(small_city, path, args)
        assert on_pg == on_sqlite, path
        assert on_pg["value"], path
