"""cover the hourly rollup's readings in its (sensor_id, hour) index

Revision ID: p004_hourly_cover_index
Revises: p003_agency_index
Create Date: 2026-12-01 04:10:00

The rollup's rows lie in no useful physical order, so a week or a month of a few hundred sensors
(the trend popups, the analysts' sensors-against-complaints chart) touched nearly every page of the
table: ~0.5-1 s. With the values in the index, each sensor's range is one contiguous index read.
SQLite has no INCLUDE, so there the values are trailing key columns.
"""

from __future__ import annotations

from alembic import op

revision = "p004_hourly_cover_index"
down_revision = "p003_agency_index"
branch_labels = None
depends_on = None

VALUES = ["n", "total", "min_value", "max_value"]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_observations_hourly_cover", "observations_hourly", ["sensor_id", "hour"], postgresql_include=VALUES
        )
    else:
        op.create_index("ix_observations_hourly_cover", "observations_hourly", ["sensor_id", "hour", *VALUES])


def downgrade() -> None:
    op.drop_index("ix_observations_hourly_cover", table_name="observations_hourly")
