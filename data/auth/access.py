"""Which permission each page path and HTTP route needs: one table, checked on the server.

Paths are matched by prefix (longest first). Dash callbacks declare their own permission where they are
registered (callbacks/registry.py); the pages router's requests need what the page path they render needs,
read here from the position of the router's pathname input.
"""

from __future__ import annotations

from collections.abc import Mapping

PUBLIC = ""  # anyone, logged in or not

# Path prefix -> permission. "/" alone is the home page (the wall).
PATH_RULES: dict[str, str] = {
    "/login": PUBLIC,
    "/auth/": PUBLIC,
    "/assets/": PUBLIC,
    "/_dash-component-suites/": PUBLIC,
    "/_dash-layout": PUBLIC,
    "/_dash-dependencies": PUBLIC,
    "/_reload-hash": PUBLIC,
    "/_favicon.ico": PUBLIC,
    "/favicon.ico": PUBLIC,
    "/_trust/": PUBLIC,
    "/api/health": PUBLIC,
    "/api/openapi.json": PUBLIC,
    "/api/v1/": "ingest",  # bearer ingest tokens, checked by dashboard.api_auth.check_ingest_token
    "/open311/": "leader",
    "/sta/": "wall",  # SensorThings read API: what the wall shows; or a token scoped 'sensorthings'
    "/wall": "wall",
    "/cctv/": "wall",
    "/maps/": "wall",
    "/leader": "leader",
    "/briefing": "leader",
    "/analyst": "analyst",
    "/analyst/export": "export",
    "/export": "export",
    "/exports": "export",
    "/ops": "ops",
    "/federation": "wall",  # a federation room's wall: aggregates of member rooms only
    "/federation/leader": "leader",
    "/federation/export": "export",
    "/admin": "admin",
}
HOME_PERMISSION = "wall"
UNKNOWN_PATH_PERMISSION = "wall"  # a 404 page still needs someone who is allowed in


def path_permission(path: str) -> str:
    """The permission a request path needs ('' for public)."""
    if path in ("", "/"):
        return HOME_PERMISSION
    best = None
    for prefix in PATH_RULES:
        if path == prefix.rstrip("/") or path.startswith(prefix):
            if best is None or len(prefix) > len(best):
                best = prefix
    return PATH_RULES[best] if best is not None else UNKNOWN_PATH_PERMISSION


def page_path_at(body_inputs: object, position: int) -> str:
    """The page path a pages-router request renders: the value at `position`, where the router's registered
    pathname input sits (Dash passes inputs by position, whatever ids the body names); '/' when empty.
    A value that is not text raises ValueError (nothing a browser sends; Dash's router would crash)."""
    items = body_inputs if isinstance(body_inputs, list) else []
    item = items[position] if 0 <= position < len(items) else None
    value = item.get("value") if isinstance(item, Mapping) else None
    if value is not None and not isinstance(value, str):
        raise ValueError("the page path is not text")
    return value or "/"
