"""The city as configuration: a pack folder (city.yaml + boundary files) read into a typed model."""

from data.city.active import activate, catalogue, current, enter, leave, using, zone
from data.city.load import DEFAULT_CITY, PACKS_DIR, PackError, load_pack, pack_folder, shipped_packs
from data.city.model import Catalogue, Category, CityPack, CityZone, SensorKind

__all__ = [
    "DEFAULT_CITY",
    "PACKS_DIR",
    "Catalogue",
    "Category",
    "CityPack",
    "CityZone",
    "PackError",
    "SensorKind",
    "activate",
    "catalogue",
    "current",
    "enter",
    "leave",
    "load_pack",
    "pack_folder",
    "shipped_packs",
    "using",
    "zone",
]
