"""Complaint rollup scenarios run on both stores: mixed batches after which kept rollups must equal a rebuild."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Engine, bindparam, text

from data.complaint_rollups import rebuild_all
from data.ingest.sink import store_complaints
from data.timebuckets import wib_midnight_utc

CITY_MIDNIGHT = wib_midnight_utc(datetime(2026, 3, 2).date())  # the city's midnight, in naive UTC
MINUTE = timedelta(minutes=1)
US = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
# hours to close around the buckets' edges: whole hours (5 h, 12 h, 24 h), a microsecond either side, a closure
# whose closing second's fraction is below its receipt's, one before receipt, a long one, and the analysts'
# classes' edges (a day less a microsecond, three days)
TAKEN = [5 * HOUR, 5 * HOUR - US, 5 * HOUR + US, 12 * HOUR - US, 12 * HOUR, 24 * HOUR, timedelta(0),
         timedelta(hours=3, microseconds=-250_000), -timedelta(minutes=3),
         1000 * HOUR + timedelta(seconds=1), 24 * HOUR - US, 72 * HOUR]  # fmt: skip


def complaint(n: int, minutes: int, **fields: object) -> dict:
    """Complaint TNG-n received `minutes` after the city's midnight (negative: the evening before)."""
    at = CITY_MIDNIGHT + minutes * MINUTE
    return {
        "source": "laksa", "source_id": f"TNG-{n}", "category": "banjir" if n % 2 else "sampah",
        "channel": ("app", "whatsapp", "call_112")[n % 3], "status": "open", "requested_at": at, "updated_at": at,
        "district_code": ("36.71.01", "36.71.02", None)[n % 3], **fields,
    }  # fmt: skip


