"""Making a city pack from boundary files of any common layout, and checking a pack's geometry.

Boundary files name their fields differently: Kemendagri-derived files use `code`/`name` with dotted codes
(35.08.01.2001); BIG's RBI layers `KDEPUM`/`WADMKD` (desa) and `KDCPUM`/`WADMKC` (kecamatan); BPS files
`kddesa`/`nmdesa` and `kdkec`/`nmkec`. `new_pack` finds them (or takes them as given), writes the pack's
own GeoJSON with plain `code`/`name`/`kecamatan_code` properties, and dissolves the kecamatan from the
desa on their parent code when only the desa file is given.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
import yaml
from shapely.geometry import mapping, shape

from data.city.model import ZONES

CODE_FIELDS = ("code", "kode", "KDEPUM", "KDCPUM", "kddesa", "kdkec", "kode_desa", "kode_kec", "iddesa", "idkec")
NAME_FIELDS = ("name", "nama", "WADMKD", "WADMKC", "nmdesa", "nmkec", "NAMOBJ", "nama_desa", "nama_kec")
PARENT_FIELDS = ("kecamatan_code", "KDCPUM", "kdkec", "kode_kec", "parent_code", "idkec")
PARENT_NAME_FIELDS = ("kecamatan", "WADMKC", "nmkec", "nama_kec", "parent_name")
KM_PER_DEGREE = 111.32
SLIVER_KM2 = 0.01  # gaps and overlaps smaller than this are drawing noise, not reported


@dataclass(frozen=True)
class Fields:
    code: str
    name: str
    parent: str | None = None
    parent_name: str | None = None


def kemendagri_code(raw: object) -> str:
    """'3508012001' -> '35.08.01.2001', '350801' -> '35.08.01'; dotted codes and other layouts are kept."""
    text = str(raw).strip()
    if re.fullmatch(r"\d{10}", text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    if re.fullmatch(r"\d{6}", text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}"
    if re.fullmatch(r"\d{4}", text):
        return f"{text[:2]}.{text[2:]}"
    return text


def _features(path: Path) -> list[dict]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list) or not features:
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection with features")
    return features


def _pick(props: dict, given: str | None, candidates: tuple[str, ...], what: str, path: Path) -> str | None:
    if given:
        if given not in props:
            raise ValueError(f"{path}: no property {given!r} (the {what}); it has {', '.join(props)}")
        return given
    lowered = {k.lower(): k for k in props}
    return next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)


def detect_fields(path: Path, given: Fields | None = None, child: bool = False) -> Fields:
    """Which properties of a boundary file hold code, name (and for desa: parent code and name)."""
    props = _features(path)[0].get("properties") or {}
    given = given or Fields("", "")
    # an RBI desa has both KDEPUM and KDCPUM: its own code is the desa one, so prefer desa fields first
    codes = ("KDEPUM", *CODE_FIELDS) if child else ("KDCPUM", *CODE_FIELDS)
    names = ("WADMKD", *NAME_FIELDS) if child else ("WADMKC", *NAME_FIELDS)
    code = _pick(props, given.code, codes, "code", path)
    name = _pick(props, given.name, names, "name", path)
    parent = _pick(props, given.parent, PARENT_FIELDS, "parent code", path) if child else None
    parent_name = _pick(props, given.parent_name, PARENT_NAME_FIELDS, "parent name", path) if child else None
    missing = [w for w, v in (("code", code), ("name", name)) + ((("parent code", parent),) if child else ()) if not v]
    if missing:
        raise ValueError(
            f"{path}: cannot tell which property is the {' and the '.join(missing)} "
            f"(it has {', '.join(props)}); give --code-field/--name-field/--parent-field"
        )
    return Fields(code, name, parent, parent_name)  # type: ignore[arg-type]


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _dissolve(desa: list[dict]) -> list[dict]:
    """Kecamatan as the union of their desa (by parent code), named from the desa's parent-name property."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for f in desa:
        groups[f["properties"]["kecamatan_code"]].append(f)
    out = []
    for code, members in groups.items():
        union = shapely.union_all([shape(f["geometry"]) for f in members]).buffer(0)
        name = members[0]["properties"].get("kecamatan") or f"Kecamatan {code}"
        out.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": mapping(union)})
    return sorted(out, key=lambda f: f["properties"]["code"])


def _common_prefix(codes: list[str]) -> str:
    parts = [c.split(".") for c in codes]
    prefix = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        prefix.append(segment[0])
    return ".".join(prefix[:2])


