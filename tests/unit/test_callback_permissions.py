"""Every server callback of the real apps, with the permission it declared where it is registered.

The tables below are the whole list: a new callback, or a changed permission, fails here until it is written
down, so who may run what shows in review. The guard refuses a callback that declared nothing.
"""

from __future__ import annotations

import json

import pytest
from dash import Input, Output

from callbacks import dash_internals, registry
from callbacks.analyst import CONTROL_IDS
from callbacks.analyst_charts import CHARTS
from dashboard.app import create_app
from dashboard.settings import Settings
from data import city

ADMIN_CALLBACKS = {  # every room: people, tokens, the security log; and Dash's pages router
    "admin-users-grid.rowData admin-tokens-grid.rowData admin-log-grid.rowData admin-notice.children "
    "admin-account.children": "admin",
    "admin-message.children admin-version.data admin-new-password.value": "admin",  # add/change/disable people
    "admin-message.children admin-token-shown.children admin-version.data": "admin",  # create/revoke tokens
    # Dash's pages router: the page path it renders decides (data/auth/access.py PATH_RULES)
    "_pages_content.children _pages_store.data": registry.PAGE_PATH,
}
CITY_CALLBACKS = {
    # the wall (every role, and wall screens)
    "wall-tick.interval": "wall",
    "wall-health.children wall-heartbeat.children wall-title.children wall-error.children wall-takeover.data "
    "wall-slot-params[ALL].data wall-takeover-title[ALL].children": "wall",
    "wall-kpis[MATCH].children wall-kpi-sig[MATCH].data": "wall",
    "wall-rank[MATCH].children": "wall",
    "wall-map-a[MATCH].src wall-map-b[MATCH].src wall-map-state[MATCH].data": "wall",
    "wall-ticker[MATCH].children wall-ticker-sig[MATCH].data": "wall",
    "wall-stream[MATCH].children wall-stream-sig[MATCH].data": "wall",
    "wall-district-bars[MATCH].children wall-district-bars-sig[MATCH].data": "wall",
    "wall-sensor-kinds[MATCH].children wall-sensor-kinds-sig[MATCH].data": "wall",
    "wall-sensor-attention[MATCH].children wall-sensor-attention-sig[MATCH].data": "wall",
    "wall-svc-coverage[MATCH].children wall-svc-dimensions[MATCH].children wall-svc-health[MATCH].children "
    "wall-svc-lagging[MATCH].children wall-svc-trend[MATCH].figure": "wall",
    "wall-cctv-head[MATCH].children wall-cctv-grid[MATCH].children wall-cctv-grid[MATCH].className": "wall",
    # leaders
    "leader-body.children": "leader",
    "briefing-body.children": "leader",
    "briefing-go.href": "leader",
    # analysts: the filter, the charts, the grid with its export links, the record detail
    " ".join(
        ["analyst-range.value", "analyst-dates.start_date", "analyst-dates.end_date", "analyst-bucket.value"]
        + [f"{control}.{prop}" for prop in ("value", "options") for control in CONTROL_IDS]
        + ["analyst-filter.data", "analyst-url.search", "analyst-chips.children", "analyst-error.children"]
        + ["analyst-lang.href"]
    ): "analyst",
    **{f"analyst-chart-{name}.figure": "analyst" for name in CHARTS},
    "analyst-grid.getRowsResponse analyst-count.children analyst-export-csv.href analyst-export-xlsx.href": "analyst",
    "analyst-detail.is_open analyst-detail-body.children": "analyst",
    # the operators' console: what it shows and the actions that change alerts, incidents and complaints
    "ops-alert-grid.rowData ops-alert-map.figure ops-counts.children ops-clock.children": "ops",
    "ops-alert-detail.children": "ops",
    "ops-feedback.children ops-changed.data ops-note.value": "ops",  # acknowledge / resolve an alert
    "ops-incident-grid.rowData": "ops",
    "ops-incident-card.children": "ops",
    "ops-feedback.children ops-changed.data ops-incident-note.value": "ops",  # acknowledge / resolve / assign
    "ops-sla-grid.rowData": "ops",
    "ops-complaint-file.children": "ops",
    "ops-feedback.children ops-changed.data ops-complaint-note.value": "ops",  # assign a complaint
    **ADMIN_CALLBACKS,
}
FEDERATION_CALLBACKS = {
    "fed-state.data": "wall",
    "fed-map.figure fed-rankings.children fed-cards.children fed-counts.children": "wall",
    "fedleader-choose.options fedleader-history.figure fedleader-table.children": "leader",
    **ADMIN_CALLBACKS,
}


