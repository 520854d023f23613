"""City packs: shipped packs load, bad packs say file/field/reason, CITY selects one, a store keeps one city."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import shape

from dashboard.settings import Settings
from data import geography
from data.city import PackError, load_pack, shipped_packs, using
from data.ingest.report import IngestReport
from data.ingest.sensors import check_sensor, ingest_sensors_file
from data.ingest.values import BadValueError
from data.places import StoreOfAnotherCityError, prepare_store
from data.queries.sensors import classify
from data.store import make_engine
from tests.helpers.packs import write_pack


def test_the_three_shipped_packs_load_with_their_own_places_and_words():
    assert {"tangerang", "lumajang", "oku"} <= set(shipped_packs())
    tangerang, lumajang, oku = (load_pack(n) for n in ("tangerang", "lumajang", "oku"))
    assert (tangerang.kind, tangerang.code, tangerang.subdistrict_word) == ("kota", "36.71", "kelurahan")
    assert (lumajang.kind, lumajang.code, lumajang.subdistrict_word) == ("kabupaten", "35.08", "desa")
    assert lumajang.room_title("id") == "Ruang Kendali Kabupaten Lumajang"
    assert tangerang.room_title("en") == "Tangerang City Operations Room"
    assert (len(geography.districts(lumajang)), len(geography.subdistricts(lumajang))) == (21, 205)
    assert (len(geography.districts(oku)), len(geography.subdistricts(oku))) == (13, 157)
    assert {z.zone.label for z in (tangerang, lumajang, oku)} == {"WIB"}


def test_a_regency_without_census_figures_per_kecamatan_is_estimated_from_area_and_flagged():
    lumajang = load_pack("lumajang")
    districts = geography.districts(lumajang)
    assert sum(d.population for d in districts) == lumajang.populations.total == 1_119_251
    assert all(d.population_estimated for d in districts)
    by_area = sorted(districts, key=lambda d: d.area_km2)
    assert by_area[0].population < by_area[-1].population  # same density: the larger kecamatan has more people
    assert 1_700 < sum(d.area_km2 for d in districts) < 1_900  # SOURCE.md: about 1,797 km2


def test_every_desa_of_a_multipolygon_regency_is_found_by_a_point_inside_it():
    oku = load_pack("oku")
    subs = geography.subdistricts(oku)
    points = [shape(s.geometry).representative_point() for s in subs]
    found_d, found_s = geography.locator(oku).locate(np.array([p.y for p in points]), np.array([p.x for p in points]))
    assert list(found_s) == [s.code for s in subs]
    assert list(found_d) == [s.parent_code for s in subs]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"zone": "Asia/Tokyo"}, "zone", "not an Indonesian zone"),
        ({"name": None}, "name", "Field required"),
        ({"kind": "kecamatan"}, "kind", "'kota', 'kabupaten', 'provinsi' or 'nasional'"),
        ({"code": "3508"}, "code", "String should match pattern"),
        ({"subdistrict_word": "dusun"}, "subdistrict_word", "'kelurahan', 'desa'"),
        ({"populations": {"year": 2020}}, "populations", "give `total`"),
        ({"districts": {"file": "nowhere.geojson"}}, "districts.file", "not found"),
        (
            {
                "catalogue": {
                    "sensor_kinds": [
                        {"code": "tide", "label": {"id": "Pasang"}, "unit": "cm", "physical_min": 10, "physical_max": 5}
                    ]
                }
            },
            "catalogue.sensor_kinds.0",
            "physical_min must be below physical_max",
        ),
    ],
)
def test_a_bad_pack_names_the_file_the_field_and_the_reason(tmp_path, changes, field, reason):
    folder = write_pack(tmp_path / "bad", **changes)
    with pytest.raises(PackError) as caught:
        load_pack(folder)
    message = str(caught.value)
    assert str(folder / "city.yaml") in message
    assert field in message and reason in message, message


def test_a_missing_pack_lists_the_shipped_ones(tmp_path):
    with pytest.raises(PackError, match="tangerang"):
        load_pack(tmp_path / "nothing-here")


def test_city_setting_picks_a_shipped_pack_or_a_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CITY", "lumajang")
    assert Settings.from_env().pack().name == "Kabupaten Lumajang"
    monkeypatch.setenv("CITY", str(write_pack(tmp_path / "wita", zone="Asia/Makassar")))
    assert Settings.from_env().pack().zone.label == "WITA"
    monkeypatch.delenv("CITY")
    assert Settings.from_env().pack().name == "Kota Tangerang"  # the default, as the Quick start expects
    monkeypatch.setenv("CITY", "atlantis")
    with pytest.raises(PackError, match="no city pack here"):
        Settings.from_env()


def test_an_unknown_sensor_kind_names_the_known_ones_and_how_to_add_one():
    barometer = {"id": "baro-1", "kind": "barometric_pressure", "lat": -6.18, "lon": 106.63}
    with pytest.raises(BadValueError) as caught:
        check_sensor(barometer)
    message = str(caught.value)
    assert "water_level" in message and "rainfall" in message and "sensor_kinds" in message
    assert "city.yaml" in message


def test_adding_a_sensor_kind_is_configuration_only(tmp_path):
    base = load_pack("tangerang").catalogue
    kinds = [k.model_dump(mode="json") for k in base.sensor_kinds] + [
        {"code": "pressure", "label": {"id": "Tekanan udara", "en": "Air pressure"}, "unit": "mbar",
         "physical_min": 850, "physical_max": 1100, "bad": "low", "warning": 1000, "danger": 990,
         "network": "BMKG AWS"},
    ]  # fmt: skip
    pack = load_pack(write_pack(tmp_path / "baro", catalogue={"sensor_kinds": kinds}))
    registry = tmp_path / "sensors.csv"
    registry.write_text("id,kind,lat,lon\nbaro-1,pressure,-6.18,106.63\nbaro-2,river_gauge,-6.18,106.63\n")
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    with using(pack):
        prepare_store(engine, pack)
        report = IngestReport("sensors")
        ingest_sensors_file(engine, registry, report)
        row = check_sensor({"id": "baro-1", "kind": "pressure", "lat": -6.18, "lon": 106.63})
        states = classify(
            pd.DataFrame({"kind": ["pressure", "pressure", "water_level"], "value": [1005.0, 985.0, 330.0],
                          "warning_threshold": [1000.0, 1000.0, 250.0], "danger_threshold": [990.0, 990.0, 320.0],
                          "age_s": [60.0] * 3, "expected_interval_s": [600] * 3}),
            datetime(2026, 11, 20),
        )  # fmt: skip
    assert (row["unit"], row["warning_threshold"], row["danger_threshold"]) == ("mbar", 1000, 990)
    assert list(states) == ["normal", "danger", "danger"]  # a low barometer is the bad one, a high river too
    assert (report.inserted, report.rejected) == (1, 1)
    assert "river_gauge" in report.examples[0].reason and "pressure" in report.examples[0].reason


def test_a_store_of_one_city_refuses_another_citys_pack(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    prepare_store(engine, load_pack("tangerang"))
    prepare_store(engine, load_pack("tangerang"))  # the same city again: fine
    with pytest.raises(StoreOfAnotherCityError, match="Kabupaten Lumajang"):
        prepare_store(engine, load_pack("lumajang"))


def test_shipped_boundaries_are_valid_geojson_with_their_licence(tmp_path):
    for name in ("tangerang", "lumajang", "oku"):
        pack = load_pack(name)
        doc = json.loads(pack.path(pack.subdistricts.file).read_text())
        assert {f["geometry"]["type"] for f in doc["features"]} <= {"Polygon", "MultiPolygon"}
        assert "MIT" in (pack.folder / "LICENSE.wilayah_boundaries").read_text()
