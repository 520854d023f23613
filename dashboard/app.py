"""The app factory: settings in, a Dash app (with its Flask routes) out."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack

import dash
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from flask import g

from callbacks import analyst as analyst_callbacks
from callbacks import briefing as briefing_callbacks
from callbacks import dash_internals, registry
from callbacks import leader as leader_callbacks
from callbacks import ops as ops_callbacks
from callbacks import wall as wall_callbacks
from callbacks import wall_cctv as wall_cctv_callbacks
from callbacks import wall_services as wall_services_callbacks
from callbacks.context import RUNTIME_KEY
from dashboard import api, auth, cctv, federation_app, security
from dashboard.runtime import Runtime
from dashboard.settings import PROJECT_ROOT, Settings
from data.city import using as using_city
from data.places import prepare_store
from data.store import init_schema, make_engine
from layouts import analyst, briefing, ids, leader, ops, wall
from layouts.i18n import t
from layouts.offline_assets import BOOTSTRAP_CSS, BOOTSTRAP_ICONS_CSS, DASH_ASSETS_PATH_IGNORE, INTER_CSS

PAGES = (
    ("wall", "/wall", wall.layout),
    ("wall_screen", "/wall/<screen>", wall.screen_layout),
    ("leader", "/leader", leader.layout),
    ("leader_district", "/leader/district/<code>", leader.district_layout),
    ("leader_agency", "/leader/agency/<code>", leader.agency_layout),
    ("analyst", "/analyst", analyst.layout),
    ("briefing", "/briefing", briefing.layout),
    ("ops", "/ops", ops.layout),
)


def create_app(settings: Settings | None = None, *, bind: Sequence[str] | None = None) -> Dash:
    """Build the app for `settings` (from the environment when omitted); migrates the schema first.

    `bind` is where the server listens (default: the settings' HOST, as `serve` binds it); the WSGI entry
    passes exposure.PENDING (gunicorn.conf.py's hooks declare the listeners) or exposure.UNKNOWN."""
    settings = settings or Settings.from_env()
    pack = settings.pack()  # the app's own city: entered per request and by its threads, never process-wide
    engine = make_engine(settings.database_url)
    federated = federation_app.is_federation(pack)
    if federated:
        init_schema(engine)  # a room over rooms keeps its members' summaries, no city of its own
    else:
        with using_city(pack):
            prepare_store(engine, pack)
    runtime = Runtime(settings=settings, engine=engine, city=pack)  # with the city's alert rules and calendar

    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(PROJECT_ROOT / "assets"),
        assets_path_ignore=DASH_ASSETS_PATH_IGNORE,
        external_stylesheets=[BOOTSTRAP_CSS, BOOTSTRAP_ICONS_CSS, INTER_CSS],
        suppress_callback_exceptions=True,
        serve_locally=True,
        title=t("app_title", settings.default_lang),
        update_title=None,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.server.extensions[RUNTIME_KEY] = runtime
    _serve_city_per_request(app, runtime)
    app.server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes

    app.layout = html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), dash.page_container], id="app-root")
    if federated:
        federation_app.register(app)
    else:
        _register_city_pages(app)
    security.init_app(app, settings)
    # Refuses unsafe starts; login/admin pages; checks every request.
    auth.init_app(app, runtime, (settings.host,) if bind is None else bind)
    _ = dbc  # dash-bootstrap-components' JS bundle is registered by importing it
    dash_internals.run_first_request_setup(app)  # not thread-safe on a first request: done once, here
    registry.declare_pages_router(app)  # the router Dash just added: the page it renders decides
    return app


def _register_city_pages(app: Dash) -> None:
    """A city's room: the wall, leader, analyst, ops and estate pages, their callbacks and the city's APIs."""
    for name, path, layout in PAGES:
        if "<" in path:
            dash.register_page(name, path_template=path, layout=layout, title=t("app_title", "id"))
        else:
            dash.register_page(name, path=path, layout=layout, title=t("app_title", "id"))
    dash.register_page("home", path="/", layout=wall.layout, title=t("app_title", "id"))
    for module in (wall_callbacks, leader_callbacks, analyst_callbacks, ops_callbacks):
        module.register(app)
    for module in (wall_services_callbacks, wall_cctv_callbacks, briefing_callbacks):  # digital estate
        module.register(app)
    api.register(app.server)
    cctv.register(app.server)


def _serve_city_per_request(app: Dash, runtime: Runtime) -> None:
    """Each request of this app sees its own city and that city's rules (alert rules, SLA calendar), even
    beside another app (another city) in one process."""

    @app.server.before_request
    def _enter_city() -> None:
        g.city_scope = ExitStack()
        g.city_scope.enter_context(runtime.serving())

    @app.server.teardown_request
    def _leave_city(_exc: BaseException | None) -> None:
        scope = g.pop("city_scope", None)
        if scope is not None:
            scope.close()
