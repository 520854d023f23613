"""Ready means warm: after warming, every wall screen's city-wide figures answer from the cache, /api/health says
`warming` until then, and the next comparison moment's figures are computed before any screen asks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from callbacks.cache import EXTRAS_KEY, cached
from callbacks.context import RUNTIME_KEY, now, runtime
from callbacks.warm import SCREENS, WARMTH_KEY, Warmth, warm_wall_screens
from dashboard.app import create_app
from data.memo import call, call_key
from data.models import Complaint
from data.queries.kpi_board import COMPARISON_GRID, kpi_board, upcoming_comparisons
from tests.helpers.callbacks import body_for

TARGETS = Path("data/config/targets.yaml")


def test_warming_leaves_every_wall_screen_answered_from_the_cache(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    state = warm_wall_screens(app.server)
    assert state.state == "warm" and state.failed == {} and state.done == list(SCREENS)
    cache = app.server.extensions[RUNTIME_KEY].extras[EXTRAS_KEY]
    misses = cache.misses
    with app.server.app_context():
        rt = runtime()
        board = kpi_board(rt.engine, now(), rt.settings.targets_path, None, memo=cached)
        for name, warm in SCREENS.items():
            warm()
            assert cache.misses == misses, f"the {name} screen computed something warming had not"
    assert board.now["open_backlog"] > 0


def test_health_says_warming_until_the_wall_figures_are_in(small_city, settings_for):
    app = create_app(settings_for(str(small_city.url)))
    client = app.server.test_client()
    assert "wall" not in client.get("/api/health").get_json()  # nobody warms this app: nothing to wait for
    app.server.extensions[WARMTH_KEY] = Warmth(state="warming")
    body = client.get("/api/health").get_json()
    assert (body["status"], body["wall"]["state"]) == ("warming", "warming")
    warm_wall_screens(app.server)
    body = client.get("/api/health").get_json()
    assert (body["status"], body["wall"]["state"]) == ("ok", "warm")
    assert body["wall"]["screens_done"] == list(SCREENS)


class CountingMemo:
    def __init__(self) -> None:
        self.values: dict = {}
        self.computed: list[str] = []

    def __call__(self, domains, fn, *args, ttl_s=None, **kwargs):  # noqa: ANN001, ANN204
        key = call_key(fn, args, kwargs)
        if key not in self.values:
            self.computed.append(fn.__name__)
            self.values[key] = call(fn, args, kwargs)
        return self.values[key]


def test_the_keeper_computes_the_next_grid_moments_comparisons_before_they_are_due(small_city):
    with small_city.connect() as conn:
        moment = conn.execute(select(func.max(Complaint.requested_at))).scalar()
    memo = CountingMemo()
    upcoming_comparisons(small_city, moment, memo)
    assert memo.computed.count("figures_at") == 2
    memo.computed.clear()
    kpi_board(small_city, moment + COMPARISON_GRID, TARGETS, memo=memo)
    assert "figures_at" not in memo.computed  # the day- and week-ago figures were ready


def test_the_keeper_warms_the_leaders_briefing_before_any_leader_asks(small_city, settings_for):
    from callbacks.warm import keep_warm
    from data.queries.leader_pages import city_briefing

    app = create_app(settings_for(str(small_city.url)))
    asked = []
    keep_warm(app.server, every_s=0, stop=lambda: len(asked.append(1) or asked) > 1, settle_s=0)  # one pass
    cache = app.server.extensions[RUNTIME_KEY].extras[EXTRAS_KEY]
    misses = cache.misses
    assert misses > 0
    with app.server.app_context(), runtime().serving():
        rt = runtime()
        briefing = city_briefing(rt.engine, now(), rt.settings.targets_path, "en", memo=cached)
    assert cache.misses == misses, "a leader's first visit computed what the keeper had not"
    assert briefing.figures.open_now > 0


def test_after_its_first_pass_the_keeper_keeps_the_briefing_warm_only_while_leaders_look(
    small_city, settings_for, monkeypatch
):
    import callbacks.warm as warm
    from layouts import ids

    app = create_app(settings_for(str(small_city.url)))
    briefings = []
    monkeypatch.setattr(warm, "_leader_briefing", lambda: briefings.append(1))

    def passes(n: int) -> None:
        done = []
        warm.keep_warm(app.server, every_s=0, stop=lambda: len(done.append(1) or done) > n, settle_s=0)

    passes(3)
    assert len(briefings) == 1 and not warm.leaders_watching(app.server)  # the first visit's, then nobody looked
    body = body_for(app, f"{ids.LEADER_BODY}.children", {ids.LEADER_TICK: 1, ids.LEADER_PARAMS: {"lang": "id"}})
    response = app.server.test_client().post("/_dash-update-component", json=body)  # the open demo: no login
    assert response.status_code == 200 and "response" in response.get_json()
    assert warm.leaders_watching(app.server)
    briefings.clear()
    passes(3)
    assert len(briefings) == 3
