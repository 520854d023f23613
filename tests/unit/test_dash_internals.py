"""The undocumented Dash details the app relies on (callbacks/dash_internals.py) are still there.

When a Dash upgrade moves one, this fails first, saying which, instead of the guard refusing every callback
or the pages router turning up on a first request again.
"""

from __future__ import annotations

import dash.dash

from callbacks import dash_internals
from dashboard.app import create_app
from data.auth import access


def test_the_installed_dash_still_has_every_internal_the_app_uses(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    problems = dash_internals.missing_internals(app)
    assert problems == [], f"Dash {dash.__version__} changed what callbacks/dash_internals.py wraps: {problems}"


def test_the_pages_router_ids_are_dashs_own():
    assert (dash.dash._ID_CONTENT, dash.dash._ID_LOCATION) == (  # noqa: SLF001 - the point of this test
        dash_internals.PAGES_CONTENT_ID,
        dash_internals.PAGES_LOCATION_ID,
    ), f"Dash {dash.__version__} renamed the pages router's ids: update callbacks/dash_internals.py"


def test_the_first_request_setup_is_done_before_any_request(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    assert dash_internals.pages_router_key(app) is not None
    assert app._got_first_request == {"pages": True, "setup_server": True}, (  # noqa: SLF001
        f"Dash {dash.__version__} tracks its first-request set-up differently: check run_first_request_setup"
    )


def test_every_dash_route_the_path_table_opens_is_one_dash_serves(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    served = [rule.rule for rule in app.server.url_map.iter_rules()]
    opened = [p for p in access.PATH_RULES if p.startswith(("/_dash-", "/_reload-hash", "/_favicon"))]
    for prefix in opened:
        assert any(rule == prefix or rule.startswith(prefix) for rule in served), (
            f"Dash {dash.__version__} no longer serves {prefix}: update data/auth/access.py PATH_RULES"
        )
