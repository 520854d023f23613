"""sessions the server can end: auth_sessions (a random id per login or wall screen, stored hashed)

Revision ID: s001_auth_sessions
Revises: p006_complaint_rollups
Create Date: 2026-12-07 15:00:00

A signed cookie alone could not be revoked: a copy saved before logout kept working. Each session is now a
row; logout, a password or role change, disabling a person or revoking a device token ends it.
Cookies issued before this revision carry no session id, so everyone logs in once more.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s001_auth_sessions"
down_revision = "p006_complaint_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sid_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_auth_sessions_user", "auth_sessions", ["user_id", "revoked_at"])
    op.create_index("ix_auth_sessions_token", "auth_sessions", ["token_id", "revoked_at"])
    op.create_index("ix_auth_sessions_expires", "auth_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("auth_sessions")
