"""index the hourly rollup by hour

Revision ID: p002_hourly_hour_index
Revises: p001_perf_indexes
Create Date: 2026-11-23 11:00:00

Every sensor's last hour before a past moment (the leader's score history, 14 moments per view)
bounds `hour` alone; the (sensor_id, hour) key cannot answer that without scanning the whole rollup.
"""

from __future__ import annotations

from alembic import op

revision = "p002_hourly_hour_index"
down_revision = "p001_perf_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_observations_hourly_hour", "observations_hourly", ["hour"])


def downgrade() -> None:
    op.drop_index("ix_observations_hourly_hour", table_name="observations_hourly")
