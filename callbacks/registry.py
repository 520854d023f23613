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
from data.auth.access import PUBLIC
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


def declared_permissions(app: Dash) -> dict[str, str]:
    """Output key -> permission for every callback declared on `app` (a copy)."""
    return dict(_table(app))
