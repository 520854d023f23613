"""Reference places (kecamatan, kelurahan) in the store, and the one call that readies a store for use."""

from __future__ import annotations

import json

from sqlalchemy import Engine, insert, text

from data import city as city_packs
from data import geography, models
from data.city import CityPack
from data.store import init_schema


class StoreOfAnotherCityError(ValueError):
    """The store already holds another city's kecamatan: one room, one city, one store."""


def prepare_store(engine: Engine, pack: CityPack | None = None) -> None:
    """Migrate the schema and load the city's boundaries if they are missing."""
    init_schema(engine)
    write_places(engine, pack)


def write_places(engine: Engine, pack: CityPack | None = None) -> None:
    """Districts and subdistricts from the pack's boundaries; safe to call on every start. A store that
    already holds another city's kecamatan is refused rather than mixed."""
    pack = pack or city_packs.current()
    with engine.begin() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT code FROM districts"))}
        if stored:
            wanted = {d.code for d in geography.districts(pack)}
            if stored != wanted:
                raise StoreOfAnotherCityError(
                    f"{engine.url.render_as_string(hide_password=True)} holds {len(stored)} kecamatan of another "
                    f"city (e.g. {sorted(stored)[0]}), not {pack.name}'s {len(wanted)} ({pack.code}.*): give this "
                    "city its own DATABASE_URL"
                )
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
                for d in geography.districts(pack)
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
                for s in geography.subdistricts(pack)
            ],
        )
