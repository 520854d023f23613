"""Callbacks as a logged-in person sends them: pattern-matching ids, the page router, crafted bodies."""

from __future__ import annotations

import json

import pytest

from dashboard.app import create_app
from dashboard.settings import Settings
from data.auth import access, users
from data.store import make_engine

PASSWORD = "genangan air 2026"
ROLES = ("wall", "leader", "analyst", "operator", "admin")
SLOT_PARAMS = {"slot": "main", "screen": "overview", "district": None, "lang": "id", "dwell": 0}


@pytest.fixture(scope="module")
def city_app(small_city_path, tmp_path_factory):
    """The small seeded city with one person per role, so login is required."""
    copy = tmp_path_factory.mktemp("logged") / "city.db"
    source = make_engine(f"sqlite:///{small_city_path}")
    with source.connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{copy}'")
    source.dispose()
    engine = make_engine(f"sqlite:///{copy}")
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


def _concrete(component_id: str, slot: str) -> object:
    """A registered id (JSON text with ["MATCH"]) as the browser sends it for one slot."""
    if not component_id.startswith("{"):
        return component_id
    parsed = json.loads(component_id)
    return {k: (slot if v == ["MATCH"] else v) for k, v in parsed.items()}


def body_for(app, output_key: str, values: dict[str, object], slot: str = "main") -> dict:
    """The /_dash-update-component body the browser sends for a registered callback (MATCH on one slot)."""
    spec = app.callback_map[output_key]
    parts = output_key.strip(".").split("...")
    outputs = []
    for part in parts:
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(cid, slot), "property": prop})

    def items(kind: str) -> list[dict]:
        out = []
        for dep in spec[kind]:
            cid = _concrete(dep["id"], slot)
            out.append({"id": cid, "property": dep["property"], "value": values.get(access.id_key(cid))})
        return out

    inputs = items("inputs")
    last = inputs[-1]
    last_id = json.dumps(last["id"], separators=(",", ":")) if isinstance(last["id"], dict) else last["id"]
    return {
        "output": output_key,  # Dash sends the registered key (wildcards and all); `outputs` are concrete
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{last_id}.{last['property']}"],
    }


def _rank_key(app) -> str:
    return next(k for k in app.callback_map if '"type":"wall-rank"' in k)


@pytest.mark.parametrize("role", ROLES)
def test_a_logged_in_person_gets_wall_callbacks_with_pattern_matching_ids(city_app, role):
    """Before: guard -> stamp_actor hashed the dict ids and every wall slot answered 500 to every person."""
    app, _ = city_app
    client = logged_in(app, role)
    params_key = access.id_key({"slot": "main", "type": "wall-slot-params"})
    body = body_for(app, _rank_key(app), {"wall-tick": 0, params_key: SLOT_PARAMS})
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    assert "response" in r.get_json()


def test_the_actor_field_is_still_stamped_beside_pattern_matching_ids():
    body = {
        "inputs": [{"id": {"type": "ops-ack", "index": 3}, "property": "n_clicks", "value": 1}],
        "state": [{"id": "ops-operator", "property": "value", "value": "someone else"}],
    }
    assert access.stamp_actor(body, "operator1") == 1
    assert body["state"][0]["value"] == "operator1"
    assert access.id_key({"b": 1, "a": 2}) == access.id_key({"a": 2, "b": 1})
