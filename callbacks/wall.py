"""Wall callbacks: read the snapshot for the screen's district and turn it into tiles."""

from __future__ import annotations

from dash import Dash, Input, Output, State

from callbacks.context import now, runtime
from data.queries.snapshot import city_snapshot
from layouts import ids
from layouts.i18n import fmt_number, fmt_time_wib, t
from layouts.wall import kpi_tile


def render_kpis(_tick: int | None, params: dict) -> tuple[list, str]:
    rt = runtime()
    moment = now()
    lang = params.get("lang", "id")
    snap = city_snapshot(rt.engine, moment, rt.settings.targets_path, params.get("district"))
    k = snap.complaints
    tiles = [
        kpi_tile("city_score", t("city_score", lang), fmt_number(snap.score, lang, 2)),
        kpi_tile("open_backlog", t("open_complaints", lang), fmt_number(k.open_backlog, lang)),
        kpi_tile("received_today", t("received_today", lang), fmt_number(k.received_today, lang)),
        kpi_tile("closed_today", t("closed_today", lang), fmt_number(k.closed_today, lang)),
        kpi_tile("within_sla", t("within_sla", lang), fmt_number(k.closed_within_sla_pct, lang, 1), "%"),
        kpi_tile("sensors_online", t("sensors_online", lang), fmt_number(snap.sensors_online_pct, lang, 1), "%"),
    ]
    return tiles, fmt_time_wib(moment)


def register(app: Dash) -> None:
    app.callback(
        Output(ids.WALL_KPIS, "children"),
        Output(ids.WALL_CLOCK, "children"),
        Input(ids.WALL_TICK, "n_intervals"),
        State(ids.WALL_PARAMS, "data"),
    )(render_kpis)
