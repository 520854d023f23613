"""The admin page's callbacks over HTTP: add people, create and revoke tokens, refuse bad input, log who did it."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from data.auth import tokens, users
from data.auth.events import recent_events
from data.places import prepare_store
from data.store import make_engine
from layouts import admin, ids
from tests.helpers.components import classes, find, find_all, props, text, texts

PASSWORD = "pompa air rusak 3"


@pytest.fixture
def admin_client(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    prepare_store(engine)
    users.add_user(engine, "siti", PASSWORD, "admin")
    users.add_user(engine, "joko", PASSWORD, "analyst")
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'city.db'}"))
    client = app.server.test_client()
    client.post("/auth/login", data={"username": "siti", "password": PASSWORD})
    yield client, engine
    engine.dispose()


def _call(client, outputs: list[tuple[str, str]], trigger: str, states: dict[str, tuple[str, object]]):
    """POST one callback the way Dash's renderer does, with the output key Dash registered for it."""
    wanted = [f"{i}.{p}" for i, p in outputs]
    for dep in client.get("/_dash-dependencies").get_json():
        keys = [part.split("@")[0] for part in dep["output"].strip(".").split("...")]
        if keys == wanted:
            break
    else:
        raise AssertionError(f"no callback with outputs {wanted}")
    body = {
        "output": dep["output"],
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{**i, "value": 1 if i["id"] == trigger else None} for i in dep["inputs"]],
        "state": [{"id": s["id"], "property": s["property"], "value": states[s["id"]][1]} for s in dep["state"]],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    return client.post("/_dash-update-component", json=body)


USER_OUTPUTS = [(ids.ADMIN_MESSAGE, "children"), (ids.ADMIN_VERSION, "data"), (ids.ADMIN_NEW_PASSWORD, "value")]
TOKEN_OUTPUTS = [(ids.ADMIN_MESSAGE, "children"), (ids.ADMIN_TOKEN_SHOWN, "children"), (ids.ADMIN_VERSION, "data")]


def _user_states(username: str, password: str, role: str = "leader", selected: list | None = None) -> dict:
    return {
        ids.ADMIN_USERS_GRID: ("selectedRows", selected or []),
        ids.ADMIN_NEW_USERNAME: ("value", username),
        ids.ADMIN_NEW_NAME: ("value", "<b>Bu Ani</b>"),
        ids.ADMIN_NEW_ROLE: ("value", role),
        ids.ADMIN_NEW_PERSONAL: ("value", False),
        ids.ADMIN_NEW_PASSWORD: ("value", password),
        ids.ADMIN_VERSION: ("data", 0),
        ids.ADMIN_PARAMS: ("data", {"lang": "en"}),
    }


def test_admin_adds_a_person_and_the_log_names_the_admin(admin_client):
    client, engine = admin_client
    r = _call(client, USER_OUTPUTS, ids.ADMIN_ADD_USER, _user_states("ani", PASSWORD))
    assert r.status_code == 200, r.data
    response = r.get_json()["response"]
    assert response[ids.ADMIN_VERSION]["data"] == 1 and response[ids.ADMIN_NEW_PASSWORD]["value"] == ""
    assert users.get_user(engine, "ani").display_name == "<b>Bu Ani</b>"  # kept as text, shown as text
    assert recent_events(engine, action="user_add")[0]["actor"] == "siti"


def _refusal(response) -> str:
    """The text of the red message a refused action shows."""
    message = find(response.get_json()["response"][ids.ADMIN_MESSAGE]["children"], id="admin-result")
    assert "alert-danger" in classes(message)
    return text(message)


def test_bad_input_is_a_message_and_changes_nothing(admin_client):
    client, engine = admin_client
    r = _call(client, USER_OUTPUTS, ids.ADMIN_ADD_USER, _user_states("ani", "short"))
    message = _refusal(r)
    assert "at least" in message and ids.ADMIN_VERSION not in r.get_json()["response"]
    assert [u.username for u in users.list_users(engine)] == ["joko", "siti"]
    r = _call(client, USER_OUTPUTS, ids.ADMIN_DISABLE, _user_states("", ""))
    assert _refusal(r) == "Select a row first."
    selected = [{"id": 1, "username": "siti"}]
    r = _call(client, USER_OUTPUTS, ids.ADMIN_DISABLE, _user_states("", "", selected=selected))
    assert "cannot disable yourself" in _refusal(r)


