"""The leaders' figures: complaint KPIs per district or agency at any moment, scores, and their history.

Unlike the wall's `complaint_kpis`, a complaint here counts as open at `at` when it had been received and
was not yet closed then (closed_at after `at`), so the same function answers "now", "a week ago" and
"a month ago" and trends compare like with like.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.engine import Connection

from data.cityscore import city_score, load_measures, score_measures
from data.frames import frame_of
from data.models import Complaint, District, ObservationHourly, Sensor
from data.queries import close_quantiles, sensors, services
from data.queries import complaint_flows as flows
from data.queries.closures import CLOSE_WINDOW_DAYS
from data.queries.complaint_flows import grouped_flow
from data.queries.complaints import OPEN_STATUSES, ComplaintKpis, any_of_indexed
from data.queries.filters import ComplaintFilter
from data.queries.snapshot import measure_actuals
from data.timebuckets import hours_between, wib_midnight_utc, wib_today

GROUPS = {"district": Complaint.district_code, "agency": Complaint.agency}
KPI_FIELDS = tuple(ComplaintKpis.__dataclass_fields__)
ALL = "all"


def open_at(at: datetime) -> object:
    """Received by `at` and not closed by then (a closed complaint without a close time counts as closed)."""
    return and_(
        Complaint.requested_at <= at,
        any_of_indexed(
            lambda c: c.c.closed_at > at, lambda c: and_(c.c.closed_at.is_(None), c.c.status.in_(OPEN_STATUSES))
        ),
    )


def _group_expr(group: str | None) -> object:
    if group is None:
        return literal(ALL)
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; expected one of {sorted(GROUPS)}")
    return GROUPS[group]


def _grouped(conn: Connection, g: object, columns: list, where: list) -> dict[str, tuple]:
    stmt = select(g.label("g"), *columns).where(*where).group_by(g)
    return {row[0]: tuple(row[1:]) for row in conn.execute(stmt)}


def _grouped_quantiles(
    conn: Connection, g: object, value: object, where: list, qs: tuple[float, ...]
) -> dict[str, list[float | None]]:
    """Exact quantiles per group by ordered offset (the same pick as `complaints._quantiles`), one query."""
    inner = (
        select(
            g.label("g"),
            value.label("v"),
            (func.row_number().over(partition_by=g, order_by=value) - 1).label("rn"),
            func.count().over(partition_by=g).label("n"),
        )
        .where(*where)
        .subquery()
    )
    near = or_(*[inner.c.rn == cast(q * (inner.c.n - 1), Integer) + k for q in qs for k in (0, 1)])
    rows = conn.execute(select(inner.c.g, inner.c.v, inner.c.rn, inner.c.n).where(near)).all()
    picked: dict[tuple[str, int], float] = {(r.g, int(r.rn)): float(r.v) for r in rows}
    sizes = {r.g: int(r.n) for r in rows}
    out: dict[str, list[float | None]] = {}
    for key, n in sizes.items():
        out[key] = [picked.get((key, min(n - 1, max(0, int(round(q * (n - 1))))))) for q in qs]
    return out


def complaint_kpis_by(
    engine: Engine, at: datetime, group: str | None = None, flt: ComplaintFilter | None = None
) -> pd.DataFrame:
    """ComplaintKpis as of `at` per district or agency (group), or one row 'all'; a few grouped queries."""
    flt = flt or ComplaintFilter()
    base = flt.clauses(include_time=False)
    g = _group_expr(group)
    day_start = wib_midnight_utc(wib_today(at))
    window = [Complaint.closed_at >= at - timedelta(days=CLOSE_WINDOW_DAYS), Complaint.closed_at <= at, *base]
    with engine.connect() as conn:
        backlog = _grouped(
            conn,
            g,
            [func.count(), func.sum(case((Complaint.due_at < at, 1), else_=0))],
            [open_at(at), *base],
        )
        if group != "agency" and flows.answers(flt):  # the rollups carry kecamatan, not agency
            received, closed, within = _rollup_flows(conn, at, day_start, group, flt)
        else:
            received = _grouped(
                conn, g, [func.count()], [Complaint.requested_at >= day_start, Complaint.requested_at <= at, *base]
            )
            closed = _grouped(
                conn, g, [func.count()], [Complaint.closed_at >= day_start, Complaint.closed_at <= at, *base]
            )
            within = _grouped(
                conn, g, [func.count(), func.sum(case((Complaint.closed_at <= Complaint.due_at, 1), else_=0))], window
            )
        if group != "agency" and close_quantiles.answers(flt):  # the closures' duration rollups
            close_q = _rollup_close_quantiles(conn, at - timedelta(days=CLOSE_WINDOW_DAYS), at, group, flt)
        else:
            close_q = _grouped_quantiles(
                conn, g, hours_between(Complaint.requested_at, Complaint.closed_at), window, (0.5, 0.9)
            )
        age_q = _grouped_quantiles(conn, g, hours_between(Complaint.requested_at, at), [open_at(at), *base], (0.5,))
    keys = sorted({k for part in (backlog, received, closed, within) for k in part if k is not None})
    if group is None and not keys:
        keys = [ALL]
    rows = []
    for key in keys:
        n_open, n_late = backlog.get(key, (0, 0))
        n_closed, n_within = within.get(key, (0, 0))
        rows.append(
            {
                "key": key,
                "open_backlog": int(n_open or 0),
                "late_open": int(n_late or 0),
                "backlog_median_age_h": age_q.get(key, [None])[0],
                "received_today": int(received.get(key, (0,))[0] or 0),
                "closed_today": int(closed.get(key, (0,))[0] or 0),
                "closed_within_sla_pct": (100.0 * (n_within or 0) / n_closed) if n_closed else None,
                "median_close_h": close_q.get(key, [None, None])[0],
                "p90_close_h": close_q.get(key, [None, None])[1],
            }
        )
    return pd.DataFrame(rows, columns=["key", *KPI_FIELDS])


def _rollup_flows(
    conn: Connection, at: datetime, day_start: datetime, group: str | None, flt: ComplaintFilter
) -> tuple[dict, dict, dict]:
    """Received and closed today and the 30-day closures with those within SLA, per kecamatan (or 'all'),
    in the shape `_grouped` returns, from the rollups."""
    by = ("district_code",) if group else ()

    def keyed(frame: pd.DataFrame, columns: list[str]) -> dict:
        keys = [code or None for code in frame["district_code"]] if group else [ALL] * len(frame)
        return {k: tuple(int(v) for v in row) for k, row in zip(keys, frame[columns].to_numpy(), strict=True)}

    today = flows.grouped_flow(conn, day_start, at, by, flt)
    window = flows.grouped_flow(conn, at - timedelta(days=CLOSE_WINDOW_DAYS), at, by, flt)
    received = keyed(today[today["received"] > 0], ["received"])
    closed = keyed(today[today["closed"] > 0], ["closed"])
    return received, closed, keyed(window[window["closed"] > 0], ["closed", "within"])


def _rollup_close_quantiles(
    conn: Connection, start: datetime, end: datetime, group: str | None, flt: ComplaintFilter
) -> dict[str | None, list[float | None]]:
    """Median and P90 hours to close per kecamatan (or 'all') in the shape `_grouped_quantiles` returns, from the
    closures' duration rollups (data/queries/close_quantiles.py)."""
    qs = (0.5, 0.9)
    if group:
        by_district = close_quantiles.quantiles_by_district(conn, start, end, qs, flt)
        return {code or None: values for code, (_, values) in by_district.items()}
    ranks = close_quantiles.close_ranks(conn, start, end, flt)
    return {ALL: ranks.hours_at(close_quantiles.quantile_offsets(ranks.n, qs))} if ranks.n else {}


