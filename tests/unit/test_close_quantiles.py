"""Hours to close ranked through the closures' duration rollup: buckets agree between Python and SQL at their
edges (whole hours, a microsecond either side, fractions of a second, closures before receipt), the kept rollup
equals a rebuild and the revision's fill, and the value at any rank equals a sort of every closure."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select, text

from data.complaint_rollups import close_bucket, close_bucket_of, close_span, close_span_of, rebuild_all
from data.ingest.sink import store_complaints
from data.models import Complaint
from data.queries.close_quantiles import close_ranks
from data.store import MIGRATIONS_DIR
from tests.conftest import DEMO_END
from tests.helpers.complaint_rollup_scenarios import (
    CITY_MIDNIGHT,
    HOUR,
    TAKEN,
    close_hours,
    later,
    ranks_equal_a_sort_of_every_closure,
    rollups,
    store_awkward_closures,
)


def test_sql_buckets_equal_python_buckets_at_their_edges(sqlite_engine):
    records = store_awkward_closures(sqlite_engine)
    with sqlite_engine.connect() as conn:
        stmt = select(Complaint.source_id, close_bucket(Complaint.requested_at, Complaint.closed_at))
        got = {source_id: bucket for source_id, bucket in conn.execute(stmt)}
    assert {r["source_id"]: close_bucket_of(r["requested_at"], r["closed_at"]) for r in records} == {
        k: v for k, v in got.items() if k != "TNG-50"
    }
    buckets = [close_bucket_of(CITY_MIDNIGHT, CITY_MIDNIGHT + t) for t in TAKEN]
    assert buckets == [5, 4, 5, 11, 12, 24, 0, 2, -1, 896, 22, 72]


def test_sql_time_to_close_classes_equal_python_classes_at_their_edges(sqlite_engine):
    records = store_awkward_closures(sqlite_engine)
    with sqlite_engine.connect() as conn:
        stmt = select(Complaint.source_id, close_span(Complaint.requested_at, Complaint.closed_at))
        got = {source_id: span for source_id, span in conn.execute(stmt) if source_id != "TNG-50"}
    assert got == {r["source_id"]: close_span_of(r["requested_at"], r["closed_at"]) for r in records}
    spans = [close_span_of(CITY_MIDNIGHT, CITY_MIDNIGHT + t) for t in TAKEN]
    assert spans == [0, 0, 0, 0, 0, 24, 0, 0, 0, 336, 0, 72]


def test_kept_close_hours_equal_a_rebuild_after_corrections_and_reopens(sqlite_engine):
    records = store_awkward_closures(sqlite_engine)
    store_complaints(sqlite_engine, [
        later(records[0], 90, closed_at=records[0]["closed_at"] + 30 * HOUR),  # a closure time corrected
        later(records[1], 90, status="open"),  # reopened: keeps its closed time
    ])  # fmt: skip
    kept = close_hours(sqlite_engine)
    rebuild_all(sqlite_engine)
    assert kept == close_hours(sqlite_engine)
    assert sum(r[-1] for r in kept if len(r) == 3) == len(TAKEN)  # the outside record never counts


def test_the_revision_fills_close_hours_as_the_rebuild_does(sqlite_engine):
    store_awkward_closures(sqlite_engine)
    expected = close_hours(sqlite_engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    with sqlite_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "s001_auth_sessions")  # before both duration rollups
        command.upgrade(cfg, "heads")
    assert close_hours(sqlite_engine) == expected and rollups(sqlite_engine)[0]


def test_every_rank_equals_a_sort_of_the_raw_closures_at_awkward_edges(small_city):
    with small_city.connect() as conn:
        end = conn.execute(select(func.max(Complaint.requested_at))).scalar()
    on_the_hour = end.replace(minute=0, second=0, microsecond=0)
    for start, stop in [
        (end - timedelta(days=30), end),  # both edges mid-hour
        (on_the_hour - timedelta(days=30), on_the_hour),  # whole hours only
        (end - timedelta(minutes=20), end),  # inside one hour
        (DEMO_END - timedelta(days=7, minutes=1), DEMO_END - timedelta(days=1)),
    ]:
        ranks_equal_a_sort_of_every_closure(small_city, start, stop)


def test_the_bucket_pick_reads_the_bucket_index(small_city):
    with small_city.connect() as conn:
        ranks = close_ranks(conn, DEMO_END - timedelta(days=30), DEMO_END)
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(text("EXPLAIN QUERY PLAN SELECT 1 FROM complaints WHERE "
                                         f"{_bucket_sql()} = :b AND closed_at >= :s"), {"b": ranks.buckets[0],
                                                                                          "s": DEMO_END})
        )  # fmt: skip
    assert "ix_complaints_close_bucket" in plan


def _bucket_sql() -> str:
    from data.complaint_rollups import close_bucket_sql

    return close_bucket_sql("requested_at", "closed_at", "sqlite")


def test_the_backlog_median_age_equals_the_median_of_the_open_rows(small_city):
    from data.queries.close_quantiles import backlog_median_age, quantile_offsets
    from data.queries.filters import ComplaintFilter
    from data.timebuckets import wib_midnight_utc, wib_today

    midnight = wib_midnight_utc(wib_today(DEMO_END))
    on_the_hour = DEMO_END.replace(minute=0)
    moments = [DEMO_END, DEMO_END - timedelta(minutes=37), midnight, midnight - timedelta(microseconds=1), on_the_hour]
    with small_city.connect() as conn:
        for now in moments:
            for district in (None, "36.71.01"):
                ages = sorted(
                    conn.execute(
                        text("SELECT (julianday(:n) - julianday(requested_at)) * 24.0 FROM complaints "
                             "WHERE status != 'closed' AND requested_at <= :n AND outside_city IS NOT TRUE "
                             "AND (:d IS NULL OR district_code = :d)"), {"n": now, "d": district}
                    ).scalars()
                )  # fmt: skip
                got = backlog_median_age(conn, now, ComplaintFilter.for_district(district))
                (rank,) = quantile_offsets(len(ages), (0.5,))
                assert abs(got - ages[rank]) < 1e-6, (now, district)
