"""Which permission each page path, HTTP route and Dash callback needs: one table, checked on the server.

Pages and callbacks are matched by prefix (longest first). A callback is matched by its output ids
(for pattern-matching ids, the dict's "type"); an output nobody listed needs `admin`, so a new page is
closed until its rule is added here (tests/unit/test_auth_rules.py fails for such an app).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

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

# Component id prefix (before the first '-') -> permission, for Dash callbacks.
CALLBACK_RULES: dict[str, str] = {
    "login": PUBLIC,
    "wall": "wall",
    "url": "wall",
    "leader": "leader",
    "briefing": "leader",
    "analyst": "analyst",
    "ops": "ops",
    "fed": "wall",
    "fedleader": "leader",
    "admin": "admin",
}
UNKNOWN_CALLBACK_PERMISSION = "admin"
# Fields where a page asks "who are you" for an audit trail: for a logged-in person the server fills in
# their account name, so a typed name can never stand in for the accountable one.
ACTOR_FIELDS = frozenset({("ops-operator", "value")})
PAGES_CONTENT_PREFIX = "_pages"


def id_key(component_id: object) -> str:
    """A hashable key for any component id: pattern-matching ids arrive as (unhashable) dicts."""
    if isinstance(component_id, str):
        return component_id
    try:
        return json.dumps(component_id, sort_keys=True)
    except (TypeError, ValueError):
        return repr(component_id)


ACTOR_KEYS = frozenset((id_key(cid), prop) for cid, prop in ACTOR_FIELDS)


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


def id_prefix(component_id: object) -> str:
    """'wall-kpis' -> 'wall'; {'type': 'ops-ack', 'index': 3} -> 'ops'."""
    if isinstance(component_id, Mapping):
        component_id = component_id.get("type", "")
    text = str(component_id)
    return text.split("-", 1)[0] if "-" in text else text


def output_permission(component_id: object) -> str:
    prefix = id_prefix(component_id)
    if prefix.startswith(PAGES_CONTENT_PREFIX):
        return PUBLIC  # the page router: decided by the page path it renders (see callback_permissions)
    return CALLBACK_RULES.get(prefix, UNKNOWN_CALLBACK_PERMISSION)


def callback_permissions(output_key: str, registered_inputs: Sequence[Mapping], body_inputs: object) -> set[str]:
    """Every permission a request for the callback registered under `output_key` needs: one per output id of
    that key, plus the page it renders. Dash finds the function by this key and passes inputs by position,
    whatever ids the body names, so the page is the value at the position of the registered
    `_pages_location.pathname` input; ids in the body decide nothing. A path that is not text: ValueError."""
    outputs = parse_output_ids({"output": output_key})
    needed = {output_permission(o) for o in outputs} or {UNKNOWN_CALLBACK_PERMISSION}
    items = body_inputs if isinstance(body_inputs, list) else []
    for position, dep in enumerate(registered_inputs):
        if (dep.get("id"), dep.get("property")) != ("_pages_location", "pathname"):
            continue
        item = items[position] if position < len(items) else None
        value = item.get("value") if isinstance(item, Mapping) else None
        if value is not None and not isinstance(value, str):
            raise ValueError("the page path is not text")  # nothing a browser sends; Dash's router would crash
        needed.add(path_permission(value or "/"))
    needed.discard(PUBLIC)
    return needed


def parse_output_ids(body: Mapping) -> list[object]:
    """The output component ids of a /_dash-update-component request body (single, multi or pattern)."""
    outputs = body.get("outputs") if isinstance(body, Mapping) else None
    items: list = []
    if isinstance(outputs, Mapping):
        items = [outputs]
    elif isinstance(outputs, list):
        for o in outputs:
            items.extend(o if isinstance(o, list) else [o])
    ids: list[object] = [o.get("id") for o in items if isinstance(o, Mapping)]
    if not ids and isinstance(body, Mapping):
        raw = str(body.get("output", ""))
        ids = [_id_of(part.rsplit(".", 1)[0]) for part in raw.strip(".").split("...") if part]
    return ids


def _id_of(text: str) -> object:
    """A component id as Dash writes it in an output string: plain text, or JSON for pattern-matching ids."""
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def stamp_actor(body: Mapping, registered: Mapping, name: str) -> int:
    """Put `name` into every actor field of a callback body (in place), found at the positions where the
    registered callback has one (Dash reads by position); returns how many were set."""
    stamped = 0
    for key in ("inputs", "state"):
        items = body.get(key)
        for position, dep in enumerate(registered.get(key) or ()):
            if (id_key(dep.get("id")), dep.get("property")) not in ACTOR_KEYS:
                continue
            if isinstance(items, list) and position < len(items) and isinstance(items[position], dict):
                items[position]["value"] = name
                stamped += 1
    return stamped
