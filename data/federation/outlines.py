"""Members' outlines for the federation map: kabupaten/kota (codes like 35.08) or provinces (35), from the
simplified national outlines shipped in packs/indonesia (about 1 km precise: for overview maps only).

Cached with `lru_cache`: pure functions of shipped files and member codes, which never change while the
process runs (no database, so nothing for the version-keyed cache to track)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import shape

OUTLINES_DIR = Path(__file__).resolve().parents[2] / "packs" / "indonesia"
FILES = {"kabkota": "indonesia_kabkota.geojson", "provinsi": "indonesia_provinsi.geojson"}


@lru_cache(maxsize=2)
def _features(level: str) -> dict[str, dict]:
    with open(OUTLINES_DIR / FILES[level], encoding="utf-8") as fh:
        return {f["properties"]["code"]: f for f in json.load(fh)["features"]}


def level_of(code: str) -> str:
    return "kabkota" if "." in code else "provinsi"


@lru_cache(maxsize=8)
def member_outlines(codes: tuple[str, ...]) -> dict:
    """A FeatureCollection of the members' outlines (id = Kemendagri code); unknown codes are left out."""
    features = []
    for code in codes:
        feature = _features(level_of(code)).get(code)
        if feature is not None:
            features.append({"type": "Feature", "id": code, "properties": feature["properties"],
                             "geometry": feature["geometry"]})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=8)
def context_outlines(codes: tuple[str, ...]) -> dict:
    """The provinces the members lie in, drawn faintly behind them so a map of a few regencies has a place."""
    provinces = sorted({code.split(".")[0] for code in codes})
    found = [_features("provinsi").get(p) for p in provinces]
    return {"type": "FeatureCollection", "features": [f for f in found if f is not None]}


@lru_cache(maxsize=8)
def member_bounds(codes: tuple[str, ...]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of the members' outlines, or None when none is known."""
    geoms = [shape(f["geometry"]) for f in member_outlines(codes)["features"]]
    if not geoms:
        return None
    return tuple(float(v) for v in shapely.total_bounds(geoms))  # type: ignore[return-value]
