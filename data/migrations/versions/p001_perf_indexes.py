"""indexes that match the wall's queries

Revision ID: p001_perf_indexes
Revises: 0001
Create Date: 2026-11-23 10:00:00

The closing-performance tiles read closed_at, requested_at and due_at of the last 30 days'
closed complaints; covering all three lets both engines answer from the index alone.
"""

from __future__ import annotations

from alembic import op

revision = "p001_perf_indexes"
down_revision = "0001"
branch_labels = ("perf",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complaints_closed_cover", "complaints", ["closed_at", "requested_at", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_complaints_closed_cover", table_name="complaints")