def label(output_key: str) -> str:
    """An output key as a reviewer reads it: 'id.prop' per output, a pattern id as type[WILDCARD], without the
    hash Dash adds to allow_duplicate outputs."""
    parts = []
    for part in output_key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        prop = prop.split("@", 1)[0]
        if cid.startswith("{"):
            parsed = json.loads(cid)
            wildcard = next((v[0] for v in parsed.values() if isinstance(v, list)), "")
            cid = f"{parsed['type']}[{wildcard}]"
        parts.append(f"{cid}.{prop}")
    return " ".join(parts)


def permissions_by_label(app) -> dict[str, str | None]:
    keys = dash_internals.server_callback_keys(app)
    listed = {label(key): registry.permission_of(app, key) for key in keys}
    assert len(listed) == len(keys), "two callbacks read the same to a reviewer: make label() tell them apart"
    return listed


def test_every_city_callback_declares_the_permission_written_here(sqlite_engine, settings_for):
    listed = permissions_by_label(create_app(settings_for(str(sqlite_engine.url))))
    undeclared = sorted(name for name, permission in listed.items() if permission is None)
    assert undeclared == [], f"register these with callbacks.registry.guarded_callback: {undeclared}"
    assert listed == CITY_CALLBACKS


def test_every_federation_callback_declares_the_permission_written_here(tmp_path):
    member = (
        f'    - code: "36.71"\n      name: Kota Tangerang\n      url: http://127.0.0.1:9/x\n      token: {"t" * 20}'
    )
    (tmp_path / "city.yaml").write_text(
        "name: Provinsi Uji\nshort_name: Uji\nkind: provinsi\ncode: '36'\nzone: Asia/Jakarta\n"
        f"federation:\n  stale_after_seconds: 600\n  members:\n{member}\n      key: {'k' * 32}\n"
    )
    city_before = city.current()
    try:
        app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'fed.db'}", city=str(tmp_path)))
    finally:
        city.activate(city_before)  # create_app made the room this process's city; the next tests want theirs
    assert permissions_by_label(app) == FEDERATION_CALLBACKS


def test_a_callback_that_declares_nothing_is_refused_even_to_an_administrator(sqlite_engine, settings_for):
    """The open demo (no users, loopback) may use every page: still, an undeclared callback never runs."""
    app = create_app(settings_for(str(sqlite_engine.url)))
    app.callback(Output("zz-undeclared", "children"), Input("zz-in", "n_clicks"))(lambda n: str(n))
    body = {
        "output": "zz-undeclared.children",
        "outputs": {"id": "zz-undeclared", "property": "children"},
        "inputs": [{"id": "zz-in", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["zz-in.n_clicks"],
    }
    client = app.server.test_client()
    assert client.post(dash_internals.UPDATE_COMPONENT_PATH, json=body).status_code == 403
    assert (
        client.post(dash_internals.UPDATE_COMPONENT_PATH, json={**body, "output": "zz-nobody.children"}).status_code
        == 404
    )


def test_two_apps_in_one_process_keep_their_own_tables(sqlite_engine, settings_for, tmp_path):
    first = create_app(settings_for(str(sqlite_engine.url)))
    second = create_app(settings_for(f"sqlite:///{tmp_path / 'second.db'}"))
    registry.guarded_callback(second, "admin", Output("zz-only-second", "children"), Input("zz-in", "n_clicks"))(str)
    assert registry.permission_of(second, "zz-only-second.children") == "admin"
    assert registry.permission_of(first, "zz-only-second.children") is None


def test_an_unknown_permission_or_a_duplicate_registration_fails_at_start(sqlite_engine, settings_for):
    app = create_app(settings_for(str(sqlite_engine.url)))
    with pytest.raises(ValueError, match="unknown permission 'opps'"):
        registry.guarded_callback(app, "opps", Output("zz-x", "children"), Input("zz-in", "n_clicks"))
    registry.guarded_callback(app, "wall", Output("zz-y", "children"), Input("zz-in", "n_clicks"))(str)
    with pytest.raises(ValueError, match="expected one new callback"):
        registry.guarded_callback(app, "admin", Output("zz-y", "children"), Input("zz-in", "n_clicks"))(repr)
    assert registry.permission_of(app, "zz-y.children") == "wall"