def new_pack(
    folder: Path,
    *,
    name: str,
    zone: str,
    subdistricts: Path,
    districts: Path | None = None,
    fields: Fields | None = None,
    population: int | None = None,
) -> Path:
    """Write a pack folder (city.yaml and its two GeoJSON files) from another layout's boundary files."""
    if zone not in ZONES:
        raise ValueError(f"zone {zone!r} is not an Indonesian zone; use one of {', '.join(ZONES)}")
    folder = Path(folder)
    if (folder / "city.yaml").exists():
        raise ValueError(f"{folder / 'city.yaml'} exists already; choose an empty folder")
    sub_fields = detect_fields(subdistricts, fields, child=True)
    desa = []
    for f in _features(subdistricts):
        p = f.get("properties") or {}
        props = {"code": kemendagri_code(p[sub_fields.code]), "name": str(p[sub_fields.name]).strip(),
                 "kecamatan_code": kemendagri_code(p[sub_fields.parent])}  # fmt: skip
        if sub_fields.parent_name and p.get(sub_fields.parent_name):
            props["kecamatan"] = str(p[sub_fields.parent_name]).strip()
        desa.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    if districts is not None:
        dist_fields = detect_fields(districts)
        kecamatan = [
            {"type": "Feature", "geometry": f["geometry"],
             "properties": {"code": kemendagri_code(f["properties"][dist_fields.code]),
                            "name": str(f["properties"][dist_fields.name]).strip()}}
            for f in _features(districts)
        ]  # fmt: skip
    else:
        kecamatan = _dissolve(desa)
    codes = [f["properties"]["code"] for f in kecamatan]
    fourth = [f["properties"]["code"].split(".")[-1][:1] for f in desa]
    word = "desa" if fourth.count("2") >= len(fourth) / 2 else "kelurahan"
    kind = "kota" if name.lower().startswith("kota") else "kabupaten"
    short = re.sub(r"^(kabupaten|kota)\s+", "", name, flags=re.IGNORECASE)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kecamatan.geojson").write_text(json.dumps(_collection(kecamatan)), encoding="utf-8")
    (folder / "desa.geojson").write_text(json.dumps(_collection(desa)), encoding="utf-8")
    populations = {"total": population} if population else {"density_per_km2": 500}
    doc = {
        "name": name,
        "short_name": short,
        "kind": kind,
        "code": _common_prefix(codes),
        "zone": zone,
        "default_language": "id",
        "subdistrict_word": word,
        "districts": {"file": "kecamatan.geojson", "code_field": "code", "name_field": "name"},
        "subdistricts": {
            "file": "desa.geojson",
            "code_field": "code",
            "name_field": "name",
            "parent_field": "kecamatan_code",
        },  # fmt: skip
        "populations": {
            **populations,
            "year": 2020,
            "source": "estimated from area until the census total (populations.total) or a "
            "populations.csv of kecamatan figures is given",
        },  # fmt: skip
    }
    header = (
        f"# {name}: written by `python -m dashboard city new` from {Path(subdistricts).name}"
        + (f" and {Path(districts).name}" if districts else " (kecamatan dissolved from the desa)")
        + ".\n# Check it with `python -m dashboard city check` and keep the boundaries' licence beside them.\n"
    )
    (folder / "city.yaml").write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    return folder


@dataclass
class CheckReport:
    """What `check_pack` found: errors make a pack unusable, warnings are worth a look."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _km2(geom: shapely.Geometry) -> float:
    if geom.is_empty:
        return 0.0
    return geom.area * KM_PER_DEGREE**2 * math.cos(math.radians(geom.centroid.y))


def _layer_problems(label: str, features: list[dict], code_field: str, report: CheckReport) -> dict[str, object]:
    shapes: dict[str, shapely.Geometry] = {}
    for i, f in enumerate(features):
        code = str((f.get("properties") or {}).get(code_field, ""))
        geometry = f.get("geometry") or {}
        where = f"{label} {code or f'#{i + 1}'}"
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            report.errors.append(f"{where}: geometry is {geometry.get('type')!r}, not Polygon or MultiPolygon")
            continue
        geom = shape(geometry)
        if not geom.is_valid:
            report.errors.append(f"{where}: invalid geometry ({shapely.is_valid_reason(geom)})")
            geom = geom.buffer(0)
        if not code:
            report.errors.append(f"{where}: no {code_field!r} property")
        elif code in shapes:
            report.errors.append(f"{label} code {code} appears twice")
        shapes[code] = geom
    return shapes


def check_pack(pack: object) -> CheckReport:
    """Geometry checks of a loaded pack: valid (Multi)Polygons, unique codes, every desa in its kecamatan,
    and gaps and overlaps between kecamatan over SLIVER_KM2."""
    report = CheckReport()
    dist_layer, sub_layer = pack.districts, pack.subdistricts
    kec = _layer_problems("kecamatan", _features(pack.path(dist_layer.file)), dist_layer.code_field, report)
    sub_feats = _features(pack.path(sub_layer.file))
    desa = _layer_problems(pack.subdistrict_word, sub_feats, sub_layer.code_field, report)
    parents = {str(f["properties"].get(sub_layer.code_field)): str(f["properties"].get(sub_layer.parent_field))
               for f in sub_feats}  # fmt: skip
    for code, geom in desa.items():
        parent = parents.get(code)
        if parent not in kec:
            report.errors.append(f"{pack.subdistrict_word} {code}: its kecamatan {parent} is not in the kecamatan file")
            continue
        outside = _km2(geom.difference(kec[parent]))
        if outside > max(SLIVER_KM2, 0.01 * _km2(geom)):
            report.errors.append(
                f"{pack.subdistrict_word} {code}: {outside:.2f} km2 lies outside its kecamatan {parent}"
            )
    empty = [c for c in kec if c not in set(parents.values())]
    if empty:
        report.warnings.append(f"kecamatan without any {pack.subdistrict_word}: {', '.join(empty)}")
    tree_codes = list(kec)
    geoms = [kec[c] for c in tree_codes]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            area = _km2(geoms[i].intersection(geoms[j]))
            if area > SLIVER_KM2:
                report.warnings.append(f"kecamatan {tree_codes[i]} and {tree_codes[j]} overlap by {area:.2f} km2")
    union = shapely.union_all(geoms)
    holes = shapely.union_all([shapely.Polygon(r) for g in shapely.get_parts(union) for r in g.interiors])
    if not holes.is_empty:
        for hole in shapely.get_parts(holes):
            gap = _km2(hole.difference(union))
            if gap > SLIVER_KM2:
                point = hole.representative_point()
                report.warnings.append(f"a gap of {gap:.2f} km2 between kecamatan near ({point.y:.4f}, {point.x:.4f})")
    return report
