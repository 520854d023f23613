"""The city's kecamatan and desa/kelurahan: boundaries, populations, and which polygon holds a point.

Everything comes from a city pack (`data.city`): its boundary files, the properties holding code, name and
parent code, and its populations. Each function takes the pack (the active one when omitted) and caches
per pack, so two cities in one process never share boundaries. A plain `lru_cache` is right here: these are
pure functions of a pack's files, which do not change while the process runs (no database, no data version).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import shape

from data import city as city_packs
from data.city import CityPack

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Area:
    """A kecamatan or desa/kelurahan as loaded from the boundary files."""

    code: str
    name: str
    parent_code: str | None
    geometry: dict
    centroid_lat: float
    centroid_lon: float
    area_km2: float
    population: int
    population_estimated: bool


def _area_km2(geom: shapely.Geometry) -> float:
    lat = geom.centroid.y
    return geom.area * KM_PER_DEGREE**2 * math.cos(math.radians(lat))


def _features(pack: CityPack, filename: str) -> list[dict]:
    with open(pack.path(filename), encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _label_point(props: dict, geom: shapely.Geometry) -> tuple[float, float]:
    """(lat, lon) to place a label: the file's centroid when it lies inside the polygon, else a surface point."""
    lat, lon = props.get("centroid_lat"), props.get("centroid_lng", props.get("centroid_lon"))
    if isinstance(lat, int | float) and isinstance(lon, int | float) and shapely.contains_xy(geom, lon, lat):
        return float(lat), float(lon)
    point = geom.representative_point()
    return point.y, point.x


