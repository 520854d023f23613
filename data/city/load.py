"""Reading a city pack: `CITY` names a shipped pack (`tangerang`) or a folder; errors say file, field and reason.

Shipped packs live in `packs/<name>/` at the project root, each a `city.yaml` beside its boundary files,
their licence and SOURCE notes. Catalogue sections a pack leaves out come from `data/config/catalogue.yaml`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from data.city.model import CityPack

if TYPE_CHECKING:
    from data.federation.config import FederationPack

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKS_DIR = PROJECT_ROOT / "packs"
DEFAULT_CATALOGUE = PROJECT_ROOT / "data" / "config" / "catalogue.yaml"
DEFAULT_CITY = "tangerang"
CATALOGUE_SECTIONS = ("categories", "agencies", "channels", "sensor_kinds")
FEDERATION_KINDS = ("provinsi", "nasional")  # rooms over rooms: members, not boundaries


class PackError(ValueError):
    """A pack that cannot be used: each problem as 'file: field: reason'."""

    def __init__(self, file: Path, problems: list[str]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(f"{file}: {p}" for p in problems))


def shipped_packs() -> tuple[str, ...]:
    return tuple(sorted(p.parent.name for p in PACKS_DIR.glob("*/city.yaml")))


def pack_folder(city: str | Path) -> Path:
    """The folder a `CITY` value names: a shipped pack's name, a folder, or a city.yaml file."""
    raw = str(city).strip() or DEFAULT_CITY
    path = Path(raw).expanduser()
    if path.name == "city.yaml":
        path = path.parent
    if (path / "city.yaml").is_file():
        return path.resolve()
    if "/" not in raw and (PACKS_DIR / raw / "city.yaml").is_file():
        return (PACKS_DIR / raw).resolve()
    raise PackError(
        path / "city.yaml",
        [f"no city pack here; CITY is a folder holding city.yaml or a shipped pack ({', '.join(shipped_packs())})"],
    )


def _read_yaml(path: Path) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    except yaml.YAMLError as exc:
        raise PackError(path, [f"is not valid YAML: {exc}"]) from None
    if not isinstance(doc, dict):
        raise PackError(path, ["must be a mapping of fields (name, short_name, kind, ...)"])
    return doc


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _resolve_catalogue(doc: dict, folder: Path) -> dict:
    """The pack's catalogue: its own sections (inline or in a file it names) over the default catalogue's."""
    own = doc.get("catalogue") or {}
    if isinstance(own, str):
        own = _read_yaml(folder / own)
    if not isinstance(own, dict):
        raise PackError(folder / "city.yaml", ["catalogue: must be a mapping or the name of a YAML file"])
    default = _read_yaml(DEFAULT_CATALOGUE)
    merged = {key: own.get(key, default.get(key, ())) for key in CATALOGUE_SECTIONS}
    for key, value in own.items():
        if key not in CATALOGUE_SECTIONS:
            merged[key] = value
    return merged


def load_pack(city: str | Path = DEFAULT_CITY) -> CityPack | FederationPack:
    """Read and validate a pack; raises PackError naming the file, the field and the reason."""
    folder = pack_folder(city)
    path = folder / "city.yaml"
    doc = _read_yaml(path)
    if doc.get("kind") in FEDERATION_KINDS:
        return _federation_pack(doc, folder, path)
    doc["catalogue"] = _resolve_catalogue(doc, folder)
    doc["folder"] = folder
    try:
        pack = CityPack.model_validate(doc)
    except ValidationError as exc:
        problems = [f"{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise PackError(path, problems) from None
    missing = [
        f"{field}: file {name!r} not found in {folder}"
        for field, name in (
            ("districts.file", pack.districts.file),
            ("subdistricts.file", pack.subdistricts.file),
            ("populations.file", pack.populations.file),
            ("catalogue.targets_file", pack.catalogue.targets_file),
            ("catalogue.alert_rules_file", pack.catalogue.alert_rules_file),
        )
        if name and not pack.path(name).is_file()
    ]
    if missing:
        raise PackError(path, missing)
    return pack


def _federation_pack(doc: dict, folder: Path, path: Path) -> FederationPack:
    """A provincial or national room: its members instead of boundaries and a catalogue."""
    from data.federation.config import FederationPack

    try:
        return FederationPack.model_validate({**doc, "folder": folder})
    except ValidationError as exc:
        raise PackError(path, [f"{_field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]) from None


@lru_cache(maxsize=16)
def cached_pack(city: str) -> CityPack:
    """`load_pack` once per process and `CITY` value (packs are read-only while the app runs)."""
    return load_pack(city)
