"""Leader callbacks: the briefing's figures from the city snapshot."""

from __future__ import annotations

from dash import Dash, Input, Output, html

from callbacks.context import now, runtime
from data.queries.snapshot import city_snapshot
from layouts import ids
from layouts.i18n import fmt_number, t


def render_briefing(params: dict) -> html.Div:
    rt = runtime()
    lang = params.get("lang", "id")
    snap = city_snapshot(rt.engine, now(), rt.settings.targets_path)
    return html.Div(
        [
            html.H2(f"{t('city_score', lang)}: {fmt_number(snap.score, lang, 2)}"),
            html.P(f"{t('open_complaints', lang)}: {fmt_number(snap.complaints.open_backlog, lang)}"),
        ]
    )


def register(app: Dash) -> None:
    app.callback(Output(ids.LEADER_BODY, "children"), Input(ids.LEADER_PARAMS, "data"))(render_briefing)
