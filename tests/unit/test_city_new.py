"""`city new` from other boundary layouts gives the shipped pack's kecamatan; `city check` finds what is wrong."""

from __future__ import annotations

import json

import pytest

from dashboard.cli import main
from data import geography
from data.city import load_pack
from data.city.build import check_pack, kemendagri_code


def _as_rbi(tmp_path):
    """Lumajang's desa as BIG's RBI layer names them: KDEPUM/WADMKD, KDCPUM/WADMKC, codes without dots."""
    pack = load_pack("lumajang")
    doc = json.loads(pack.path(pack.subdistricts.file).read_text())
    for f in doc["features"]:
        p = f["properties"]
        f["properties"] = {"KDEPUM": p["code_digits"], "WADMKD": p["name"],
                           "KDCPUM": p["kecamatan_code"].replace(".", ""), "WADMKC": p["kecamatan"],
                           "WADMKK": "Lumajang"}  # fmt: skip
    path = tmp_path / "ADMINISTRASIDESA_AR_25K.geojson"
    path.write_text(json.dumps(doc))
    return path


def test_city_new_from_a_desa_only_rbi_file_gives_the_shipped_kecamatan(tmp_path, capsys):
    rbi = _as_rbi(tmp_path)
    code = main(["city", "new", str(tmp_path / "lmj"), "--subdistricts", str(rbi), "--name", "Kabupaten Lumajang",
                 "--zone", "Asia/Jakarta", "--population", "1119251"])  # fmt: skip
    assert code == 0, capsys.readouterr().out
    made, shipped = load_pack(tmp_path / "lmj"), load_pack("lumajang")
    assert (made.code, made.kind, made.short_name, made.subdistrict_word) == ("35.08", "kabupaten", "Lumajang", "desa")
    ours = {d.code: d for d in geography.districts(made)}
    theirs = {d.code: d for d in geography.districts(shipped)}
    assert set(ours) == set(theirs) and len(ours) == 21
    for code, d in theirs.items():
        assert ours[code].name == d.name
        assert ours[code].area_km2 == pytest.approx(d.area_km2, rel=0.01), code
    assert {s.code for s in geography.subdistricts(made)} == {s.code for s in geography.subdistricts(shipped)}


def test_city_new_says_which_field_it_cannot_find(tmp_path, capsys):
    path = tmp_path / "odd.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id_wilayah": "1", "label": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}))  # fmt: skip
    code = main(["city", "new", str(tmp_path / "x"), "--subdistricts", str(path), "--name", "Kota X",
                 "--zone", "Asia/Makassar"])  # fmt: skip
    assert code == 2
    assert "cannot tell which property is the code" in capsys.readouterr().err


def test_city_check_reports_bad_geometry_duplicates_strays_and_overlaps(tmp_path):
    square = [[[113.0, -8.0], [113.1, -8.0], [113.1, -8.1], [113.0, -8.1], [113.0, -8.0]]]
    bowtie = [[[113.2, -8.0], [113.3, -8.1], [113.3, -8.0], [113.2, -8.1], [113.2, -8.0]]]
    shifted = [[[113.05, -8.0], [113.15, -8.0], [113.15, -8.1], [113.05, -8.1], [113.05, -8.0]]]
    kec = [("35.99.01", "A", square), ("35.99.02", "B", shifted), ("35.99.03", "C", bowtie)]
    desa = [("35.99.01.2001", "35.99.01", square), ("35.99.01.2001", "35.99.01", square),
            ("35.99.03.2001", "35.99.04", bowtie)]  # fmt: skip
    (tmp_path / "k.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c, "name": n}, "geometry": {"type": "Polygon", "coordinates": g}}
        for c, n, g in kec]}))  # fmt: skip
    (tmp_path / "d.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c, "name": c, "kecamatan_code": p},
         "geometry": {"type": "Polygon", "coordinates": g}} for c, p, g in desa]}))  # fmt: skip
    (tmp_path / "city.yaml").write_text(
        "name: Kabupaten Uji\nshort_name: Uji\nkind: kabupaten\ncode: '35.99'\nsubdistrict_word: desa\n"
        "districts: {file: k.geojson}\nsubdistricts: {file: d.geojson, parent_field: kecamatan_code}\n"
        "populations: {density_per_km2: 800}\n"
    )
    report = check_pack(load_pack(tmp_path))
    text = "\n".join(report.errors + report.warnings)
    assert "kecamatan 35.99.03: invalid geometry (Self-intersection" in text
    assert "desa code 35.99.01.2001 appears twice" in text
    assert "desa 35.99.03.2001: its kecamatan 35.99.04 is not in the kecamatan file" in text
    assert "kecamatan 35.99.01 and 35.99.02 overlap by" in text
    assert main(["city", "check", str(tmp_path)]) == 1


def test_codes_of_every_layout_become_kemendagri_codes():
    assert kemendagri_code("3508012001") == "35.08.01.2001"
    assert kemendagri_code(350801) == "35.08.01"
    assert kemendagri_code("35.08.01") == "35.08.01"
