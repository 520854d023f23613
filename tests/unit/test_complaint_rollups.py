"""The complaint rollups kept at ingest equal a rebuild from the raw rows after new complaints across the city's
midnight, status steps, closures, a reopen, a record sent again with other fields, repeats and older copies;
and the revision that creates them fills them as the app's rebuild does."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.config import Config

from data.complaint_rollups import rebuild_all
from data.ingest.sink import store_complaints
from data.store import MIGRATIONS_DIR
from data.timebuckets import wib_midnight_utc, wib_today
from tests.helpers.complaint_rollup_scenarios import (
    CITY_MIDNIGHT,
    MINUTE,
    complaint,
    raw_figures,
    replay_mixed_batches,
    rollups,
    tile_counts,
)


def test_complaint_rollups_kept_at_ingest_equal_a_rebuild_after_mixed_batches(sqlite_engine):
    replay_mixed_batches(sqlite_engine)


def test_a_reopened_complaint_leaves_the_backlog_counted_closed_by_time_but_open_by_status(sqlite_engine):
    record = complaint(1, 10)
    closed_at = CITY_MIDNIGHT + 70 * MINUTE
    store_complaints(sqlite_engine, [record])
    store_complaints(sqlite_engine, [{**record, "status": "closed", "closed_at": closed_at, "updated_at": closed_at}])
    hourly, backlog = rollups(sqlite_engine)
    assert backlog == [] and [r[4:] for r in hourly] == [(1, 0, 0, 0), (0, 1, 1, 1)]
    reopened = {**record, "status": "open", "updated_at": closed_at + 60 * MINUTE}
    store_complaints(sqlite_engine, [reopened])
    hourly, backlog = rollups(sqlite_engine)
    assert [r[-1] for r in backlog] == [1]
    assert [r[4:] for r in hourly] == [(1, 0, 0, 0), (0, 1, 1, 0)]  # closed at 01:10, no longer for good


def test_the_migration_fills_the_rollups_as_the_rebuild_does(sqlite_engine):
    replay_mixed_batches(sqlite_engine)
    expected = rollups(sqlite_engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    with sqlite_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "f001_federation")
        command.upgrade(cfg, "p006_complaint_rollups")
    assert rollups(sqlite_engine) == expected
    with sqlite_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")  # the rebuild fills the later rollups too
    rebuild_all(sqlite_engine)
    assert rollups(sqlite_engine) == expected


def _stored(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores times on SQLite


def test_the_wall_counts_from_the_rollups_equal_the_raw_counts_at_any_moment(small_city):
    from datetime import timedelta

    from sqlalchemy import func, select

    from data.models import Complaint

    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar()
    midnight = wib_midnight_utc(wib_today(end))
    moments = [end, end - timedelta(minutes=37), midnight, midnight + timedelta(minutes=1), midnight - MINUTE]
    for now in moments:
        for district in (None, "36.71.01"):
            assert tile_counts(small_city, now, district) == raw_figures(small_city, now, district), (now, district)


def test_daily_flows_from_the_rollups_equal_the_raw_daily_counts(small_city):
    from datetime import timedelta

    from sqlalchemy import func, select, text

    from data.models import Complaint
    from data.queries.kpi_board import daily_flows

    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar() - timedelta(minutes=23)
        first = wib_today(end) - timedelta(days=6)
        frame = daily_flows(small_city, first, 7, end)
        start = wib_midnight_utc(first)
        for day, row in frame.iterrows():
            lo = wib_midnight_utc(date.fromisoformat(day))
            hi = min(lo + timedelta(days=1), end + timedelta(microseconds=1))
            params = {"lo": _stored(max(lo, start)), "hi": _stored(hi)}
            received = conn.execute(
                text(
                    "SELECT count(*) FROM complaints WHERE requested_at >= :lo AND requested_at < :hi "
                    "AND NOT outside_city"
                ),
                params,
            ).scalar()
            closed, within = conn.execute(
                text("SELECT count(*), sum(CASE WHEN closed_at <= due_at THEN 1 ELSE 0 END) FROM complaints "
                     "WHERE closed_at >= :lo AND closed_at < :hi AND NOT outside_city"), params
            ).one()  # fmt: skip
            assert (row["received"], row["closed"]) == (received, closed), day
            assert (row["within"] if closed else None) == (within if closed else None), day


def test_a_window_with_partial_hours_at_both_edges_sums_as_the_raw_rows_do(small_city):
    from datetime import timedelta

    from sqlalchemy import func, select, text

    from data.models import Complaint
    from data.queries.complaint_flows import grouped_flow
    from data.queries.filters import ComplaintFilter

    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar() - timedelta(minutes=11)
        start = end - timedelta(days=30, minutes=-47)
        got = grouped_flow(conn, start, end, ("district_code", "category"), ComplaintFilter())
        params = {"lo": _stored(start), "hi": _stored(end)}
        closed = conn.execute(
            text("SELECT coalesce(district_code, ''), category, count(*), "
                 "sum(CASE WHEN closed_at <= due_at THEN 1 ELSE 0 END) FROM complaints "
                 "WHERE closed_at >= :lo AND closed_at <= :hi AND NOT outside_city GROUP BY 1, 2"), params
        ).all()  # fmt: skip
        received = conn.execute(
            text("SELECT coalesce(district_code, ''), category, count(*) FROM complaints "
                 "WHERE requested_at >= :lo AND requested_at <= :hi AND NOT outside_city GROUP BY 1, 2"), params
        ).all()  # fmt: skip
    by_key = got.set_index(["district_code", "category"])
    assert {k: (r.closed, r.within) for k, r in by_key.iterrows() if r.closed} == {
        (d, c): (n, w) for d, c, n, w in closed
    }
    assert {k: r.received for k, r in by_key.iterrows() if r.received} == {(d, c): n for d, c, n in received}


def test_the_analysts_preset_counts_from_the_rollups_equal_the_raw_counts(small_city):
    from dataclasses import replace
    from datetime import timedelta

    from sqlalchemy import func, select

    from data.models import COMPLAINT_STATUSES, Complaint
    from data.queries.complaints import counts_by
    from data.queries.filters import ComplaintFilter

    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar()
    for days in (1, 7, 30):
        flt = ComplaintFilter(start=end - timedelta(days=days, minutes=13), end=end)
        raw = replace(flt, statuses=COMPLAINT_STATUSES)  # a condition the rollups do not carry: the rows answer
        for column in ("category", "channel", "district_code"):
            got = counts_by(small_city, flt, column).set_index(column)["n"].to_dict()
            assert got == counts_by(small_city, raw, column).set_index(column)["n"].to_dict(), (days, column)
