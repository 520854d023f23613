"""City packs for tests: a shipped pack copied with some fields changed (its boundary files stay where they are)."""

from __future__ import annotations

from pathlib import Path

import yaml

from data.city import CityPack, load_pack, pack_folder


def write_pack(folder: Path, base: str = "tangerang", **changes: object) -> Path:
    """A pack folder whose city.yaml is `base`'s with `changes` (None deletes a field); files point at `base`'s."""
    source = pack_folder(base)
    doc = yaml.safe_load((source / "city.yaml").read_text(encoding="utf-8"))
    for layer in ("districts", "subdistricts"):
        doc[layer]["file"] = str(source / doc[layer]["file"])
    if doc.get("populations", {}).get("file"):
        doc["populations"]["file"] = str(source / doc["populations"]["file"])
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return folder


def pack_in_zone(folder: Path, zone: str, base: str = "tangerang") -> CityPack:
    """`base` in another time zone (e.g. Asia/Makassar), as a pack of a WITA city would be."""
    return load_pack(write_pack(folder, base, zone=zone))
