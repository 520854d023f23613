"""Every page of the real app is covered by a path rule in data/auth/access.py, so whoever adds a page also
decides who may open it (callbacks declare theirs where they are registered: test_callback_permissions.py)."""

from __future__ import annotations

import dash

from dashboard.app import create_app
from data.auth import access


def test_every_page_path_has_an_access_rule(sqlite_engine, settings_for):
    create_app(settings_for(str(sqlite_engine.url)))
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        if path in ("/", "/login"):
            continue
        prefix = "/" + path.strip("/").split("/", 1)[0]
        assert any(prefix == p.rstrip("/") or prefix.startswith(p) for p in access.PATH_RULES), path
