"""On PostgreSQL too, the rollups kept set-based at ingest equal a rebuild from the raw readings."""

import pytest

from tests.helpers.rollup_scenarios import replay_mixed_batches

pytestmark = pytest.mark.integration


def test_rollups_kept_at_ingest_equal_a_rebuild_after_mixed_batches_on_postgres(pg_engine):
    replay_mixed_batches(pg_engine)
