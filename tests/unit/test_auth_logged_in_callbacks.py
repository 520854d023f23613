"""Callbacks as a logged-in person sends them: pattern-matching ids, the page router, crafted bodies."""

from __future__ import annotations

import pytest

from callbacks import dash_internals
from dashboard.app import create_app
from dashboard.settings import Settings
from data.auth import users
from tests.conftest import copy_city
from tests.helpers.callbacks import body_for, id_key

PASSWORD = "genangan air 2026"
ROLES = ("wall", "leader", "analyst", "operator", "admin")
SLOT_PARAMS = {"slot": "main", "screen": "overview", "district": None, "lang": "id", "dwell": 0}


@pytest.fixture(scope="module")
def city_app(small_city_path, tmp_path_factory):
    """The small seeded city with one person per role, so login is required."""
    copy = tmp_path_factory.mktemp("logged") / "city.db"
    engine = copy_city(small_city_path, copy)
    for role in ROLES:
        users.add_user(engine, f"{role}1", PASSWORD, role)
    app = create_app(Settings(database_url=f"sqlite:///{copy}"))
    yield app, engine
    engine.dispose()


def logged_in(app, role: str):
    client = app.server.test_client()
    r = client.post("/auth/login", data={"username": f"{role}1", "password": PASSWORD})
    assert r.status_code == 303, r.headers
    return client


def _rank_key(app) -> str:
    return next(k for k in dash_internals.server_callback_keys(app) if '"type":"wall-rank"' in k)


@pytest.mark.parametrize("role", ROLES)
def test_a_logged_in_person_gets_wall_callbacks_with_pattern_matching_ids(city_app, role):
    """Before: the guard's actor stamp hashed the dict ids and every wall slot answered 500 to every person."""
    app, _ = city_app
    client = logged_in(app, role)
    params_key = id_key({"slot": "main", "type": "wall-slot-params"})
    body = body_for(app, _rank_key(app), {"wall-tick": 0, params_key: SLOT_PARAMS})
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    assert "response" in r.get_json()


def router_body(path: str, first_id: str = "_pages_location") -> dict:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": first_id, "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": [f"{first_id}.pathname"],
    }


def test_the_page_router_authorises_the_path_dash_will_render_whatever_the_ids(city_app):
    """Before: renaming the router's input id (Dash reads by position) rendered /admin's layout to anyone."""
    app, _ = city_app
    anonymous = app.server.test_client()
    for crafted in ("x", "_pages_location_", "login-username"):
        r = anonymous.post("/_dash-update-component", json=router_body("/admin", crafted))
        assert r.status_code == 401 and "admin-" not in r.get_data(as_text=True)
    wall = logged_in(app, "wall")
    assert wall.post("/_dash-update-component", json=router_body("/admin", "x")).status_code == 403
    assert wall.post("/_dash-update-component", json=router_body("/wall", "x")).status_code == 200
    assert anonymous.post("/_dash-update-component", json=router_body("/login", "x")).status_code == 200
    # A path that is not text, or a callback nobody registered, is refused rather than crashing Dash.
    assert logged_in(app, "admin").post("/_dash-update-component", json=router_body(["/admin"])).status_code == 400
    unknown = {**router_body("/wall"), "output": "zz-nothing.children"}
    assert logged_in(app, "admin").post("/_dash-update-component", json=unknown).status_code == 404


def test_nul_characters_in_addresses_and_callback_bodies_are_not_a_500(city_app):
    app, _ = city_app
    client = logged_in(app, "leader")
    assert client.get("/leader/district/36%0071").status_code == 400
    assert client.get("/leader?district=%00").status_code == 400
    r = client.post("/_dash-update-component", json=router_body("/leader/district/3671\u0000010"))
    assert r.status_code == 200


def test_crafted_component_suite_paths_are_404_not_500(city_app):
    app, _ = city_app
    client = app.server.test_client()
    for path in ("os/os.py", "dash/../../etc/passwd", "dash/x.css", "dash_bootstrap_components/y.js", "x/y.js"):
        assert client.get(f"/_dash-component-suites/{path}").status_code == 404, path
    assert client.get("/_dash-component-suites/%00/x.js").status_code == 400
