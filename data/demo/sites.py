"""Where a demo city's river gauges and traffic counters stand: the pack's named sites, else derived from its
boundaries, so any regency's demo has its devices inside its own polygons.

Gauges follow a line through the area (its longer axis, through its middle), as a river crossing a regency
would; counters stand at the centres of the most populous kecamatan, where junctions are busiest.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString, shape
from shapely.ops import nearest_points

from data import geography
from data.city import CityPack, current

Site = tuple[str, float, float]  # name, lat, lon


def _outline(pack: CityPack) -> shapely.Geometry:
    return shapely.union_all([shape(d.geometry) for d in geography.districts(pack)])


def river_line(pack: CityPack) -> LineString:
    """A line across the city through its middle, along its longer side (lon scaled by latitude)."""
    outline = _outline(pack)
    minx, miny, maxx, maxy = outline.bounds
    middle = outline.representative_point()
    stretch = math.cos(math.radians(middle.y))
    if (maxx - minx) * stretch >= maxy - miny:
        return LineString([(minx, middle.y + (maxy - miny) * 0.15), (maxx, middle.y - (maxy - miny) * 0.15)])
    return LineString([(middle.x - (maxx - minx) * 0.15, miny), (middle.x + (maxx - minx) * 0.15, maxy)])


def _name_by_district(pack: CityPack, prefix: str, points: list[tuple[float, float]]) -> list[Site]:
    names = {d.code: d.name for d in geography.districts(pack)}
    codes, _ = geography.locator(pack).locate(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    out: list[Site] = []
    seen: dict[str, int] = {}
    for (lat, lon), code in zip(points, codes, strict=True):
        base = f"{prefix} {names.get(code, pack.short_name)}"
        seen[base] = seen.get(base, 0) + 1
        out.append((base if seen[base] == 1 else f"{base} {seen[base]}", round(lat, 6), round(lon, 6)))
    return out


def river_gauges(n: int, rng: np.random.Generator, pack: CityPack | None = None) -> list[Site]:
    """n gauge sites: the pack's named ones first (repeated with a small offset when more are asked for),
    else evenly along the river line where it runs inside the city."""
    pack = pack or current()
    named = [(s.name, s.lat, s.lon) for s in pack.demo_sites.river_gauges]
    if named:
        return [_repeat(named, i, rng, 0.004) for i in range(n)]
    outline = _outline(pack)
    inside = river_line(pack).intersection(outline)
    points = []
    for i in range(n):
        p = inside.interpolate((i + 0.5) / n, normalized=True)
        if not outline.contains(p):  # the line's inside parts joined: fall back to the nearest point inside
            p = nearest_points(outline.buffer(-1e-4), p)[0]
        points.append((p.y, p.x))
    return _name_by_district(pack, "Pos Duga Air", points)


def traffic_sites(n: int, rng: np.random.Generator, pack: CityPack | None = None) -> list[Site]:
    """n junction sites: the pack's named ones, else the centres of the most populous kecamatan (then near
    them again when more are asked for than there are kecamatan)."""
    pack = pack or current()
    named = [(s.name, s.lat, s.lon) for s in pack.demo_sites.traffic_sites]
    if not named:
        busiest = sorted(geography.districts(pack), key=lambda d: -d.population)
        named = _name_by_district(pack, "Simpang", [(d.centroid_lat, d.centroid_lon) for d in busiest])
    return [_repeat(named, i, rng, 0.01) for i in range(n)]


def _repeat(sites: list[Site], i: int, rng: np.random.Generator, spread: float) -> Site:
    name, lat, lon = sites[i % len(sites)]
    return (name, lat, lon) if i < len(sites) else (name, lat + float(rng.normal(0, spread)), lon)
