"""daily rollup of observations per sensor and WIB day

Revision ID: p005_daily_rollup
Revises: p004_hourly_cover_index
Create Date: 2026-12-01 08:00:00

The analysts' sensors-against-complaints chart bucketed ~400,000 hourly rows of a quarter by WIB day
(~300 ms on SQLite, ~350 ms on PostgreSQL at 500 sensors); the daily rollup holds ~17,000. Filled here
from the hourly rollup (~5 s on PostgreSQL for 2 years of 500 sensors), kept at ingest from then on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p005_daily_rollup"
down_revision = "p004_hourly_cover_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observations_daily",
        sa.Column("sensor_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.DateTime(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("hourly_mean_sum", sa.Float(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "day"),
    )
    # Its own SQL, so this revision never changes with the code: a store of this age was a WIB city, and its
    # days start at 17:00 UTC (a new store has nothing to fill; the seed and ingest keep the rollup later).
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        day = "strftime('%Y-%m-%d %H:%M:%S.000000', date(hour, '+7 hours'), '-7 hours')"
    else:
        day = "(date_trunc('day', hour + interval '7 hours') - interval '7 hours')"
    bind.execute(
        sa.text(
            "INSERT INTO observations_daily (sensor_id, day, hours, hourly_mean_sum, max_value) "
            f"SELECT sensor_id, {day} AS wib_day, count(*), sum(total / n), max(max_value) "
            f"FROM observations_hourly GROUP BY sensor_id, {day}"
        )
    )


def downgrade() -> None:
    op.drop_table("observations_daily")
