"""index complaints by agency

Revision ID: p003_agency_index
Revises: p002_hourly_hour_index
Create Date: 2026-12-01 04:00:00

The analysts' workbench lists the agencies the data holds on every load (a seek per agency through
this index instead of reading a million rows) and filters by agency over a time range.
"""

from __future__ import annotations

from alembic import op

revision = "p003_agency_index"
down_revision = "p002_hourly_hour_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_complaints_agency_requested", "complaints", ["agency", "requested_at"])


def downgrade() -> None:
    op.drop_index("ix_complaints_agency_requested", table_name="complaints")
