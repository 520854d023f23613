"""On PostgreSQL too, the complaint rollups kept at ingest equal a rebuild from the raw rows."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from data.complaint_rollups import close_bucket, close_bucket_of, rebuild_all
from data.models import Complaint
from tests.helpers.complaint_rollup_scenarios import (
    CITY_MIDNIGHT,
    MINUTE,
    TAKEN,
    close_hours,
    ranks_equal_a_sort_of_every_closure,
    raw_figures,
    replay_mixed_batches,
    store_awkward_closures,
    tile_counts,
)

pytestmark = pytest.mark.integration


def test_complaint_rollups_kept_at_ingest_equal_a_rebuild_after_mixed_batches_on_postgres(pg_engine):
    replay_mixed_batches(pg_engine)


def test_the_wall_counts_from_the_rollups_equal_the_raw_counts_on_postgres(pg_engine):
    replay_mixed_batches(pg_engine)
    for minutes in (-151, -60, -1, 0, 1, 37, 600, 20000):
        now = CITY_MIDNIGHT + minutes * MINUTE
        for district in (None, "36.71.01"):
            assert tile_counts(pg_engine, now, district) == raw_figures(pg_engine, now, district), (minutes, district)


def test_close_buckets_and_ranks_equal_the_raw_closures_on_postgres(pg_engine):
    records = store_awkward_closures(pg_engine)
    with pg_engine.connect() as conn:
        stmt = select(Complaint.source_id, close_bucket(Complaint.requested_at, Complaint.closed_at))
        got = {source_id: bucket for source_id, bucket in conn.execute(stmt)}
    assert {r["source_id"]: got[r["source_id"]] for r in records} == {
        r["source_id"]: close_bucket_of(r["requested_at"], r["closed_at"]) for r in records
    }
    kept = close_hours(pg_engine)
    rebuild_all(pg_engine)
    assert kept == close_hours(pg_engine) and sum(r[-1] for r in kept if len(r) == 3) == len(TAKEN)
    for minutes in (0, 13, 60 + 1):  # both edges mid-hour, whole hours, inside one hour
        start = CITY_MIDNIGHT + minutes * MINUTE - timedelta(days=1)
        ranks_equal_a_sort_of_every_closure(pg_engine, start, CITY_MIDNIGHT + 2000 * MINUTE - minutes * MINUTE)


def test_the_backlog_median_age_equals_the_median_of_the_open_rows_on_postgres(pg_engine):
    from sqlalchemy import text

    from data.queries.close_quantiles import backlog_median_age, quantile_offsets
    from data.queries.filters import ComplaintFilter

    replay_mixed_batches(pg_engine)
    with pg_engine.connect() as conn:
        for minutes in (-60, 0, 1, 37, 600, 20000):
            now = CITY_MIDNIGHT + minutes * MINUTE
            for district in (None, "36.71.01"):
                ages = sorted(
                    conn.execute(
                        text("SELECT EXTRACT(epoch FROM (:n - requested_at)) / 3600.0 FROM complaints "
                             "WHERE status != 'closed' AND requested_at <= :n AND outside_city IS NOT TRUE "
                             "AND (CAST(:d AS TEXT) IS NULL OR district_code = :d)"), {"n": now, "d": district}
                    ).scalars()
                )  # fmt: skip
                got = backlog_median_age(conn, now, ComplaintFilter.for_district(district))
                if not ages:
                    assert got is None
                    continue
                (rank,) = quantile_offsets(len(ages), (0.5,))
                assert abs(got - float(ages[rank])) < 1e-6, (minutes, district)


def test_open_and_late_at_a_past_moment_equal_the_rows_on_postgres(pg_engine):
    from datetime import timedelta

    from tests.helpers.complaint_rollup_scenarios import open_and_late_kept, open_and_late_raw

    replay_mixed_batches(pg_engine)
    for minutes in (-151, -150, -1, 0, 1, 95, 600, 9000, 20000):
        for moment in (CITY_MIDNIGHT + minutes * MINUTE, CITY_MIDNIGHT + minutes * MINUTE - timedelta(microseconds=1)):
            for district in (None, "36.71.01"):
                expected = open_and_late_raw(pg_engine, moment, district)
                assert open_and_late_kept(pg_engine, moment, district) == expected, (moment, district)
