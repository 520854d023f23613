"""Alembic environment: runs on the connection the store hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

from alembic import context

import data.all_models  # noqa: F401 - registers every table on Base.metadata
from data.models import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection) -> None:  # noqa: ANN001 - an SQLAlchemy Connection
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    from dashboard.settings import Settings
    from data.store import make_engine

    with make_engine(Settings.from_env().database_url).begin() as conn:
        run_on(conn)
else:
    run_on(connection)
