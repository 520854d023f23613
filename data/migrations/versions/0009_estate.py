"""digital estate: monthly integration coverage history, camera image refresh interval

Revision ID: 0009_estate
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_estate"
down_revision = "0001"
branch_labels = ("estate",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_coverage_history",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("connected", sa.Integer(), nullable=False),
        sa.Column("partial", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    with op.batch_alter_table("sensors") as batch:
        batch.add_column(sa.Column("snapshot_interval_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sensors") as batch:
        batch.drop_column("snapshot_interval_s")
    op.drop_table("service_coverage_history")
