"""Leader callbacks: fetch the briefing's or a drill-down's figures, hand plain values to layouts.leader*."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pandas as pd
from dash import Dash, Input, Output, State
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from callbacks.cache import cached
from callbacks.context import now, runtime
from callbacks.leader_actions import leader_actions
from callbacks.registry import guarded_callback
from data.alerts.queries import active_alerts
from data.alerts.titles import localise_titles
from data.cityscore import load_measures, ranked
from data.memo import SETTLED_TTL_S
from data.queries.complaints import counts_by, open_by_district
from data.queries.filters import ComplaintFilter
from data.queries.kpi_board import comparison_moment
from data.queries.leader import (
    agency_ranking,
    district_populations,
    district_ranking,
    late_complaints,
    score_at,
    sla_gaps,
)
from data.queries.snapshot import city_snapshot
from data.summary import BriefingFigures, summary_sentences
from layouts import ids, leader
from layouts import leader_parts as parts
from layouts.i18n import category_label, fmt_number, fmt_time_wib, lang_of, t

LOG = logging.getLogger(__name__)
DOMAINS = ("complaints", "observations", "service_metrics", "alerts")
HISTORY_DAYS = 14
HISTORY_TTL_S = (HISTORY_DAYS + 1) * 86400.0  # a point is asked for once a day, at its hour, for 14 days


def slug(name: str) -> str:
    """A URL-safe code for an agency name ('Dinas PUPR' -> 'dinas-pupr')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _history(moment: datetime, district: str | None = None, agency: str | None = None) -> pd.DataFrame:
    """The score at this hour on each of the last 14 days. Past points never change, so each is computed
    once for the whole room (shared through the cache, ~0.4 s each at 1M complaints), not once per worker."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    points = [_score_at(hour - timedelta(days=back), district, agency, HISTORY_TTL_S)
              for back in range(HISTORY_DAYS, 0, -1)]  # fmt: skip
    rows = [(p["at"], p["score"], p["kpis"].open_backlog) for p in points]
    return pd.DataFrame(rows, columns=["at", "score", "open"])


def _score_at(at: datetime, district: str | None, agency: str | None, ttl_s: float) -> dict:
    """The City Score and its figures at a past moment, computed once for the room and kept `ttl_s`."""
    rt = runtime()
    return cached("leader_score_at", (), lambda: score_at(rt.engine, at, rt.settings.targets_path, district, agency),
                  district, agency, at, ttl_s=ttl_s)  # fmt: skip


def _sla_gaps(engine: Engine, moment: datetime) -> pd.DataFrame:
    return cached("leader_sla_gaps", ("complaints",), lambda: sla_gaps(engine, moment))


def _lang_href(path: str, lang: str) -> str:
    return f"{path}?{urlencode({'lang': 'en' if lang == 'id' else 'id'})}"


def _score_block(score: float | None, history: pd.DataFrame, lang: str) -> tuple:
    week = history.iloc[-7] if len(history) >= 7 else None
    delta = None if week is None or score is None or pd.isna(week["score"]) else score - float(week["score"])
    times = [*history["at"].tolist(), now()]
    values = [*history["score"].tolist(), score]
    card = parts.score_card(score, delta, parts.sparkline_figure(times, values, lang), lang)
    return card, (None if week is None else int(week["open"])), (None if week is None else week["score"])


def _alert_rows(moment: datetime, names: dict[str, str], district: str | None = None, lang: str = "id") -> list[dict]:
    frame = localise_titles(runtime().engine, active_alerts(runtime().engine, moment, district), lang)
    return [
        {
            "severity": r.severity,
            "title": r.title,
            "district": names.get(r.district_code or "", ""),
            "opened": fmt_time_wib(r.opened_at, with_date=True),
        }
        for r in frame.itertuples()
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


def _sla_target(targets_path) -> float | None:  # noqa: ANN001
    return next((m.target for m in load_measures(targets_path) if m.key == "sla_pct"), None)


def render_city(lang: str) -> object:
    """The briefing for the whole city."""
    rt, moment = runtime(), now()
    engine, targets = rt.engine, rt.settings.targets_path
    snap = cached("leader_snapshot", DOMAINS, lambda: city_snapshot(engine, moment, targets), None)
    history = _history(moment)
    score_card, open_week, score_week = _score_block(snap.score, history, lang)
    districts = cached("leader_districts", DOMAINS, lambda: district_ranking(engine, moment, targets))
    agencies = cached("leader_agencies", DOMAINS, lambda: agency_ranking(engine, moment, targets))
    names = dict(zip(districts["code"], districts["name"], strict=True))
    alerts = _alert_rows(moment, names, lang=lang)
    gaps = _sla_gaps(engine, moment)
    worst = gaps.iloc[0] if not gaps.empty else None
    figures = BriefingFigures(
        open_now=snap.complaints.open_backlog,
        open_week_ago=open_week,
        score_now=snap.score,
        score_week_ago=score_week,
        late_open=snap.complaints.late_open,
        sla_target_pct=_sla_target(targets),
        worst_district=None if worst is None else worst["district"],
        worst_category=None if worst is None else worst["category"],
        worst_sla_pct=None if worst is None else float(worst["sla_pct"]),
        active_alerts=len(alerts),
    )
    top, bottom = ranked(snap.measures, 5)
    acts = leader_actions(alerts, gaps, districts, bottom, _sla_target(targets), lang)
    header = parts.page_header(t("leader_title", lang), lang, fmt_time_wib(moment), None, _lang_href("/leader", lang))
    return leader.briefing(
        header,
        score_card,
        parts.summary_card(summary_sentences(figures, lang), lang),
        parts.actions_card(acts, lang),
        parts.kpi_strip(_kpi_items(snap, lang)),
        parts.measure_list(t("leader_top", lang), top, lang, "top"),
        parts.measure_list(t("leader_bottom", lang), bottom, lang, "bottom"),
        parts.alerts_card(alerts, lang),
        parts.ranking_card(
            t("leader_ranking_districts", lang), _ranking_rows(districts, False), "/leader/district", lang, "rank-d"
        ),
        parts.ranking_card(
            t("leader_ranking_agencies", lang), _ranking_rows(agencies, True), "/leader/agency", lang, "rank-a"
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
    engine, targets = rt.engine, rt.settings.targets_path
    back = f"/leader?lang={lang}"
    pops = district_populations(engine)
    names = dict(zip(pops["code"], pops["name"], strict=True))
    if kind == "district":
        name = names.get(code)
        district, agency = code, None
    else:
        agencies = cached("leader_agencies", DOMAINS, lambda: agency_ranking(engine, moment, targets))
        name = next((a for a in agencies["code"] if slug(a) == slug(code)), None)
        district, agency = None, name
    path = f"/leader/{kind}/{code}"
    if name is None:
        return leader.not_found(parts.page_header("—", lang, fmt_time_wib(moment), back, _lang_href(path, lang)), lang)
    header = parts.page_header(name, lang, fmt_time_wib(moment), back, _lang_href(path, lang))
    flt = ComplaintFilter(districts=(district,) if district else (), agencies=(agency,) if agency else ())
    current = score_at(engine, moment, targets, district, agency)
    if district:  # the live sensor states, as the briefing shows them
        snap = cached("leader_snapshot", DOMAINS, lambda: city_snapshot(engine, moment, targets, district), district)
        current = {"at": moment, "score": snap.score, "kpis": snap.complaints, "measures": snap.measures}
    # the 7- and 30-day comparisons sit on the wall's 10-minute grid: computed once per grid step
    back = [comparison_moment(moment, timedelta(days=d)) for d in (7, 30)]
    points = [current] + [_score_at(at, district, agency, SETTLED_TTL_S) for at in back]
    history = _history(moment, district, agency)
    score_card, open_week, score_week = _score_block(current["score"], history, lang)
    month_filter = ComplaintFilter(start=moment - timedelta(days=30), end=moment, **_scope(flt))
    month = cached("leader_month_categories", ("complaints",), lambda: counts_by(engine, month_filter, "category"),
                   district, agency)  # fmt: skip
    categories = [(category_label(r.category, lang), int(r.n)) for r in month.head(6).itertuples()]
    gaps = _sla_gaps(engine, moment)
    gaps = gaps[gaps["district_code"] == district] if district else gaps.iloc[0:0]
    figures = BriefingFigures(
        open_now=current["kpis"].open_backlog,
        open_week_ago=open_week,
        score_now=current["score"],
        score_week_ago=score_week,
        late_open=current["kpis"].late_open,
        sla_target_pct=_sla_target(targets),
        worst_district=name if not gaps.empty else None,
        worst_category=gaps.iloc[0]["category"] if not gaps.empty else None,
        worst_sla_pct=float(gaps.iloc[0]["sla_pct"]) if not gaps.empty else None,
        active_alerts=len(_alert_rows(moment, names, district)) if district else None,
        scope=None,
    )
    late = late_complaints(engine, moment, flt)
    late_rows = [
        {**r, "where": names.get(r["district_code"] or "", ""), "agency": r["agency"] if district else None}
        for r in late.to_dict("records")
    ]
    if district:
        side = parts.sensor_card(_sensor_rows(snap.sensor_states, lang), lang)
        population = int(pops.loc[pops["code"] == district, "population"].sum())
    else:
        by_d = open_by_district(engine, moment, flt).sort_values("open", ascending=False)
        side = parts.bar_list(
            f"{t('open_complaints', lang)} · {t('leader_by_district', lang)}",
            [(r.name, int(r.open)) for r in by_d.head(8).itertuples() if r.open],
            lang,
            "leader-agency-districts",
        )
        population = None
    analyst = f"/analyst?{urlencode({'district' if district else 'agency': code if district else name, 'lang': lang})}"
    return leader.detail(
        header,
        score_card,
        parts.summary_card(summary_sentences(figures, lang), lang),
        parts.compare_table(_compare_rows(points, population, lang), lang),
        parts.bar_list(t("leader_top_categories", lang), categories, lang, "leader-categories"),
        side,
        parts.late_card(late_rows, lang),
        analyst,
        lang,
    )


def _scope(flt: ComplaintFilter) -> dict:
    return {"districts": flt.districts, "agencies": flt.agencies}


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
