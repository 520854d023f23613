"""The schema's history is one line, and an empty database and one at each earlier revision reach the head."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from data.store import MIGRATIONS_DIR, init_schema


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    return cfg


def test_history_has_one_head() -> None:
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"alembic has several heads {heads}: add a merge revision or chain the new one"


def test_every_earlier_revision_upgrades_to_head(tmp_path) -> None:
    script = ScriptDirectory.from_config(_config())
    revisions = [r.revision for r in script.walk_revisions()]
    assert len(revisions) > 5
    full_tables = None
    for i, revision in enumerate(revisions):
        engine = create_engine(f"sqlite:///{tmp_path / f'at-{i}.db'}")
        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        init_schema(engine)
        tables = set(inspect(engine).get_table_names())
        full_tables = full_tables or tables
        assert tables == full_tables, f"upgrading from {revision} gave other tables"
        engine.dispose()
