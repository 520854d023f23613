"""The figures of the leader's pages, gathered as plain values the layouts draw: the city briefing and a
district's or an agency's detail page.

Each part is remembered through the caller's memo by the data it reads; the moment of asking is left out of
the keys (`Unkeyed`), so every screen within one refresh shares a part. Past score points never change and
are kept for as long as they are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from data.alerts.queries import active_alerts
from data.alerts.titles import localise_titles
from data.cityscore import load_measures
from data.memo import SETTLED_TTL_S, Memo, Unkeyed, no_memo
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
from data.queries.snapshot import CitySnapshot, city_snapshot
from data.summary import BriefingFigures

DOMAINS = ("complaints", "observations", "service_metrics", "alerts")
HISTORY_DAYS = 14
HISTORY_TTL_S = (HISTORY_DAYS + 1) * 86400.0  # a point is asked for once a day, at its hour, for 14 days
COMPARED_DAYS = (7, 30)
TOP_CATEGORIES = 6
AGENCY_DISTRICTS = 8


def slug(name: str) -> str:
    """A URL-safe code for an agency name ('Dinas PUPR' -> 'dinas-pupr')."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def score_history(
    engine: Engine,
    now: datetime,
    targets_path: Path,
    district: str | None = None,
    agency: str | None = None,
    memo: Memo = no_memo,
) -> pd.DataFrame:
    """The score at this hour on each of the last 14 days, oldest first. Past points never change, so each is
    computed once for the whole room (shared through the memo, ~0.4 s each at 1M complaints)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    points = [memo((), score_at, engine, hour - timedelta(days=back), targets_path, district, agency,
                   ttl_s=HISTORY_TTL_S)
              for back in range(HISTORY_DAYS, 0, -1)]  # fmt: skip
    rows = [(p["at"], p["score"], p["kpis"].open_backlog) for p in points]
    return pd.DataFrame(rows, columns=["at", "score", "open"])


def week_ago(history: pd.DataFrame) -> tuple[int | None, float | None]:
    """The open backlog and the score a week ago, from a score history (None when it is shorter)."""
    if len(history) < 7:
        return None, None
    week = history.iloc[-7]
    return int(week["open"]), week["score"]


def sla_target(targets_path: Path) -> float | None:
    """The City Score's target for % closed within SLA."""
    return next((m.target for m in load_measures(targets_path) if m.key == "sla_pct"), None)


def top_categories(engine: Engine, now: datetime, flt: ComplaintFilter, days: int = 30) -> pd.DataFrame:
    """Complaints per category over the `days` up to `now` within the filter's places and agencies."""
    return counts_by(engine, replace(flt, start=now - timedelta(days=days), end=now), "category")


@dataclass(frozen=True)
class CityBriefing:
    """What the city's briefing shows: the snapshot, the score's history, rankings, SLA gaps and live alerts."""

    snapshot: CitySnapshot
    history: pd.DataFrame
    districts: pd.DataFrame
    agencies: pd.DataFrame
    gaps: pd.DataFrame
    alerts: pd.DataFrame  # titles in the reader's language
    figures: BriefingFigures
    sla_target: float | None


def city_briefing(engine: Engine, now: datetime, targets_path: Path, lang: str, memo: Memo = no_memo) -> CityBriefing:
    """The briefing for the whole city."""
    snap = memo(DOMAINS, city_snapshot, engine, Unkeyed(now), targets_path)
    history = score_history(engine, now, targets_path, memo=memo)
    districts = memo(DOMAINS, district_ranking, engine, Unkeyed(now), targets_path)
    agencies = memo(DOMAINS, agency_ranking, engine, Unkeyed(now), targets_path)
    gaps = memo(("complaints",), sla_gaps, engine, Unkeyed(now))
    alerts = localise_titles(engine, active_alerts(engine, now), lang)
    open_week, score_week = week_ago(history)
    worst = gaps.iloc[0] if not gaps.empty else None
    target = sla_target(targets_path)
    figures = BriefingFigures(
        open_now=snap.complaints.open_backlog,
        open_week_ago=open_week,
        score_now=snap.score,
        score_week_ago=score_week,
        late_open=snap.complaints.late_open,
        sla_target_pct=target,
        worst_district=None if worst is None else worst["district"],
        worst_category=None if worst is None else worst["category"],
        worst_sla_pct=None if worst is None else float(worst["sla_pct"]),
        active_alerts=len(alerts),
    )
    return CityBriefing(snap, history, districts, agencies, gaps, alerts, figures, target)


