"""Reference places (kecamatan, kelurahan) in the store, and the one call that readies a store for use."""

from __future__ import annotations

import json

from sqlalchemy import Engine, insert, text

from data import geography, models
from data.store import init_schema


def prepare_store(engine: Engine) -> None:
    """Migrate the schema and load the city's boundaries if they are missing."""
    init_schema(engine)
    write_places(engine)


def write_places(engine: Engine) -> None:
    """Districts and subdistricts from the real boundaries; safe to call on every start."""
    with engine.begin() as conn:
        if conn.execute(text("SELECT COUNT(*) FROM districts")).scalar():
            return
        conn.execute(
            insert(models.District),
            [
                {
                    "code": d.code,
                    "name": d.name,
                    "population": d.population,
                    "area_km2": d.area_km2,
                    "centroid_lat": d.centroid_lat,
                    "centroid_lon": d.centroid_lon,
                    "geometry": json.dumps(d.geometry),
                    "population_estimated": d.population_estimated,
                }
                for d in geography.districts()
            ],
        )
        conn.execute(
            insert(models.Subdistrict),
            [
                {
                    "code": s.code,
                    "district_code": s.parent_code,
                    "name": s.name,
                    "population": s.population,
                    "area_km2": s.area_km2,
                    "centroid_lat": s.centroid_lat,
                    "centroid_lon": s.centroid_lon,
                    "geometry": json.dumps(s.geometry),
                }
                for s in geography.subdistricts()
            ],
        )