def kpis_of(row: pd.Series | dict) -> ComplaintKpis:
    """One row of `complaint_kpis_by` as the ComplaintKpis the City Score is computed from."""
    values = {f: (None if pd.isna(row[f]) else row[f]) for f in KPI_FIELDS}
    counts = ("open_backlog", "late_open", "received_today", "closed_today")
    return ComplaintKpis(
        **{k: (int(v or 0) if k in counts else (None if v is None else float(v))) for k, v in values.items()}
    )


def empty_kpis() -> ComplaintKpis:
    return ComplaintKpis(0, 0, None, 0, 0, None, None, None)


def district_populations(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(District.code, District.name, District.population).order_by(District.name)).all()
    return pd.DataFrame(rows, columns=["code", "name", "population"])


def district_ranking(engine: Engine, now: datetime, targets_path: Path) -> pd.DataFrame:
    """Every kecamatan: City Score, open complaints per 10,000 residents and % closed within SLA, best first."""
    measures = load_measures(targets_path)
    kpis = complaint_kpis_by(engine, now, "district").set_index("key")
    states = sensors.sensor_states(engine, now)
    health = services.latest_service_health(engine, now)
    rows = []
    for d in district_populations(engine).itertuples():
        k = kpis_of(kpis.loc[d.code]) if d.code in kpis.index else empty_kpis()
        own = states[states["district_code"] == d.code] if not states.empty else states
        scores = score_measures(measures, measure_actuals(k, own, health, d.population))
        rows.append(
            {
                "code": d.code,
                "name": d.name,
                "score": city_score(scores),
                "open": k.open_backlog,
                "late": k.late_open,
                "open_per_10k": k.open_backlog * 10_000 / d.population if d.population else None,
                "sla_pct": k.closed_within_sla_pct,
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("score", ascending=False, na_position="last").reset_index(drop=True)


def agency_ranking(engine: Engine, now: datetime, targets_path: Path) -> pd.DataFrame:
    """Every agency answering complaints: its score from its complaints and its own digital services."""
    measures = load_measures(targets_path)
    kpis = complaint_kpis_by(engine, now, "agency")
    health = services.latest_service_health(engine, now)
    population = int(district_populations(engine)["population"].sum())
    rows = []
    for row in kpis.itertuples(index=False):
        k = kpis_of(row._asdict())
        own = health[health["agency"] == row.key] if not health.empty else health
        scores = score_measures(measures, measure_actuals(k, pd.DataFrame(), own, population))
        rows.append(
            {
                "code": row.key,
                "name": row.key,
                "score": city_score(scores),
                "open": k.open_backlog,
                "late": k.late_open,
                "open_per_10k": k.open_backlog * 10_000 / population if population else None,
                "sla_pct": k.closed_within_sla_pct,
            }
        )
    frame = pd.DataFrame(rows, columns=["code", "name", "score", "open", "late", "open_per_10k", "sla_pct"])
    return frame.sort_values("score", ascending=False, na_position="last").reset_index(drop=True)


def sensor_states_at(engine: Engine, at: datetime, district: str | None = None) -> pd.DataFrame:
    """Sensor states at a past moment from the hourly rollup (each sensor's last hour before `at`)."""
    newest = (
        select(ObservationHourly.sensor_id, func.max(ObservationHourly.hour).label("hour"))
        .where(ObservationHourly.hour < at, ObservationHourly.hour >= at - timedelta(days=1))
        .group_by(ObservationHourly.sensor_id)
        .subquery()
    )
    stmt = (
        select(
            Sensor.id,
            Sensor.kind,
            Sensor.district_code,
            Sensor.warning_threshold,
            Sensor.danger_threshold,
            Sensor.expected_interval_s,
            newest.c.hour,
            (ObservationHourly.total / ObservationHourly.n).label("value"),
        )
        .join(newest, newest.c.sensor_id == Sensor.id, isouter=True)
        .join(
            ObservationHourly,
            and_(ObservationHourly.sensor_id == newest.c.sensor_id, ObservationHourly.hour == newest.c.hour),
            isouter=True,
        )
        .where(Sensor.active.is_(True))
    )
    if district:
        stmt = stmt.where(Sensor.district_code == district)
    with engine.connect() as conn:
        frame = frame_of(conn.execute(stmt))
    if frame.empty:
        return frame
    ends = pd.to_datetime(frame["hour"]) + pd.Timedelta(hours=1)
    # An hour's mean stands for the reading at the end of that hour (or at `at`, whichever is earlier).
    frame["age_s"] = (pd.Timestamp(at) - ends.clip(upper=pd.Timestamp(at))).dt.total_seconds()
    frame["age_s"] = frame["age_s"].where(frame["hour"].notna())
    # Hourly rollups arrive at most hourly: allow an hour more than the live staleness rule.
    frame["expected_interval_s"] = frame["expected_interval_s"].clip(lower=1200)
    frame["state"] = sensors.classify(frame, at)
    return frame


def score_at(
    engine: Engine, at: datetime, targets_path: Path, district: str | None = None, agency: str | None = None
) -> dict[str, object]:
    """City Score and complaint KPIs of the city, one district or one agency as they stood at `at`."""
    measures = load_measures(targets_path)
    flt = ComplaintFilter(districts=(district,) if district else (), agencies=(agency,) if agency else ())
    frame = complaint_kpis_by(engine, at, None, flt)
    k = kpis_of(frame.iloc[0]) if not frame.empty else empty_kpis()
    pops = district_populations(engine)
    population = int(pops.loc[pops["code"] == district, "population"].sum() if district else pops["population"].sum())
    health = services.latest_service_health(engine, at)
    if agency:
        health = health[health["agency"] == agency] if not health.empty else health
        states = pd.DataFrame()
    else:
        states = sensor_states_at(engine, at, district)
    scores = score_measures(measures, measure_actuals(k, states, health, population))
    return {"at": at, "score": city_score(scores), "kpis": k, "measures": scores}


def sla_gaps(engine: Engine, now: datetime, days: int = 30, min_closed: int = 5) -> pd.DataFrame:
    """% closed within SLA per district and category over the last `days`, worst first (small groups left out)."""
    with engine.connect() as conn:  # the rollups: whole hours summed, the two partial edge hours from the rows
        flow = grouped_flow(conn, now - timedelta(days=days), now, ("district_code", "category"), ComplaintFilter())
        names = dict(conn.execute(select(District.code, District.name)).all())
    flow = flow[(flow["closed"] >= min_closed) & flow["district_code"].isin(names)]
    frame = flow.assign(district=flow["district_code"].map(names))[
        ["district_code", "district", "category", "closed", "within"]
    ].reset_index(drop=True)
    frame["sla_pct"] = 100.0 * frame["within"] / frame["closed"]
    return frame.sort_values(["sla_pct", "closed"], ascending=[True, False]).reset_index(drop=True)


def late_complaints(engine: Engine, now: datetime, flt: ComplaintFilter, limit: int = 15) -> pd.DataFrame:
    """The open complaints longest past their SLA due time, for a leader's follow-up list (no personal data)."""
    stmt = (
        select(
            Complaint.id,
            Complaint.category,
            Complaint.status,
            Complaint.agency,
            Complaint.district_code,
            District.name.label("district"),
            Complaint.requested_at,
            Complaint.due_at,
            hours_between(Complaint.due_at, literal(now)).label("late_h"),
        )
        .join(District, District.code == Complaint.district_code, isouter=True)
        .where(open_at(now), Complaint.due_at < now, *flt.clauses(include_time=False))
        .order_by(Complaint.due_at)
        .limit(limit)
    )
    with engine.connect() as conn:
        return frame_of(
            conn.execute(stmt),
            [
                "id",
                "category",
                "status",
                "agency",
                "district_code",
                "district",
                "requested_at",
                "due_at",
                "late_h",
            ],
        )
