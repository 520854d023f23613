"""On PostgreSQL too, the complaint rollups kept at ingest equal a rebuild from the raw rows."""

import pytest

from tests.helpers.complaint_rollup_scenarios import (
    CITY_MIDNIGHT,
    MINUTE,
    raw_figures,
    replay_mixed_batches,
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