def test_admin_creates_a_wall_token_shown_once_and_revokes_it(admin_client):
    client, engine = admin_client
    states = {
        ids.ADMIN_TOKENS_GRID: ("selectedRows", []),
        ids.ADMIN_TOKEN_KIND: ("value", "device"),
        ids.ADMIN_TOKEN_NAME: ("value", "Lobby wall"),
        ids.ADMIN_TOKEN_SCOPES: ("value", "wall"),
        ids.ADMIN_TOKEN_DAYS: ("value", None),
        ids.ADMIN_VERSION: ("data", 0),
        ids.ADMIN_PARAMS: ("data", {"lang": "id"}),
    }
    r = _call(client, TOKEN_OUTPUTS, ids.ADMIN_CREATE_TOKEN, states)
    shown = r.get_json()["response"][ids.ADMIN_TOKEN_SHOWN]["children"]
    plain = text(find(shown, id="admin-new-token"))
    info = tokens.verify_token(engine, "device", plain)
    assert plain.startswith("cdv_") and info is not None and info.created_by == "siti"
    assert text(find(shown, id="admin-new-url")) == f"http://localhost/wall?token={plain}"
    states[ids.ADMIN_TOKENS_GRID] = ("selectedRows", [{"id": info.id}])
    _call(client, TOKEN_OUTPUTS, ids.ADMIN_REVOKE, states)
    assert tokens.verify_token(engine, "device", plain) is None


def test_an_analyst_cannot_call_admin_callbacks(admin_client):
    client, engine = admin_client
    client.get("/auth/logout")
    client.post("/auth/login", data={"username": "joko", "password": PASSWORD})
    r = _call(client, USER_OUTPUTS, ids.ADMIN_ADD_USER, _user_states("mallory", PASSWORD, role="admin"))
    assert r.status_code == 403
    assert "mallory" not in [u.username for u in users.list_users(engine)]


TABLE_OUTPUTS = [
    (ids.ADMIN_USERS_GRID, "rowData"),
    (ids.ADMIN_TOKENS_GRID, "rowData"),
    (ids.ADMIN_LOG_GRID, "rowData"),
    (ids.ADMIN_NOTICE, "children"),
    (ids.ADMIN_ACCOUNT, "children"),
]


def _tables(client, lang: str) -> dict:
    response = _call(client, TABLE_OUTPUTS, ids.ADMIN_VERSION, {ids.ADMIN_PARAMS: ("data", {"lang": lang})})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]


def test_a_signed_in_admin_sees_who_and_log_out_and_grids_in_words(admin_client):
    client, _ = admin_client
    tables = _tables(client, "id")
    account = tables[ids.ADMIN_ACCOUNT]["children"]
    assert texts(account) == ["Masuk sebagai siti", "Keluar"]
    assert props(find(account, id="admin-logout"))["href"] == "/auth/logout"
    people = {row["username"]: row for row in tables[ids.ADMIN_USERS_GRID]["rowData"]}
    assert people["joko"]["role"] == "Analis" and people["joko"]["active"] == "Ya"
    assert _tables(client, "en")[ids.ADMIN_USERS_GRID]["rowData"][0]["active"] == "Yes"


def test_no_log_out_button_when_nobody_is_signed_in(tmp_path):
    """The open demo on 127.0.0.1 has no users: there is nobody to log out."""
    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    prepare_store(engine)
    client = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'city.db'}")).server.test_client()
    page = client.get("/admin")
    assert page.status_code == 200
    tables = _tables(client, "id")
    assert tables[ids.ADMIN_ACCOUNT]["children"] == []
    assert "alert-warning" in classes(find(tables[ids.ADMIN_NOTICE]["children"], id="admin-open-demo"))
    engine.dispose()


@pytest.mark.parametrize(("lang", "no_rows"), [("id", "Tidak ada baris untuk ditampilkan"), ("en", None)])
def test_admin_grids_speak_the_page_language(lang, no_rows):
    grids = [admin._grid(g, [("id", "token_id")], lang) for g in (ids.ADMIN_USERS_GRID, ids.ADMIN_LOG_GRID)]
    for grid in grids:
        assert grid.dashGridOptions["localeText"].get("noRowsToShow") == no_rows
    page = admin.layout(lang)
    assert find_all(page, id="admin-logout") == [] and find_all(page, href="/auth/logout") == []
    assert not any(word in piece for piece in texts(page) for word in ("Keluar", "Log out"))
