import json

import numpy as np
from shapely.geometry import shape

from data import geography
from data.city import load_pack


def test_thirteen_kecamatan_and_104_kelurahan_with_populations_summing_to_the_census():
    districts = geography.districts()
    assert len(districts) == 13
    assert len(geography.subdistricts()) == 104
    assert sum(d.population for d in districts) == load_pack("tangerang").populations.total == 1_895_486
    cipondoh = next(d for d in districts if d.name == "Cipondoh")
    assert cipondoh.population == 248_210 and not cipondoh.population_estimated


def test_a_point_inside_each_kecamatan_is_assigned_to_it_and_a_point_outside_to_none():
    districts = geography.districts()
    points = [shape(d.geometry).representative_point() for d in districts]
    lats = np.array([p.y for p in points] + [-6.30])  # the last one is in South Jakarta
    lons = np.array([p.x for p in points] + [106.80])
    found, subs = geography.locator().locate(lats, lons)
    assert list(found[:13]) == [d.code for d in districts]
    assert all(s.startswith(d.code) for s, d in zip(subs[:13], districts, strict=True))
    assert found[13] is None and subs[13] is None


def test_missing_coordinates_are_not_located():
    found, subs = geography.locator().locate(np.array([np.nan]), np.array([106.6]))
    assert found[0] is None


def test_random_points_fall_inside_their_polygon():
    d = geography.districts()[4]
    lats, lons = geography.random_points_in(d.geometry, 200, np.random.default_rng(1))
    found, _ = geography.locator().locate(lats, lons)
    assert set(found) == {d.code}


def test_boundary_files_keep_their_licence_beside_them():
    for name in ("tangerang", "lumajang", "oku"):
        pack = load_pack(name)
        assert (pack.folder / "LICENSE.wilayah_boundaries").exists() and (pack.folder / "SOURCE.md").exists()
        assert json.loads(pack.path(pack.districts.file).read_text())["features"]
