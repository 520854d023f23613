"""Complaint rules: a category spiking in a district, and complaints about to breach their SLA.

Both count in the database (grouped by WIB day, district and category; or by district) and bring
back a few hundred numbers at most, however many complaints the store holds.

The spike test: for each district and category, today's count so far (k) is compared with the
mean count over the same stretch of the same weekday in the previous `weeks` weeks (lambda, floored
at `min_mean`). Under "nothing unusual" k ~ Poisson(lambda); the rule fires when the one-sided
p-value P(X >= k) is below `p_value` and k >= `min_count`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, and_, func, or_, select

from data.alerts import titles
from data.alerts.config import AlertConfig
from data.alerts.lifecycle import Condition
from data.alerts.models import Alert
from data.alerts.rules import spike_severity
from data.frames import frame_of
from data.models import Complaint
from data.timebuckets import wib_day, wib_midnight_utc, wib_today

SPIKE_RULE = "complaint_spike"
SLA_RULE = "sla_due"
HOLD_FACTOR = 10  # a live spike holds until its p-value is ten times the firing threshold


def live_keys(conn: Connection, prefix: str) -> set[str]:
    rows = conn.execute(select(Alert.active_key).where(Alert.active_key.like(f"{prefix}%")))
    return {r[0] for r in rows}


def same_weekday_counts(conn: Connection, now: datetime, weeks: int) -> pd.DataFrame:
    """Counts per (WIB day, district, category) for today up to now and the same stretch `weeks` weeks back."""
    today_start = wib_midnight_utc(wib_today(now))
    elapsed = now - today_start
    first = conn.execute(select(func.min(Complaint.requested_at))).scalar()
    if first is None:
        return pd.DataFrame(columns=["day", "district_code", "category", "n"])
    windows = []
    for w in range(weeks + 1):
        start = today_start - timedelta(days=7 * w)
        if w and start < first:
            break  # no history that far back: the mean uses the weeks that exist
        windows.append(and_(Complaint.requested_at >= start, Complaint.requested_at <= start + elapsed))
    day = wib_day(Complaint.requested_at)
    stmt = (
        select(day.label("day"), Complaint.district_code, Complaint.category, func.count().label("n"))
        .where(or_(*windows), Complaint.district_code.is_not(None))
        .group_by(day, Complaint.district_code, Complaint.category)
    )
    frame = frame_of(conn.execute(stmt), ["day", "district_code", "category", "n"])
    frame.attrs["weeks"] = len(windows) - 1
    frame.attrs["today"] = wib_today(now).isoformat()
    return frame


def spike_conditions(conn: Connection, config: AlertConfig, now: datetime) -> tuple[set[str], list[Condition]]:
    rule = config.spike
    counts = same_weekday_counts(conn, now, rule.weeks)
    checked = live_keys(conn, f"{SPIKE_RULE}:")
    weeks = counts.attrs.get("weeks", 0)
    if counts.empty or weeks == 0:
        return checked, []
    today = counts[counts["day"] == counts.attrs["today"]].set_index(["district_code", "category"])["n"]
    past = counts[counts["day"] != counts.attrs["today"]].groupby(["district_code", "category"])["n"].sum() / weeks
    firing = []
    for (district, category), k in today.items():
        key = f"{SPIKE_RULE}:{district}:{category}"
        mean = float(past.get((district, category), 0.0))
        holding = key in checked
        p_limit = rule.p_value * (HOLD_FACTOR if holding else 1)
        severity, p = spike_severity(int(k), mean, rule, p_limit)
        if severity is None:
            continue
        firing.append(
            Condition(
                key=key,
                rule=SPIKE_RULE,
                kind="spike",
                severity=severity,
                title=titles.spike_title(category, district, k, mean, "id"),
                detail=f"Uji Poisson satu sisi: P(X ≥ {int(k)} | λ = {max(mean, rule.min_mean):.2f}) = {p:.2e}; "
                f"rerata {weeks} minggu, hari dan jam yang sama",
                district_code=district,
                category=category,
                value=float(k),
                threshold=mean,
            )
        )
    return checked | {c.key for c in firing}, firing


def sla_due_conditions(conn: Connection, config: AlertConfig, now: datetime) -> tuple[set[str], list[Condition]]:
    """One alert per district holding complaints that will breach their SLA within the next hours."""
    rule = config.sla_due
    horizon = now + timedelta(hours=rule.due_within_h)
    stmt = (
        select(Complaint.district_code, func.count().label("n"), func.min(Complaint.due_at).label("first_due"))
        .where(Complaint.status != "closed", Complaint.due_at > now, Complaint.due_at <= horizon)
        .group_by(Complaint.district_code)
    )
    checked = live_keys(conn, f"{SLA_RULE}:")
    firing = []
    for district, n, _first_due in conn.execute(stmt):
        if n < rule.min_count:
            continue
        key = f"{SLA_RULE}:{district or 'none'}"
        firing.append(
            Condition(
                key=key,
                rule=SLA_RULE,
                kind="sla",
                severity=rule.severity,
                title=titles.sla_title(district, n, rule.due_within_h, "id"),
                district_code=district,
                value=float(n),
            )
        )
    return checked | {c.key for c in firing}, firing