def _known_populations(pack: CityPack) -> tuple[dict[str, int], dict[str, float]]:
    """Census populations and densities per kecamatan code from the pack's CSV (both may be partial)."""
    if not pack.populations.file:
        return {}, {}
    populations: dict[str, int] = {}
    densities: dict[str, float] = {}
    with open(pack.path(pack.populations.file), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = (row.get("code") or "").strip()
            if (row.get("population") or "").strip():
                populations[code] = int(row["population"])
            if (row.get("density_per_km2") or "").strip():
                densities[code] = float(row["density_per_km2"])
    return populations, densities


def _district_populations(pack: CityPack, areas: dict[str, float]) -> tuple[dict[str, int], set[str]]:
    """Each kecamatan's population and which are estimates: known figures kept, the rest area x density,
    scaled so the city adds up to its census total when the pack gives one."""
    known, densities = _known_populations(pack)
    fixed = {code: known[code] for code in areas if code in known}
    default_density = pack.populations.density_per_km2
    if default_density is None:  # only a total: spread what is left evenly over the remaining area
        rest_area = sum(a for code, a in areas.items() if code not in fixed) or 1.0
        default_density = max(pack.populations.total - sum(fixed.values()), 0) / rest_area
    estimate = {code: a * densities.get(code, default_density) for code, a in areas.items() if code not in fixed}
    if pack.populations.total is not None and estimate:
        scale = (pack.populations.total - sum(fixed.values())) / (sum(estimate.values()) or 1.0)
        rounded = {code: round(value * scale) for code, value in estimate.items()}
        largest = max(rounded, key=rounded.__getitem__)
        rounded[largest] += pack.populations.total - sum(fixed.values()) - sum(rounded.values())  # remainder
    else:
        rounded = {code: round(value) for code, value in estimate.items()}
    return {**rounded, **fixed}, set(rounded)


@lru_cache(maxsize=8)
def _districts_of(pack: CityPack) -> tuple[Area, ...]:
    layer = pack.districts
    feats = _features(pack, layer.file)
    geoms = {str(f["properties"][layer.code_field]): shape(f["geometry"]) for f in feats}
    areas = {code: _area_km2(g) for code, g in geoms.items()}
    populations, estimated = _district_populations(pack, areas)
    out = []
    for f in feats:
        p = f["properties"]
        code = str(p[layer.code_field])
        lat, lon = _label_point(p, geoms[code])
        out.append(
            Area(
                code=code,
                name=str(p[layer.name_field]),
                parent_code=None,
                geometry=f["geometry"],
                centroid_lat=lat,
                centroid_lon=lon,
                area_km2=round(areas[code], 3),
                population=populations[code],
                population_estimated=code in estimated,
            )
        )
    return tuple(out)


def districts(pack: CityPack | None = None) -> tuple[Area, ...]:
    """The city's kecamatan with populations (census where the pack has it, else estimated and flagged)."""
    return _districts_of(pack or city_packs.current())


@lru_cache(maxsize=8)
def _district_collection_of(pack: CityPack) -> dict:
    features = [
        {"type": "Feature", "id": d.code, "properties": {"code": d.code, "name": d.name}, "geometry": d.geometry}
        for d in _districts_of(pack)
    ]
    return {"type": "FeatureCollection", "features": features}


def district_collection(pack: CityPack | None = None) -> dict:
    """The kecamatan as one GeoJSON FeatureCollection (feature id and `code` = the Kemendagri code, `name`), the
    shape every map of the city draws; built once per pack."""
    return _district_collection_of(pack or city_packs.current())


@lru_cache(maxsize=8)
def _subdistricts_of(pack: CityPack) -> tuple[Area, ...]:
    layer = pack.subdistricts
    feats = _features(pack, layer.file)
    parents = {d.code: d for d in _districts_of(pack)}
    geoms = [shape(f["geometry"]) for f in feats]
    areas = [_area_km2(g) for g in geoms]
    parent_of = [str(f["properties"][layer.parent_field]) for f in feats]
    parent_area: dict[str, float] = {}
    for parent, a in zip(parent_of, areas, strict=True):
        parent_area[parent] = parent_area.get(parent, 0) + a
    out = []
    for f, g, a, parent in zip(feats, geoms, areas, parent_of, strict=True):
        p = f["properties"]
        lat, lon = _label_point(p, g)
        out.append(
            Area(
                code=str(p[layer.code_field]),
                name=str(p[layer.name_field]),
                parent_code=parent,
                geometry=f["geometry"],
                centroid_lat=lat,
                centroid_lon=lon,
                area_km2=round(a, 3),
                population=round(parents[parent].population * a / parent_area[parent]),
                population_estimated=True,
            )
        )
    return tuple(out)


def subdistricts(pack: CityPack | None = None) -> tuple[Area, ...]:
    """The city's desa/kelurahan; population split from their kecamatan by area share (an estimate)."""
    return _subdistricts_of(pack or city_packs.current())


def city_population(pack: CityPack | None = None) -> int:
    return sum(d.population for d in districts(pack))


class Locator:
    """Finds the kecamatan and desa/kelurahan of many points at once (shapely STRtree, vectorised)."""

    def __init__(self, pack: CityPack | None = None) -> None:
        subs = subdistricts(pack)
        self._codes = np.array([s.code for s in subs], dtype=object)
        self._parents = np.array([s.parent_code for s in subs], dtype=object)
        self._tree = shapely.STRtree([shape(s.geometry) for s in subs])

    def locate(self, lats: np.ndarray, lons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (district_codes, subdistrict_codes) per point; None where the point is outside the city."""
        lats = np.asarray(lats, dtype=float)
        lons = np.asarray(lons, dtype=float)
        district = np.full(len(lats), None, dtype=object)
        sub = np.full(len(lats), None, dtype=object)
        valid = np.isfinite(lats) & np.isfinite(lons)
        idx = np.nonzero(valid)[0]
        if len(idx):
            points = shapely.points(lons[idx], lats[idx])
            point_i, poly_i = self._tree.query(points, predicate="intersects")
            # A point on a shared border matches two polygons; keep the first so each point has one home.
            first = np.unique(point_i, return_index=True)[1]
            point_i, poly_i = point_i[first], poly_i[first]
            sub[idx[point_i]] = self._codes[poly_i]
            district[idx[point_i]] = self._parents[poly_i]
        return district, sub

    def locate_one(self, lat: float | None, lon: float | None) -> tuple[str | None, str | None]:
        if lat is None or lon is None:
            return None, None
        d, s = self.locate(np.array([lat]), np.array([lon]))
        return d[0], s[0]


@lru_cache(maxsize=8)
def _locator_of(pack: CityPack) -> Locator:
    return Locator(pack)


def locator(pack: CityPack | None = None) -> Locator:
    return _locator_of(pack or city_packs.current())


def random_points_in(geometry: dict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n uniformly random (lat, lon) points inside a GeoJSON polygon, by rejection sampling."""
    poly = shape(geometry)
    shapely.prepare(poly)
    minx, miny, maxx, maxy = poly.bounds
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    found = 0
    while found < n:
        want = max(16, int((n - found) * 2.5))
        xs = rng.uniform(minx, maxx, want)
        ys = rng.uniform(miny, maxy, want)
        inside = shapely.contains_xy(poly, xs, ys)
        lons.append(xs[inside])
        lats.append(ys[inside])
        found += int(inside.sum())
    return np.concatenate(lats)[:n], np.concatenate(lons)[:n]


@lru_cache(maxsize=8)
def _outline_of(pack: CityPack) -> shapely.Geometry:
    return shapely.union_all([shape(d.geometry) for d in _districts_of(pack)])


def city_map_view(width_px: int, height_px: int, pack: CityPack | None = None) -> dict:
    """The centre and zoom (MapLibre, 512-px tiles) at which the whole city fills a map of this size: a
    regency many times Tangerang's area gets a lower zoom, never a fixed one."""
    min_lat, min_lon, max_lat, max_lon = city_bounds(pack)
    mid_lat = (min_lat + max_lat) / 2
    lon_span = max(max_lon - min_lon, 1e-3)
    lat_span = max(max_lat - min_lat, 1e-3) / math.cos(math.radians(mid_lat))  # Mercator stretches latitude
    zoom = min(math.log2(width_px * 360 / (lon_span * 512)), math.log2(height_px * 360 / (lat_span * 512)))
    return {"center": {"lat": mid_lat, "lon": (min_lon + max_lon) / 2}, "zoom": round(zoom, 2)}


def city_bounds(pack: CityPack | None = None) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of the city, for fitting maps."""
    minx, miny, maxx, maxy = _outline_of(pack or city_packs.current()).bounds
    return miny, minx, maxy, maxx
