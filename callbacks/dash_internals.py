"""Every undocumented Dash detail the app relies on, in one place, so a Dash upgrade breaks here and nowhere else.

Dash documents `app.callback` and the pages API, but not the callback map it dispatches from, the hooks that
finish its set-up on the first request, the pages router's component ids or the callback request's address.
The guard (dashboard/auth.py), the permission registry (callbacks/registry.py), create_app and the tests reach
those only through this module; `tests/unit/test_dash_internals.py` fails, naming what moved, when the installed
Dash no longer has one of them. It lives in callbacks/ (not dashboard/) because the registry, below dashboard in
the import order, needs it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from dash import Dash

# The callback request's address and the pages router's ids (dash/dash.py: _ID_CONTENT, _ID_LOCATION).
UPDATE_COMPONENT_PATH = "/_dash-update-component"
PAGES_CONTENT_ID = "_pages_content"
PAGES_LOCATION_ID = "_pages_location"
PAGES_PATH_INPUT = (PAGES_LOCATION_ID, "pathname")


def callback_specs(app: Dash) -> Mapping[str, Mapping]:
    """The app's callbacks by the output key a request names (Dash's `callback_map`): a spec holds the
    registered `inputs` and `state` ({"id", "property"} dicts, in the order Dash passes them) and, for a
    callback the server runs, its `callback` function."""
    return app.callback_map


def server_callback_keys(app: Dash) -> list[str]:
    """Output keys of the callbacks the server runs (clientside ones have no function here)."""
    return [key for key, spec in callback_specs(app).items() if "callback" in spec]


def registered_inputs(app: Dash, output_key: str) -> list[Mapping] | None:
    """The registered inputs of the callback under `output_key`, or None when no callback has that key."""
    spec = callback_specs(app).get(output_key)
    return None if spec is None else list(spec.get("inputs") or ())


def input_position(app: Dash, output_key: str, component_id: str, prop: str) -> int | None:
    """Where the input (`component_id`, `prop`) sits among the callback's registered inputs: Dash passes
    inputs by position, whatever ids a request body names."""
    for position, dep in enumerate(registered_inputs(app, output_key) or ()):
        if (dep.get("id"), dep.get("property")) == (component_id, prop):
            return position
    return None


@contextmanager
def new_callback_keys(app: Dash) -> Iterator[list[str]]:
    """The output keys registered inside the `with` block (filled in when it ends)."""
    before = set(callback_specs(app))
    added: list[str] = []
    yield added
    added.extend(key for key in callback_specs(app) if key not in before)


def pages_router_key(app: Dash) -> str | None:
    """The output key of the pages router (renders the page for `_pages_location.pathname`), once set up."""
    content = f"{PAGES_CONTENT_ID}.children"
    for key in server_callback_keys(app):
        if content in key.strip(".").split("..."):
            return key
    return None


def first_request_hooks(app: Dash) -> list[Callable[[], object]]:
    """Dash's own before_request hooks: they finish its set-up (copy global callbacks into the map, add the
    pages router) on the first request, each marking itself done."""
    return [f for f in app.server.before_request_funcs.get(None, []) if f.__module__.startswith("dash.")]


def run_first_request_setup(app: Dash) -> None:
    """Run Dash's first-request set-up now, before any server thread exists.

    Those hooks are not thread-safe: two first requests at once, as a gunicorn worker gets from a wall of
    screens, crash one ("dictionary changed size during iteration"). Nothing is dispatched, so the guard
    learns nothing and the app can still be extended."""
    with app.server.test_request_context("/"):
        for hook in first_request_hooks(app):
            hook()


def missing_internals(app: Dash) -> list[str]:
    """What this module relies on that `app` (after run_first_request_setup) does not have; empty when all is
    as expected. Each entry says what changed, for the test that guards Dash upgrades."""
    problems = []
    if not isinstance(getattr(app, "callback_map", None), dict):
        return ["Dash.callback_map (output key -> callback spec) is gone"]
    specs = callback_specs(app)
    if not specs:
        problems.append("Dash.callback_map is empty after registering callbacks")
    for key, spec in specs.items():
        if not isinstance(spec.get("inputs"), list) or not all({"id", "property"} <= set(d) for d in spec["inputs"]):
            problems.append(f"callback_map[{key!r}]['inputs'] is no longer a list of {{id, property}} dicts")
            break
    if not server_callback_keys(app):
        problems.append("no callback_map spec carries its server function under 'callback'")
    if not first_request_hooks(app):
        problems.append("Dash registers no before_request hooks on app.server (first-request set-up moved)")
    router = pages_router_key(app)
    if router is None:
        problems.append(f"no pages router renders {PAGES_CONTENT_ID}.children after the first-request set-up")
    elif input_position(app, router, *PAGES_PATH_INPUT) is None:
        problems.append(f"the pages router no longer reads {'.'.join(PAGES_PATH_INPUT)}")
    if not any(rule.rule == UPDATE_COMPONENT_PATH for rule in app.server.url_map.iter_rules()):
        problems.append(f"Dash no longer serves callbacks at {UPDATE_COMPONENT_PATH}")
    return problems
