"""Every callback and page of the real app is covered by a rule in data/auth/access.py.

An output id nobody listed would need `admin` (closed by default); this test names it, so whoever adds a
page also decides who may use it.
"""

from __future__ import annotations

import dash

from dashboard.app import create_app
from data.auth import access


def test_every_callback_output_has_an_access_rule(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    assert deps
    unruled = set()
    for dep in deps:
        for component_id in access.parse_output_ids({"output": dep["output"]}):
            prefix = access.id_prefix(component_id)
            if not prefix.startswith(access.PAGES_CONTENT_PREFIX) and prefix not in access.CALLBACK_RULES:
                unruled.add(prefix)
    assert unruled == set(), f"add these id prefixes to CALLBACK_RULES: {sorted(unruled)}"


def test_every_page_path_has_an_access_rule(sqlite_engine, settings_for):
    create_app(settings_for(str(sqlite_engine.url)))
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        if path in ("/", "/login"):
            continue
        prefix = "/" + path.strip("/").split("/", 1)[0]
        assert any(prefix == p.rstrip("/") or prefix.startswith(p) for p in access.PATH_RULES), path
