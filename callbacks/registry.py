"""Each server callback says who may run it where it is registered; the guard checks that, and nothing else.

`guarded_callback(app, "ops", Output(...), Input(...), ...)(function)` is `app.callback(...)(function)` plus the
permission (one of data.auth.roles' permissions, or PUBLIC) recorded under the output key Dash will dispatch
by. The table belongs to the app (its Flask server's extensions), so two apps in one process keep their own.
The pages router, which Dash registers itself, is declared PAGE_PATH: the page it renders decides.
dashboard/auth.py refuses any callback request whose key declares nothing; tests/unit/test_callback_permissions.py
lists every registered callback with its permission.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash

from callbacks import dash_internals
from data.auth.access import PUBLIC, page_path_at, path_permission
from data.auth.roles import ALL_PERMISSIONS

PERMISSIONS_KEY = "callback_permissions"
PAGE_PATH = "<page path>"  # the pages router: needs what the path it renders needs (data.auth.access.path_permission)


def _table(app: Dash) -> dict[str, str]:
    return app.server.extensions.setdefault(PERMISSIONS_KEY, {})


def guarded_callback(app: Dash, permission: str, *args: object, **kwargs: object) -> Callable[[Callable], Callable]:
    """`app.callback(*args, **kwargs)` whose requests need `permission`; an unknown permission fails at start."""
    if permission not in ALL_PERMISSIONS | {PUBLIC}:
        raise ValueError(f"unknown permission {permission!r}: choose one of {', '.join(sorted(ALL_PERMISSIONS))}")

    def register(function: Callable) -> Callable:
        with dash_internals.new_callback_keys(app) as added:
            wrapped = app.callback(*args, **kwargs)(function)
        if len(added) != 1:
            raise ValueError(f"{function.__name__}: expected one new callback, Dash registered {added}")
        _table(app)[added[0]] = permission
        return wrapped

    return register


def declare_pages_router(app: Dash) -> None:
    """The router Dash adds on its first-request set-up renders whichever page the path names: PAGE_PATH."""
    key = dash_internals.pages_router_key(app)
    if key is not None:
        _table(app)[key] = PAGE_PATH


def permission_of(app: Dash, output_key: str) -> str | None:
    """The permission declared for the callback Dash dispatches by `output_key` (None: nothing declared)."""
    return _table(app).get(output_key)


def required_permission(app: Dash, output_key: str, body_inputs: object) -> str | None:
    """What a request for the callback under `output_key` needs: its declared permission, or for the pages
    router the permission of the page path it renders (read where Dash reads it: the registered pathname
    input's position). None when nothing is declared; ValueError when the path is not text."""
    declared = permission_of(app, output_key)
    if declared != PAGE_PATH:
        return declared
    position = dash_internals.input_position(app, output_key, *dash_internals.PAGES_PATH_INPUT)
    if position is None:
        return None
    return path_permission(page_path_at(body_inputs, position))


def declared_permissions(app: Dash) -> dict[str, str]:
    """Output key -> permission for every callback declared on `app` (a copy)."""
    return dict(_table(app))
