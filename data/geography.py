"""Kota Tangerang's kecamatan and kelurahan: boundaries, populations, and which polygon holds a point."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

GEO_DIR = Path(__file__).resolve().parent / "geo" / "tangerang"

# 2020 census figures we know (SOURCE.md); the rest are estimated from area and density, and flagged.
CITY_POPULATION_2020 = 1_895_486
KNOWN_POPULATION_2020 = {"Cipondoh": 248_210, "Benda": 83_530}
KNOWN_DENSITY_PER_KM2 = {"Ciledug": 18_717, "Jatiuwung": 7_082}
CITY_DENSITY_PER_KM2 = 11_519
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Area:
    """A kecamatan or kelurahan as loaded from the boundary files."""

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


def _features(filename: str) -> list[dict]:
    with open(GEO_DIR / filename, encoding="utf-8") as fh:
        return json.load(fh)["features"]


@lru_cache(maxsize=1)
def districts() -> tuple[Area, ...]:
    """The 13 kecamatan with 2020 populations (known where published, else estimated and flagged)."""
    feats = _features("tangerang_kecamatan.geojson")
    areas = {f["properties"]["code"]: _area_km2(shape(f["geometry"])) for f in feats}
    estimate: dict[str, float] = {}
    fixed: dict[str, int] = {}
    for f in feats:
        code, name = f["properties"]["code"], f["properties"]["name"]
        if name in KNOWN_POPULATION_2020:
            fixed[code] = KNOWN_POPULATION_2020[name]
        else:
            estimate[code] = areas[code] * KNOWN_DENSITY_PER_KM2.get(name, CITY_DENSITY_PER_KM2)
    scale = (CITY_POPULATION_2020 - sum(fixed.values())) / sum(estimate.values())
    rounded = {code: round(value * scale) for code, value in estimate.items()}
    largest = max(rounded, key=rounded.__getitem__)
    rounded[largest] += CITY_POPULATION_2020 - sum(fixed.values()) - sum(rounded.values())  # rounding remainder
    out = []
    for f in feats:
        p = f["properties"]
        code = p["code"]
        population = fixed.get(code) or rounded[code]
        out.append(
            Area(
                code=code,
                name=p["name"],
                parent_code=None,
                geometry=f["geometry"],
                centroid_lat=p["centroid_lat"],
                centroid_lon=p["centroid_lng"],
                area_km2=round(areas[code], 3),
                population=population,
                population_estimated=code not in fixed,
            )
        )
    return tuple(out)


@lru_cache(maxsize=1)
def subdistricts() -> tuple[Area, ...]:
    """The 104 kelurahan; population split from their kecamatan by area share (an estimate)."""
    feats = _features("tangerang_kelurahan.geojson")
    parents = {d.code: d for d in districts()}
    areas = [_area_km2(shape(f["geometry"])) for f in feats]
    parent_area: dict[str, float] = {}
    for f, a in zip(feats, areas, strict=True):
        parent_area[f["properties"]["kecamatan_code"]] = parent_area.get(f["properties"]["kecamatan_code"], 0) + a
    out = []
    for f, a in zip(feats, areas, strict=True):
        p = f["properties"]
        parent = parents[p["kecamatan_code"]]
        out.append(
            Area(
                code=p["code"],
                name=p["name"],
                parent_code=p["kecamatan_code"],
                geometry=f["geometry"],
                centroid_lat=p["centroid_lat"],
                centroid_lon=p["centroid_lng"],
                area_km2=round(a, 3),
                population=round(parent.population * a / parent_area[p["kecamatan_code"]]),
                population_estimated=True,
            )
        )
    return tuple(out)


class Locator:
    """Finds the kecamatan and kelurahan of many points at once (shapely STRtree, vectorised)."""

    def __init__(self) -> None:
        subs = subdistricts()
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


@lru_cache(maxsize=1)
def locator() -> Locator:
    return Locator()


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


def city_bounds() -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of the city, for fitting maps."""
    geoms = [shape(d.geometry) for d in districts()]
    minx, miny, maxx, maxy = shapely.union_all(geoms).bounds
    return miny, minx, maxy, maxx
