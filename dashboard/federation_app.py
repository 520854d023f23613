"""What a federation room serves instead of a city's pages: its wall, its leaders' comparison, the assessment
download, health, and its own summary for the room above it. A pack of kind provinsi or nasional has members,
not districts, so nothing city-level runs."""

from __future__ import annotations

import dash
from dash import Dash

from callbacks import federation as federation_callbacks
from dashboard import api, federation_routes, summary_api
from layouts import federation
from layouts.i18n import t

PAGES = (
    ("federation", "/federation", federation.wall_layout),
    ("federation_leader", "/federation/leader", federation.leader_layout),
)


def is_federation(pack: object) -> bool:
    return getattr(pack, "federation", None) is not None


def register(app: Dash) -> None:
    for name, path, layout in PAGES:
        dash.register_page(name, path=path, layout=layout, title=t("fed_app", "id"))
    dash.register_page("home", path="/", layout=federation.wall_layout, title=t("fed_app", "id"))
    federation_callbacks.register(app)
    app.server.add_url_rule("/api/health", "health", api.health)
    summary_api.register(app.server)  # a provincial room is itself a member of the national room
    federation_routes.register(app.server)
