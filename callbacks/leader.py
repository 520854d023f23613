"""Leader callbacks: fetch the briefing's or a drill-down's figures, hand plain values to layouts.leader*."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pandas as pd
from dash import Dash, Input, Output, State
from sqlalchemy.exc import SQLAlchemyError

from callbacks.cache import recent
from callbacks.context import now, runtime
from callbacks.leader_actions import leader_actions
from callbacks.registry import guarded_callback
from callbacks.warm import note_leaders_watching
from data.cityscore import ranked
from data.queries.leader_pages import city_briefing, place_detail, slug
from data.summary import summary_sentences
from layouts import ids, leader
from layouts import leader_parts as parts
from layouts.i18n import category_label, fmt_number, fmt_time_wib, lang_of, t

LOG = logging.getLogger(__name__)


def _lang_href(path: str, lang: str) -> str:
    return f"{path}?{urlencode({'lang': 'en' if lang == 'id' else 'id'})}"


def _score_card(score: float | None, score_week_ago: float | None, history: pd.DataFrame, lang: str) -> object:
    delta = None if score_week_ago is None or score is None or pd.isna(score_week_ago) else score - score_week_ago
    times = [*history["at"].tolist(), now()]
    values = [*history["score"].tolist(), score]
    return parts.score_card(score, delta, parts.sparkline_figure(times, values, lang), lang)


def _alert_rows(alerts: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    return [
        {
            "severity": r.severity,
            "title": r.title,
            "district": names.get(r.district_code or "", ""),
            "opened": fmt_time_wib(r.opened_at, with_date=True),
        }
        for r in alerts.itertuples()
    ]


def _ranking_rows(frame: pd.DataFrame, by_slug: bool) -> list[dict]:
    out = []
    for r in frame.to_dict("records"):
        r = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
        r["slug"] = slug(r["code"]) if by_slug else r["code"]
        out.append(r)
    return out


def _kpi_items(snap, lang: str) -> list[tuple[str, str, str, str]]:  # noqa: ANN001 - a CitySnapshot
    k = snap.complaints
    return [
        ("open_backlog", t("open_complaints", lang), fmt_number(k.open_backlog, lang), ""),
        ("late_open", t("late_complaints", lang), fmt_number(k.late_open, lang), ""),
        ("received_today", t("received_today", lang), fmt_number(k.received_today, lang), ""),
        ("within_sla", t("within_sla", lang), fmt_number(k.closed_within_sla_pct, lang, 1), "%"),
        ("median_close", t("median_close", lang), fmt_number(k.median_close_h, lang, 1), t("hours", lang)),
        ("sensors_online", t("sensors_online", lang), fmt_number(snap.sensors_online_pct, lang, 1), "%"),
    ]


def render_city(lang: str) -> object:
    """The briefing for the whole city."""
    rt, moment = runtime(), now()
    city = city_briefing(rt.engine, moment, rt.settings.targets_path, lang, memo=recent)
    snap, districts = city.snapshot, city.districts
    alerts = _alert_rows(city.alerts, dict(zip(districts["code"], districts["name"], strict=True)))
    top, bottom = ranked(snap.measures, 5)
    acts = leader_actions(alerts, city.gaps, districts, bottom, city.sla_target, lang)
    header = parts.page_header(t("leader_title", lang), lang, fmt_time_wib(moment), None, _lang_href("/leader", lang))
    return leader.briefing(
        header,
        _score_card(snap.score, city.figures.score_week_ago, city.history, lang),
        parts.summary_card(summary_sentences(city.figures, lang), lang),
        parts.actions_card(acts, lang),
        parts.kpi_strip(_kpi_items(snap, lang)),
        parts.measure_list(t("leader_top", lang), top, lang, ids.LEADER_TOP),
        parts.measure_list(t("leader_bottom", lang), bottom, lang, ids.LEADER_BOTTOM),
        parts.alerts_card(alerts, lang),
        parts.ranking_card(
            t("leader_ranking_districts", lang),
            _ranking_rows(districts, False),
            "/leader/district",
            lang,
            ids.LEADER_RANK_DISTRICTS,
        ),
        parts.ranking_card(
            t("leader_ranking_agencies", lang),
            _ranking_rows(city.agencies, True),
            "/leader/agency",
            lang,
            ids.LEADER_RANK_AGENCIES,
        ),
    )


def _compare_rows(points: list[dict], population: int | None, lang: str) -> list[tuple[str, str, str, str]]:
    """Score and KPIs now, a week ago and a month ago, formatted."""

    def row(label: str, fn) -> tuple[str, str, str, str]:  # noqa: ANN001
        return (label, *[fn(p) for p in points])

    per_10k = (lambda p: fmt_number(p["kpis"].open_backlog * 10_000 / population, lang, 1)) if population else None
    rows = [
        row(t("city_score", lang), lambda p: fmt_number(p["score"], lang, 2)),
        row(t("open_complaints", lang), lambda p: fmt_number(p["kpis"].open_backlog, lang)),
        row(t("late_complaints", lang), lambda p: fmt_number(p["kpis"].late_open, lang)),
        row(t("within_sla", lang) + " (%)", lambda p: fmt_number(p["kpis"].closed_within_sla_pct, lang, 1)),
        row(t("leader_median_close_h", lang), lambda p: fmt_number(p["kpis"].median_close_h, lang, 1)),
    ]
    if per_10k:
        rows.insert(2, row(t("leader_per_10k_long", lang), per_10k))
    return rows


def render_detail(kind: str, code: str, lang: str) -> object:
    """A district's or an agency's page; an unknown code gets a clear 'not found', never an exception."""
    rt, moment = runtime(), now()
    back, path = f"/leader?lang={lang}", f"/leader/{kind}/{code}"
    place = place_detail(rt.engine, moment, rt.settings.targets_path, kind, code, memo=recent)
    if place is None:
        return leader.not_found(parts.page_header("—", lang, fmt_time_wib(moment), back, _lang_href(path, lang)), lang)
    header = parts.page_header(place.name, lang, fmt_time_wib(moment), back, _lang_href(path, lang))
    if place.district:
        side = parts.sensor_card(_sensor_rows(place.sensor_states, lang), lang)
    else:
        title = f"{t('open_complaints', lang)} · {t('leader_by_district', lang)}"
        side = parts.bar_list(title, place.open_by_district, lang, ids.LEADER_AGENCY_DISTRICTS)
    scope = {"district": code} if place.district else {"agency": place.name}
    return leader.detail(
        header,
        _score_card(place.figures.score_now, place.figures.score_week_ago, place.history, lang),
        parts.summary_card(summary_sentences(place.figures, lang), lang),
        parts.compare_table(_compare_rows(place.points, place.population, lang), lang),
        parts.bar_list(
            t("leader_top_categories", lang),
            [(category_label(category, lang), n) for category, n in place.categories],
            lang,
            ids.LEADER_CATEGORIES,
        ),
        side,
        parts.late_card(place.late, lang),
        f"/analyst?{urlencode({**scope, 'lang': lang})}",
        lang,
    )


def _sensor_rows(states: pd.DataFrame, lang: str) -> list[dict]:
    if states.empty:
        return []
    order = {"danger": 0, "warning": 1, "offline": 2, "normal": 3}
    rows = states.assign(o=states["state"].map(order)).sort_values(["o", "name"])
    return [
        {
            "name": r.name,
            "state": r.state,
            "value": "—" if pd.isna(r.value) else f"{fmt_number(r.value, lang, 1)} {r.unit}",
        }
        for r in rows.itertuples()
    ]


def render_leader(_tick: int | None, params: dict | None) -> object:
    """The page for the params the layout stored (kind city/district/agency, code, lang)."""
    params = params or {}
    lang = lang_of(params.get("lang"))
    note_leaders_watching()
    try:
        if params.get("kind") in ("district", "agency"):
            return render_detail(params["kind"], str(params.get("code") or ""), lang)
        return render_city(lang)
    except SQLAlchemyError:
        LOG.exception("leader page: database error")
        return leader.error(lang)


def register(app: Dash) -> None:
    guarded_callback(
        app,
        "leader",
        Output(ids.LEADER_BODY, "children"),
        Input(ids.LEADER_TICK, "n_intervals"),
        State(ids.LEADER_PARAMS, "data"),
    )(render_leader)
