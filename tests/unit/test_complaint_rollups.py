"""The complaint rollups kept at ingest equal a rebuild from the raw rows after new complaints across the city's
midnight, status steps, closures, a reopen, a record sent again with other fields, repeats and older copies;
and the revision that creates them fills them as the app's rebuild does."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from data.complaint_rollups import rebuild_all
from data.ingest.sink import store_complaints
from data.store import MIGRATIONS_DIR
from tests.helpers.complaint_rollup_scenarios import CITY_MIDNIGHT, MINUTE, complaint, replay_mixed_batches, rollups


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
    rebuild_all(sqlite_engine)
    assert rollups(sqlite_engine) == expected
