"""A regency's room from its pack alone: Kabupaten Lumajang seeded, ranked, ingested, clocked and served."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pytest
from shapely.geometry import Point
from sqlalchemy import text

from dashboard.app import create_app
from dashboard.settings import Settings
from data.city import activate, load_pack, using
from data.demo.generate import DemoSpec
from data.demo.seed import seed_demo_city
from data.demo.sites import river_line
from data.ingest.complaints import ingest_open311_file
from data.ingest.report import IngestReport
from data.queries.kpi_board import complaint_figures_at
from data.queries.leader import district_ranking
from data.store import make_engine

END = datetime(2026, 11, 20, 5, 30)
SPEC = DemoSpec(end=END, days=14, complaints=4_000, observations=30_000, sensors=30, seed=11)
TARGETS = Settings().targets_path


@pytest.fixture(scope="module")
def lumajang(tmp_path_factory):
    pack = load_pack("lumajang")
    path = tmp_path_factory.mktemp("lumajang") / "city.db"
    engine = make_engine(f"sqlite:///{path}")
    with using(pack):
        seed_demo_city(engine, SPEC)
        yield pack, engine, path
    engine.dispose()


def test_the_demo_regency_has_its_devices_inside_and_its_gauges_along_a_river(lumajang):
    pack, engine, _ = lumajang
    with engine.connect() as conn:
        sensors = conn.execute(text("SELECT kind, lat, lon, district_code FROM sensors")).all()
        codes = {r[0] for r in conn.execute(text("SELECT code FROM districts"))}
    assert sensors and all(s.district_code in codes for s in sensors)  # every device in a Lumajang kecamatan
    line = river_line(pack)
    gauges = [s for s in sensors if s.kind == "water_level"]
    assert all(line.distance(Point(s.lon, s.lat)) < 0.02 for s in gauges)


def test_complaints_follow_population_and_rain_still_brings_floods(lumajang):
    _, engine, _ = lumajang
    with engine.connect() as conn:
        per_district = conn.execute(
            text("SELECT d.population, COUNT(c.id) FROM districts d LEFT JOIN complaints c "
                 "ON c.district_code = d.code GROUP BY d.code")
        ).all()  # fmt: skip
        floods = conn.execute(text("SELECT COUNT(*) FROM complaints WHERE category = 'banjir'")).scalar()
    population, count = np.array(per_district, dtype=float).T
    assert np.corrcoef(population, count)[0, 1] > 0.9
    assert floods > 0


def test_leader_ranking_and_wall_figures_cover_the_regencys_21_kecamatan(lumajang):
    pack, engine, _ = lumajang
    with using(pack):
        ranking = district_ranking(engine, END, TARGETS)
        figures = complaint_figures_at(engine, END)
    assert len(ranking) == 21 and "Senduro" in set(ranking["name"])
    assert figures["open_backlog"] > 0 and figures["received_today"] > 0


def test_ingest_keeps_a_record_from_outside_the_regency_flagged_and_reads_times_in_its_zone(lumajang, tmp_path):
    pack, engine, _ = lumajang
    feed = tmp_path / "requests.json"
    feed.write_text(json.dumps([
        {"service_request_id": "LMJ-1", "service_code": "jalan_rusak", "status": "open",
         "requested_datetime": "2026-11-19 09:00", "lat": -8.13, "long": 113.22},  # Kecamatan Lumajang
        {"service_request_id": "LMJ-2", "service_code": "sampah", "status": "open",
         "requested_datetime": "2026-11-19T09:00:00+07:00", "lat": -6.18, "long": 106.63},  # Kota Tangerang
    ]))  # fmt: skip
    with using(pack):
        report = IngestReport("complaints")
        ingest_open311_file(engine, feed, "lumajang-test", report)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(text("SELECT source_id, district_code FROM complaints WHERE source = 'lumajang-test'")).all()
        )
        outside = conn.execute(
            text("SELECT outside_city, requested_at, due_at FROM complaints WHERE source_id = 'LMJ-2'")
        ).one()
    assert report.inserted == 2
    assert rows["LMJ-1"].startswith("35.08.") and rows["LMJ-2"] is None
    assert outside[0]  # kept, flagged
    assert str(outside[1]).startswith("2026-11-19 02:00")  # 09:00 WIB


def test_the_app_serves_the_regency_under_its_own_title(lumajang):
    _, _, path = lumajang
    try:
        app = create_app(Settings(city="lumajang", database_url=f"sqlite:///{path}"))
        client = app.server.test_client()
        page = client.get("/wall")
        assert page.status_code == 200
        assert "Ruang Kendali Kabupaten Lumajang" in page.get_data(as_text=True)
    finally:
        activate(load_pack("tangerang"))  # the process's default city for the tests after this one


def test_the_demo_estate_carries_the_regencys_name_not_tangerangs(lumajang):
    _, engine, _ = lumajang
    with engine.connect() as conn:
        names = [" ".join(r) for r in conn.execute(text("SELECT name, agency FROM services")).all()]
    assert any("Kabupaten Lumajang" in n for n in names)
    assert not [n for n in names if "Tangerang" in n]
