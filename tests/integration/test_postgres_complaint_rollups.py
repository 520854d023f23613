"""On PostgreSQL too, the complaint rollups kept at ingest equal a rebuild from the raw rows."""

import pytest

from tests.helpers.complaint_rollup_scenarios import replay_mixed_batches

pytestmark = pytest.mark.integration


def test_complaint_rollups_kept_at_ingest_equal_a_rebuild_after_mixed_batches_on_postgres(pg_engine):
    replay_mixed_batches(pg_engine)
