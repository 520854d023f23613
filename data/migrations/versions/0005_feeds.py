"""feeds: the Open311 services list other systems send (complaint_services)

Revision ID: 0005_feeds
Revises: 0001
Create Date: 2026-11-23 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_feeds"
down_revision = "0001"
branch_labels = ("feeds",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_services",
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("service_group", sa.String(length=120), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=16), server_default="realtime", nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("service_code"),
    )


def downgrade() -> None:
    op.drop_table("complaint_services")