@dataclass(frozen=True)
class PlaceDetail:
    """What a district's or an agency's page shows."""

    name: str
    district: str | None
    agency: str | None
    points: list[dict]  # score and KPIs now, a week and a month ago (`score_at`'s dicts)
    history: pd.DataFrame
    figures: BriefingFigures
    categories: list[tuple[str, int]]  # the month's most reported categories (code, count)
    late: list[dict]  # the open complaints longest past due, with where and (for a district) which agency
    sensor_states: pd.DataFrame | None  # a district's live sensors
    open_by_district: list[tuple[str, int]]  # an agency's open complaints per kecamatan, most first
    population: int | None  # a district's residents


def place_detail(
    engine: Engine, now: datetime, targets_path: Path, kind: str, code: str, memo: Memo = no_memo
) -> PlaceDetail | None:
    """A district's (`kind` 'district', code) or an agency's ('agency', slug) page; None for an unknown code."""
    pops = district_populations(engine)
    names = dict(zip(pops["code"], pops["name"], strict=True))
    if kind == "district":
        name = names.get(code)
        district, agency = code, None
    else:
        agencies = memo(DOMAINS, agency_ranking, engine, Unkeyed(now), targets_path)
        name = next((a for a in agencies["code"] if slug(a) == slug(code)), None)
        district, agency = None, name
    if name is None:
        return None
    flt = ComplaintFilter(districts=(district,) if district else (), agencies=(agency,) if agency else ())
    snap = None
    if district:  # the live sensor states, as the briefing shows them
        snap = memo(DOMAINS, city_snapshot, engine, Unkeyed(now), targets_path, district)
        current = {"at": now, "score": snap.score, "kpis": snap.complaints, "measures": snap.measures}
    else:
        current = score_at(engine, now, targets_path, district, agency)
    # the 7- and 30-day comparisons sit on the wall's 10-minute grid: computed once per grid step
    compared = [comparison_moment(now, timedelta(days=d)) for d in COMPARED_DAYS]
    points = [current] + [memo((), score_at, engine, at, targets_path, district, agency, ttl_s=SETTLED_TTL_S)
                          for at in compared]  # fmt: skip
    history = score_history(engine, now, targets_path, district, agency, memo)
    month = memo(("complaints",), top_categories, engine, Unkeyed(now), flt)
    gaps = memo(("complaints",), sla_gaps, engine, Unkeyed(now))
    gaps = gaps[gaps["district_code"] == district] if district else gaps.iloc[0:0]
    open_week, score_week = week_ago(history)
    figures = BriefingFigures(
        open_now=current["kpis"].open_backlog,
        open_week_ago=open_week,
        score_now=current["score"],
        score_week_ago=score_week,
        late_open=current["kpis"].late_open,
        sla_target_pct=sla_target(targets_path),
        worst_district=name if not gaps.empty else None,
        worst_category=gaps.iloc[0]["category"] if not gaps.empty else None,
        worst_sla_pct=float(gaps.iloc[0]["sla_pct"]) if not gaps.empty else None,
        active_alerts=len(active_alerts(engine, now, district)) if district else None,
        scope=None,
    )
    late = [
        {**r, "where": names.get(r["district_code"] or "", ""), "agency": r["agency"] if district else None}
        for r in late_complaints(engine, now, flt).to_dict("records")
    ]
    by_district: list[tuple[str, int]] = []
    if agency:
        frame = open_by_district(engine, now, flt).sort_values("open", ascending=False)
        by_district = [(r.name, int(r.open)) for r in frame.head(AGENCY_DISTRICTS).itertuples() if r.open]
    return PlaceDetail(
        name=name,
        district=district,
        agency=agency,
        points=points,
        history=history,
        figures=figures,
        categories=[(r.category, int(r.n)) for r in month.head(TOP_CATEGORIES).itertuples()],
        late=late,
        sensor_states=snap.sensor_states if snap is not None else None,
        open_by_district=by_district,
        population=int(pops.loc[pops["code"] == district, "population"].sum()) if district else None,
    )
