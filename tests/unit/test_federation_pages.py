"""The federation room's read side and pages on a real store: freshness (stale keeps its last figures, never
heard has none), rankings, the leaders' comparison, the assessment export and its refusals, the wall's figures."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from dash import html

from dashboard.app import create_app
from data.federation.config import FederationConfig, Member
from data.federation.pull import PullResult, store_results, sync_members
from data.federation.queries import assessment_table, member_board, rankings
from data.federation.summary import RoomIdentity, RoomSummary, build_room_summary
from data.store import init_schema, make_engine, utcnow
from tests.helpers.components import find, find_all, props, text

KEY = "k" * 32
CODES = {"36.71": "Kota Tangerang", "35.08": "Kabupaten Lumajang", "16.01": "Kabupaten Ogan Komering Ulu"}


@pytest.fixture(scope="module")
def city_summary(small_city_path) -> RoomSummary:
    """One real summary of the small demo city, re-labelled per member below (each member its own code)."""
    engine = make_engine(f"sqlite:///{small_city_path}")
    identity = RoomIdentity(name="Kota Tangerang", short_name="Tangerang", kind="kota", code="36.71",
                            zone="Asia/Jakarta", zone_label="WIB")  # fmt: skip
    from dashboard.settings import Settings

    summary = build_room_summary(engine, identity, timedelta(hours=7), utcnow(), Settings().targets_path)
    engine.dispose()
    return summary


def _as(summary: RoomSummary, code: str, score: float, zone: str = "Asia/Jakarta") -> RoomSummary:
    label = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA"}[zone]
    room = summary.room.model_copy(update={"code": code, "name": CODES[code], "zone": zone, "zone_label": label})
    return summary.model_copy(update={"room": room, "score": score})


@pytest.fixture
def federation(tmp_path, city_summary):
    folder = tmp_path / "pack"
    folder.mkdir()
    members = "".join(
        f'    - code: "{c}"\n      name: {n}\n      url: http://127.0.0.1:9/{c}\n      token: {"t" * 20}\n'
        f"      key: {KEY}\n" + ("      zone: Asia/Makassar\n" if c == "16.01" else "")
        for c, n in CODES.items()
    )
    (folder / "city.yaml").write_text(
        "name: Provinsi Uji\nshort_name: Uji\nkind: provinsi\ncode: '36'\nzone: Asia/Jakarta\n"
        f"federation:\n  stale_after_seconds: 600\n  members:\n{members}"
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'fed.db'}")
    init_schema(engine)
    from data.city import load_pack

    config: FederationConfig = load_pack(folder).federation
    sync_members(engine, config)
    now = utcnow()
    fresh = [PullResult("36.71", _as(city_summary, "36.71", 1.02), None, False, 12.0),
             PullResult("16.01", _as(city_summary, "16.01", 0.91, "Asia/Makassar"), None, False, 15.0)]  # fmt: skip
    store_results(engine, config, [PullResult("35.08", _as(city_summary, "35.08", 0.97), None, False, 9.0)],
                  now - timedelta(hours=2))  # fmt: skip  # Lumajang answered two hours ago, then went quiet
    store_results(engine, config, [*fresh, PullResult("35.08", None, "unreachable: refused", False, None)], now)
    yield folder, engine, config, now
    engine.dispose()


def test_a_quiet_member_is_stale_with_its_last_figures_and_the_others_live(federation):
    _, engine, config, now = federation
    board = member_board(engine, config, now).set_index("code")
    assert not board.at["36.71", "stale"] and not board.at["16.01", "stale"]
    assert board.at["35.08", "stale"] and board.at["35.08", "score"] == 0.97  # last figures, not zero
    assert board.at["35.08", "error"] == "unreachable: refused"
    assert board.at["16.01", "zone_label"] == "WITA"
    top, bottom = rankings(board.reset_index(), "score")
    assert list(top["code"]) == ["36.71", "35.08", "16.01"] and list(bottom["code"])[0] == "16.01"


def test_a_member_never_heard_from_has_no_figures_at_all(federation):
    _, engine, config, now = federation
    extra = Member(code="73.24", name="Kabupaten Luwu Timur", url="http://127.0.0.1:9", token="t" * 20, key=KEY,
                   zone="Asia/Makassar")  # fmt: skip
    bigger = config.model_copy(update={"members": (*config.members, extra)})
    row = member_board(engine, bigger, now).set_index("code").loc["73.24"]
    assert row["stale"] and not row["has_figures"] and row["score"] != row["score"]  # NaN: no figure, never 0


def test_the_assessment_export_has_each_member_s_six_dimensions_and_refuses_bad_periods(federation):
    folder, engine, config, now = federation
    table = assessment_table(engine, config, date.today() - timedelta(days=30), date.today() + timedelta(days=1))
    assert list(table["code"]) == list(CODES) and set(table["days_reported"]) == {1}
    app = create_app(settings=_settings(folder, engine))
    client = app.server.test_client()
    response = client.get("/federation/export.csv")
    assert response.status_code == 200 and "penilaian_36_" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == list(CODES)
    assert all(r[f"dim_{d}"] != "" for r in rows for d in ("governance", "environment"))
    xlsx = client.get("/federation/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    for bad in ("from=yesterday", "from=2026-12-01&to=2026-11-01", "from=2020-01-01&to=2026-01-01"):
        assert client.get(f"/federation/export.csv?{bad}").status_code == 400, bad


def _settings(folder, engine):
    from dashboard.settings import Settings

    return Settings(database_url=str(engine.url), city=str(folder))


def test_the_wall_and_comparison_pages_are_built_from_the_members(federation):
    folder, engine, _, _ = federation
    app = create_app(settings=_settings(folder, engine))
    from callbacks import federation as callbacks

    with app.server.test_request_context("/federation"):
        app.server.preprocess_request()
        figure, ranking, cards, counts = callbacks.draw_wall(None, "sla_pct", [1920, 1080], {"lang": "id"})
        options, history, table = callbacks.draw_leader(None, ["35.08", "not-a-member"], {"lang": "en"})
    assert counts == "2 terkini · 1 basi dari 3"
    assert sum(len(trace["locations"]) for trace in figure["data"]) == 3
    assert (props(cards[0])["data-member"], props(cards[0])["data-stale"]) == ("35.08", "1")  # needs a look first
    assert len(ranking) == 3 and len(options) == 3
    assert {trace.name for trace in history.data if trace.name} == {"Kabupaten Lumajang"}
    rows = [[text(cell) for cell in find_all(row, html.Td)] for row in find_all(find(table, html.Tbody), html.Tr)]
    assert [row[:2] for row in rows] == [["Kabupaten Lumajang", "WIB"]]  # the picked member only
    for path in ("/", "/federation", "/federation/leader", "/api/health"):
        assert app.server.test_client().get(path).status_code == 200, path


def test_a_member_turns_stale_on_the_wall_as_soon_as_its_last_answer_is_older_than_the_pack_allows(
    federation, city_summary
):
    folder, engine, config, _ = federation
    quiet_since = utcnow() - timedelta(seconds=config.stale_after_seconds + 2)
    store_results(engine, config, [PullResult("36.71", _as(city_summary, "36.71", 1.02), None, False, 9.0)],
                  quiet_since)  # fmt: skip
    app = create_app(settings=_settings(folder, engine))
    from callbacks import federation as callbacks

    with app.server.test_request_context("/federation"):
        app.server.preprocess_request()
        state = callbacks.wall_state(None, None)
    assert state["stale"] == ["35.08", "36.71"]  # two seconds past the limit, not at the next whole minute


def test_crafted_callback_bodies_get_a_wall_not_an_error(federation):
    folder, engine, _, _ = federation
    app = create_app(settings=_settings(folder, engine))
    client = app.server.test_client()
    outputs = [("fed-map", "figure"), ("fed-rankings", "children"), ("fed-cards", "children")]
    outputs.append(("fed-counts", "children"))
    for measure, viewport, params in (("<b>x</b>", ["a", None], [1]), ({"x": 1}, [1e12, -5], "en"), (None, None, None)):
        body = {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "fed-state", "property": "data", "value": {"version": "x"}},
                       {"id": "fed-measure", "property": "value", "value": measure},
                       {"id": "fed-viewport", "property": "data", "value": viewport}],
            "state": [{"id": "fed-params", "property": "data", "value": params}],
            "changedPropIds": ["fed-state.data"],
        }  # fmt: skip
        assert client.post("/_dash-update-component", json=body).status_code == 200, (measure, viewport, params)


def test_a_provincial_room_serves_its_members_added_up_to_the_nation(federation):
    folder, engine, _, _ = federation
    app = create_app(settings=_settings(folder, engine).with_overrides(summary_signing_key=KEY))
    from data.auth.tokens import create_token

    token, _ = create_token(engine, "ingest", "nasional", ["summary"], "test")
    response = app.server.test_client().get("/api/v1/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    summary = RoomSummary.model_validate_json(response.get_data())
    from data.city import load_pack

    board = member_board(engine, load_pack(folder).federation, utcnow())
    assert summary.room.code == "36" and summary.room.kind == "provinsi"
    assert summary.complaints.open == int(board["open"].sum())  # every member counted, the quiet one too
    assert summary.score == pytest.approx(board["score"].mean(), abs=1e-3)
    assert {d.code for d in summary.districts} == set(CODES)
    assert [f.stale for f in summary.feeds].count(True) == 1
