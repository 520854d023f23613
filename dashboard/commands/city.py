"""city: make a city pack from boundary files (`city new`) and check one (`city check`).

`city new DIR --subdistricts desa.geojson [--districts kecamatan.geojson] --name NAME --zone ZONE` reads
Kemendagri, BIG RBI (WADMKD/KDEPUM, WADMKC/KDCPUM) or BPS (nmkec/kdkec) layouts, or the fields given;
without a kecamatan file it dissolves the desa on their parent code. Then `CITY=DIR python -m dashboard
serve` runs the room.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from data import geography
from data.city import PackError, load_pack
from data.city.build import Fields, check_pack, new_pack
from data.city.model import ZONES


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("city", help="make a city pack from boundary files, or check one")
    acts = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = acts.add_parser("new", help="write a pack folder (city.yaml + boundaries) from boundary files")
    new.add_argument("dir", type=Path, help="the pack folder to write (empty or new)")
    new.add_argument("--subdistricts", type=Path, required=True, help="desa/kelurahan GeoJSON")
    new.add_argument("--districts", type=Path, default=None, help="kecamatan GeoJSON (else dissolved from desa)")
    new.add_argument("--name", required=True, help="e.g. 'Kabupaten Lumajang'")
    new.add_argument("--zone", required=True, choices=sorted(ZONES), help="the city's time zone")
    new.add_argument("--population", type=int, default=None, help="census total (else estimated from area)")
    for flag, what in (("code", "desa code"), ("name", "desa name"), ("parent", "kecamatan code of a desa"),
                       ("parent-name", "kecamatan name of a desa")):  # fmt: skip
        new.add_argument(f"--{flag}-field", default=None, help=f"property holding the {what} (detected if omitted)")
    chk = acts.add_parser("check", help="validate a pack: geometries, codes, desa in kecamatan, gaps, overlaps")
    chk.add_argument("dir", help="a pack folder or a shipped pack's name")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "new":
        fields = Fields(args.code_field or "", args.name_field or "", args.parent_field, args.parent_name_field)
        folder = new_pack(args.dir, name=args.name, zone=args.zone, subdistricts=args.subdistricts,
                          districts=args.districts, fields=fields, population=args.population)  # fmt: skip
        print(f"wrote {folder / 'city.yaml'}")
        return check(folder)
    return check(args.dir)


def check(where: str | Path) -> int:
    """Print what is wrong with a pack; 0 when usable (warnings allowed), 1 when not."""
    try:
        pack = load_pack(where)
    except PackError as exc:
        print(f"error: {exc}")
        return 1
    report = check_pack(pack)
    for line in report.errors:
        print(f"error: {line}")
    for line in report.warnings:
        print(f"warning: {line}")
    if report.errors:
        print(f"{pack.name}: {len(report.errors)} errors, {len(report.warnings)} warnings; fix the errors first")
        return 1
    d, s = geography.districts(pack), geography.subdistricts(pack)
    area = sum(x.area_km2 for x in d)
    print(
        f"{pack.name} ({pack.code}, {pack.zone.label}): {len(d)} kecamatan, {len(s)} {pack.subdistrict_word}, "
        f"{area:,.1f} km2; {len(report.errors)} errors, {len(report.warnings)} warnings"
    )
    return 0
