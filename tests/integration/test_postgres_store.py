"""The same demo city on PostgreSQL gives the same figures as on SQLite."""

from dataclasses import asdict
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from data.demo.seed import seed_demo_city
from data.models import Base
from data.queries.complaints import complaint_kpis, counts_over_time, open_by_district
from data.queries.filters import ComplaintFilter
from data.queries.sensors import sensor_states
from data.queries.snapshot import city_snapshot
from tests.conftest import DEMO_END, SMALL_CITY

pytestmark = pytest.mark.integration
TARGETS = Path(__file__).resolve().parents[2] / "data" / "config" / "targets.yaml"


def test_schema_on_postgres_has_every_table_of_the_model(pg_engine):
    tables = set(inspect(pg_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM districts")).scalar() == 13
        assert conn.execute(text("SELECT COUNT(*) FROM subdistricts")).scalar() == 104


def test_seeded_city_gives_identical_figures_on_postgres_and_sqlite(pg_engine, small_city):
    seed_demo_city(pg_engine, SMALL_CITY)
    # julianday() on SQLite carries ~1e-9 h of float noise; counts must match exactly.
    assert asdict(complaint_kpis(pg_engine, DEMO_END)) == pytest.approx(asdict(complaint_kpis(small_city, DEMO_END)))
    assert open_by_district(pg_engine, DEMO_END).equals(open_by_district(small_city, DEMO_END))
    flt = ComplaintFilter(start=SMALL_CITY.start, end=DEMO_END)
    pg_days = counts_over_time(pg_engine, flt, by="week").sort_values(["period", "category"]).reset_index(drop=True)
    lite_days = counts_over_time(small_city, flt, by="week").sort_values(["period", "category"]).reset_index(drop=True)
    assert pg_days.equals(lite_days)
    pg_states = sensor_states(pg_engine, DEMO_END)[["id", "value", "state"]]
    lite_states = sensor_states(small_city, DEMO_END)[["id", "value", "state"]]
    assert pg_states.equals(lite_states)
    assert city_snapshot(pg_engine, DEMO_END, TARGETS).score == pytest.approx(
        city_snapshot(small_city, DEMO_END, TARGETS).score
    )