def rollups(engine: Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        hourly = conn.execute(text("SELECT * FROM complaints_hourly ORDER BY 1, 2, 3, 4")).all()
        backlog = conn.execute(text("SELECT * FROM complaints_backlog ORDER BY 1, 2, 3")).all()
    return [tuple(r) for r in hourly], [tuple(r) for r in backlog]


def close_hours(engine: Engine) -> list:
    """The rollups beside the hourly counts: closures per hour and bucket, per day, kecamatan and bucket, open per
    hour received, the history of the backlog per hour, closures per hour received, agency and class, and
    arrivals per hour and facet."""
    with engine.connect() as conn:
        hours = conn.execute(text("SELECT * FROM complaints_close_hours ORDER BY 1, 2")).all()
        days = conn.execute(text("SELECT * FROM complaints_close_days ORDER BY 1, 2, 3")).all()
        still_open = conn.execute(text("SELECT * FROM complaints_open_hours ORDER BY 1, 2")).all()
        history = conn.execute(text("SELECT * FROM complaints_history_hours ORDER BY 1, 2")).all()
        agency = conn.execute(text("SELECT * FROM complaints_agency_closes ORDER BY 1, 2, 3")).all()
        arrivals = conn.execute(text("SELECT * FROM complaints_arrivals ORDER BY 1, 2, 3")).all()
    return (
        [tuple(r) for r in hours]
        + [tuple(r) for r in days]
        + [("open", *r) for r in still_open]
        + [("history", *r) for r in history]
        + [("agency", *r) for r in agency]
        + [("arrivals", *r) for r in arrivals]
    )


def later(record: dict, minutes: int, **fields: object) -> dict:
    """The same complaint sent again `minutes` after it was received, with some fields changed."""
    return {**record, "updated_at": record["requested_at"] + minutes * MINUTE, **fields}


def replay_mixed_batches(engine: Engine) -> None:
    """Store batches of every awkward kind; after each, the kept rollups must equal a rebuild."""
    first = [complaint(n, minutes) for n, minutes in enumerate(range(-150, 150, 13))]
    closing = [later(first[i], 95, status="closed", closed_at=first[i]["requested_at"] + 95 * MINUTE) for i in (0, 3)]
    batches = {
        "all new, across the city's midnight": first,
        "status steps: acknowledged, in progress": [
            later(first[1], 20, status="acknowledged"), later(first[2], 30, status="in_progress")
        ],
        "closures, one within its SLA and one closed days late": [
            *closing, later(first[5], 9000, status="closed", closed_at=first[5]["requested_at"] + 9000 * MINUTE)
        ],
        "a reopen (keeps its closed time) and an older copy (ignored)": [
            later(first[0], 200, status="open"), later(first[3], 10, status="open")
        ],
        "the same record sent again with another kecamatan, category and channel": [
            later(first[4], 40, district_code="36.71.03", category="jalan", channel="web")
        ],
        "one complaint twice in a batch, and one new already closed": [
            later(first[6], 50, status="acknowledged"), later(first[6], 60, status="closed"),
            complaint(99, 700, status="closed", closed_at=CITY_MIDNIGHT + 760 * MINUTE),
        ],
        "a closure time corrected across the city's midnight": [
            later(first[3], 300, status="closed", closed_at=first[3]["requested_at"] + 300 * MINUTE)
        ],
        "an exact repeat of a batch": [later(first[1], 20, status="acknowledged")],
    }  # fmt: skip
    for name, batch in batches.items():
        store_complaints(engine, batch)
        kept = rollups(engine), close_hours(engine)
        rebuild_all(engine)
        assert kept == (rollups(engine), close_hours(engine)), name
    assert sum(r[4] for r in rollups(engine)[0]) == len(first) + 1  # every complaint received once


def raw_figures(engine: Engine, now: datetime, district: str | None = None) -> dict[str, int]:
    """The tiles' counts straight from the raw rows (records located outside the city never count)."""
    from sqlalchemy import func, select

    from data.models import Complaint as C  # noqa: N817
    from data.timebuckets import wib_today

    day_start = wib_midnight_utc(wib_today(now))
    where = {
        "open": [C.status != "closed", C.requested_at <= now],
        "late": [C.status != "closed", C.due_at < now],
        "received": [C.requested_at >= day_start, C.requested_at <= now],
        "closed": [C.closed_at >= day_start, C.closed_at <= now],
    }
    with engine.connect() as conn:
        return {
            name: conn.execute(
                select(func.count())
                .select_from(C)
                .where(*w, C.outside_city.is_not(True), *([C.district_code == district] if district else []))
            ).scalar()
            for name, w in where.items()
        }


def tile_counts(engine: Engine, now: datetime, district: str | None = None) -> dict[str, int]:
    """The same counts as the wall's complaint tiles give them."""
    from data.queries.complaints import complaint_kpis
    from data.queries.filters import ComplaintFilter

    k = complaint_kpis(engine, now, ComplaintFilter.for_district(district))
    return {"open": k.open_backlog, "late": k.late_open, "received": k.received_today, "closed": k.closed_today}


def ranks_equal_a_sort_of_every_closure(engine: Engine, start: datetime, end: datetime) -> None:
    """Every rank `close_ranks` gives over [start, end] equals the sorted hours of the raw closures."""
    import numpy as np

    from data.queries.close_quantiles import close_ranks, quantile_offsets, quantiles_by_district

    hours_sql = "(julianday(closed_at) - julianday(requested_at)) * 24.0"
    if engine.dialect.name == "postgresql":
        hours_sql = "EXTRACT(epoch FROM (closed_at - requested_at)) / 3600.0"
    with engine.connect() as conn:
        raw = conn.execute(
            text(f"SELECT {hours_sql} FROM complaints WHERE closed_at >= :s AND closed_at <= :e "
                 "AND outside_city IS NOT TRUE"), {"s": start, "e": end}
        ).scalars().all()  # fmt: skip
        ranks = close_ranks(conn, start, end)
        expected = np.sort(np.array(raw, dtype=float))
        assert ranks.n == expected.size
        offsets = sorted({0, 1, ranks.n // 3, ranks.n // 2, (9 * ranks.n) // 10, ranks.n - 1})
        assert np.allclose(ranks.hours_at(offsets), expected[offsets], rtol=0, atol=1e-6)
        by_raw = conn.execute(
            text(f"SELECT COALESCE(district_code, ''), {hours_sql} FROM complaints WHERE closed_at >= :s "
                 "AND closed_at <= :e AND outside_city IS NOT TRUE"), {"s": start, "e": end}
        ).all()  # fmt: skip
        per_district = quantiles_by_district(conn, start, end, (0.0, 0.5, 0.9, 1.0))
    assert set(per_district) == {d for d, _ in by_raw}
    for district, (n, values) in per_district.items():
        own = np.sort(np.array([h for d, h in by_raw if d == district], dtype=float))
        assert n == own.size
        assert np.allclose(values, own[quantile_offsets(n, (0.0, 0.5, 0.9, 1.0))], rtol=0, atol=1e-6), district


def store_awkward_closures(engine: Engine) -> list[dict]:
    """Closures taking each of TAKEN (received at half past a second), one every 7 minutes, and one outside."""
    records = []
    for n, taken in enumerate(TAKEN):
        record = complaint(n, 7 * n, requested_at=CITY_MIDNIGHT + timedelta(minutes=7 * n, microseconds=500_000))
        records.append(later(record, 1, status="closed", closed_at=record["requested_at"] + taken))
    outside = complaint(50, 3, outside_city=True, status="closed", closed_at=CITY_MIDNIGHT + HOUR)
    store_complaints(engine, [*records, outside])
    return records


def open_and_late_raw(engine: Engine, moment: datetime, district: str | None = None) -> tuple[int, int]:
    """Open and late at a past moment straight from the rows, as the KPI board's `open_at` defines them."""
    sql = (
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < :t THEN 1 ELSE 0 END), 0) FROM complaints "
        "WHERE requested_at <= :t AND outside_city IS NOT TRUE AND (closed_at IS NULL OR closed_at > :t "
        "OR status != 'closed') AND (CAST(:d AS TEXT) IS NULL OR district_code = :d)"
    )
    stmt = text(sql).bindparams(bindparam("t", type_=DateTime))  # stored as SQLAlchemy stores times on SQLite
    with engine.connect() as conn:
        return tuple(int(v) for v in conn.execute(stmt, {"t": moment, "d": district}).one())


def open_and_late_kept(engine: Engine, moment: datetime, district: str | None = None) -> tuple[int, int]:
    from data.queries.filters import ComplaintFilter
    from data.queries.kpi_board import open_and_late_at

    with engine.connect() as conn:
        return open_and_late_at(conn, moment, ComplaintFilter.for_district(district))
