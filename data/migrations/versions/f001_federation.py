"""a federation room's members and their summaries

Revision ID: f001_federation
Revises: o001_token_source
Create Date: 2026-12-07 14:50:00

A provincial or national room pulls each member room's signed summary; it keeps each member's pull state and
newest summary, and the last summary of every local day of the member for comparisons over time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f001_federation"
down_revision = "o001_token_source"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_members",
        sa.Column("code", sa.String(length=16), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("zone", sa.String(length=32), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("generated_at", sa.DateTime(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
    )
    op.create_table(
        "federation_days",
        sa.Column("member_code", sa.String(length=16), primary_key=True),
        sa.Column("local_date", sa.String(length=10), primary_key=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("federation_days")
    op.drop_table("federation_members")
