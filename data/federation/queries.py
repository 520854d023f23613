"""The federation room's read side: one row per member (newest figures and freshness), rankings, each member's
daily history on its own local days, and the assessment table of a period.

A member that has not answered keeps its last figures and is marked stale with the time it last answered;
one that never answered has no figures at all (never zeros).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import orjson
import pandas as pd
from sqlalchemy import Engine, select

from data.federation.config import FederationConfig
from data.federation.models import FederationDay, FederationMember

DIMENSIONS = ("governance", "branding", "economy", "living", "society", "environment")
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
RANK_MEASURES = ("score", "connected_pct", "sla_pct")
BOARD_COLUMNS = (
    "code", "name", "zone", "zone_label", "url", "last_ok_at", "age_s", "stale", "error", "failures",
    "has_figures", "generated_at", "local_date", "score", "open", "late", "open_per_10k", "sla_pct",
    "connected_pct", "applications", "sensors_online_pct", "alerts_danger", "alerts_warning", "stale_feeds",
    *(f"dim_{d}" for d in DIMENSIONS),
)  # fmt: skip


def _measure(doc: dict, key: str) -> float | None:
    return next((m.get("actual") for m in doc.get("measures", ()) if m.get("key") == key), None)


def figures_of(doc: dict) -> dict[str, object]:
    """The figures the federation pages compare, from one member summary (as stored, JSON-decoded)."""
    dims = {d.get("dimension"): d.get("score") for d in doc.get("dimensions", ())}
    complaints, integration = doc.get("complaints", {}), doc.get("integration", {})
    return {
        "generated_at": doc.get("generated_at"),
        "local_date": doc.get("local_date"),
        "score": doc.get("score"),
        "open": complaints.get("open"),
        "late": complaints.get("late"),
        "open_per_10k": _measure(doc, "open_per_10k"),
        "sla_pct": complaints.get("sla_pct"),
        "connected_pct": integration.get("connected_pct"),
        "applications": integration.get("applications"),
        "sensors_online_pct": doc.get("sensors", {}).get("online_pct"),
        "alerts_danger": doc.get("alerts", {}).get("danger"),
        "alerts_warning": doc.get("alerts", {}).get("warning"),
        "stale_feeds": sum(1 for f in doc.get("feeds", ()) if f.get("stale")),
        **{f"dim_{d}": dims.get(d) for d in DIMENSIONS},
    }


def member_board(engine: Engine, config: FederationConfig, now: datetime) -> pd.DataFrame:
    """One row per configured member, in the pack's order: identity, freshness at `now` and newest figures."""
    return with_freshness(member_figures(engine, config), config, now)


def member_figures(engine: Engine, config: FederationConfig) -> pd.DataFrame:
    """Each configured member's identity, when it last answered and its newest figures; changes only when a
    pull round stores something, so screens may share it per data version (freshness is added per look)."""
    with engine.connect() as conn:
        stored = {r.code: r for r in conn.execute(select(FederationMember)).all()}
    rows = []
    for member in config.members:
        row = stored.get(member.code)
        doc = orjson.loads(row.summary) if row is not None and row.summary else None
        rows.append(
            {
                "code": member.code, "name": member.name, "zone": member.zone,
                "zone_label": ZONE_LABELS[member.zone], "url": member.url,
                "last_ok_at": row.last_ok_at if row is not None else None,
                "error": row.last_error if row is not None else None,
                "failures": row.failures if row is not None else 0,
                "has_figures": doc is not None,
                **(figures_of(doc) if doc else {}),
            }
        )  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=list(BOARD_COLUMNS))


def with_freshness(figures: pd.DataFrame, config: FederationConfig, now: datetime) -> pd.DataFrame:
    """The board at `now`: each member's age since it last answered, stale past the pack's limit (or never)."""
    board = figures.copy()
    last_ok = pd.to_datetime(board["last_ok_at"])
    board["age_s"] = (pd.Timestamp(now) - last_ok).dt.total_seconds()
    board["stale"] = board["age_s"].isna() | (board["age_s"] > config.stale_after_seconds)
    return board


def rankings(board: pd.DataFrame, measure: str, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top and bottom `n` members by a measure (higher is better), among members that have figures."""
    ranked = board[board["has_figures"].fillna(False).astype(bool)].dropna(subset=[measure])
    ranked = ranked.sort_values([measure, "name"], ascending=[False, True])
    return ranked.head(n), ranked.tail(n).iloc[::-1]


def member_history(engine: Engine, codes: list[str] | None = None) -> pd.DataFrame:
    """Each member's daily history (its own local days) from its newest summary: score, SLA, flows."""
    stmt = select(FederationMember.code, FederationMember.name, FederationMember.summary).where(
        FederationMember.summary.is_not(None)
    )
    if codes:
        stmt = stmt.where(FederationMember.code.in_(codes))
    rows = []
    with engine.connect() as conn:
        for code, name, body in conn.execute(stmt).all():
            for day in orjson.loads(body).get("history", ()):
                rows.append({"code": code, "name": name, **day})
    columns = ["code", "name", "day", "received", "closed", "backlog", "sla_pct", "score"]
    frame = pd.DataFrame(rows).reindex(columns=columns)
    return frame.sort_values(["code", "day"]).reset_index(drop=True)


ASSESSMENT_COLUMNS = (
    "code", "name", "zone_label", "period_start", "period_end", "days_reported", "last_day", "score",
    *(f"dim_{d}" for d in DIMENSIONS), "connected_pct", "applications", "sla_pct", "open", "late",
    "sensors_online_pct",
)  # fmt: skip


def assessment_table(engine: Engine, config: FederationConfig, start: date, end: date) -> pd.DataFrame:
    """Per member, for the days from `start` to `end` (each member's own local days): how many days it
    reported, and the six dimensions and main figures of its last reported day in the period."""
    first, last = start.isoformat(), end.isoformat()
    stmt = (
        select(FederationDay.member_code, FederationDay.local_date, FederationDay.summary)
        .where(FederationDay.local_date >= first, FederationDay.local_date <= last)
        .order_by(FederationDay.member_code, FederationDay.local_date)
    )
    days: dict[str, list[tuple[str, str]]] = {}
    with engine.connect() as conn:
        for code, day, body in conn.execute(stmt).all():
            days.setdefault(code, []).append((day, body))
    rows = []
    for member in config.members:
        reported = days.get(member.code, [])
        figures = figures_of(orjson.loads(reported[-1][1])) if reported else {}
        rows.append(
            {
                "code": member.code, "name": member.name, "zone_label": ZONE_LABELS[member.zone],
                "period_start": first, "period_end": last, "days_reported": len(reported),
                "last_day": reported[-1][0] if reported else None, **figures,
            }
        )  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=list(ASSESSMENT_COLUMNS))


def scores_back(history: pd.DataFrame, board: pd.DataFrame, days: tuple[int, ...] = (7, 30)) -> dict[str, dict]:
    """Each member's City Score `days` before its own newest local day ({"week": ..., "month": ...})."""
    names = {7: "week", 30: "month"}
    out: dict[str, dict] = {}
    by_member = {code: frame.set_index("day")["score"] for code, frame in history.groupby("code")}
    for _, row in board.iterrows():
        series, local = by_member.get(row["code"]), row.get("local_date")
        if series is None or not isinstance(local, str):
            continue
        today = date.fromisoformat(local)
        out[row["code"]] = {
            names.get(n, str(n)): _or_none(series.get((today - timedelta(days=n)).isoformat())) for n in days
        }
    return out


def _or_none(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
