"""Every runtime requirement is used by the product, and test-only packages stay out of the runtime list."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ("dashboard", "data", "layouts", "callbacks")
# Distribution name -> the module the product imports (where they differ).
MODULE_OF = {
    "dash-bootstrap-components": "dash_bootstrap_components",
    "dash-ag-grid": "dash_ag_grid",
    "paho-mqtt": "paho",
    "PyYAML": "yaml",
    "XlsxWriter": "xlsxwriter",
    "Pillow": "PIL",
}
# Used by name rather than by import: the production server runs gunicorn.conf.py; SQLAlchemy loads psycopg
# from a postgresql+psycopg:// DATABASE_URL.
USED_WITHOUT_IMPORT = {"gunicorn", "psycopg"}


def _requirements(name: str) -> list[str]:
    names = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0])
    return names


def _product_source() -> str:
    return "\n".join(p.read_text() for d in PRODUCT_DIRS for p in (ROOT / d).rglob("*.py"))


def test_every_runtime_requirement_is_imported_by_the_product():
    source = _product_source()
    unused = []
    for dist in _requirements("requirements.txt"):
        if dist in USED_WITHOUT_IMPORT:
            continue
        module = MODULE_OF.get(dist, dist.replace("-", "_").lower())
        if not re.search(rf"^\s*(import|from) {re.escape(module)}\b", source, re.MULTILINE):
            unused.append(dist)
    assert unused == [], f"runtime requirements the product never imports (move to requirements-dev.txt): {unused}"


def test_test_only_packages_are_not_runtime_requirements():
    runtime = set(_requirements("requirements.txt"))
    assert not runtime & {"pypdf", "pytest", "hypothesis", "ruff", "selenium", "schemathesis"}


def test_every_requirement_is_pinned_in_the_constraints_the_install_uses():
    pins = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    wanted = {
        n.lower().replace("_", "-") for n in _requirements("requirements.txt") + _requirements("requirements-dev.txt")
    }
    assert wanted - pins == set(), "run `make lock` after changing requirements"
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()
