"""complaint rollups: arrivals and closures per UTC hour, the open backlog per due hour

Revision ID: p006_complaint_rollups
Revises: f001_federation
Create Date: 2026-12-07 15:00:00

The wall's KPI board, ticker and the leader's briefing counted raw complaint rows over today, yesterday, a
week and 30 days on every refresh, so a busier city paid more each time. These two tables hold the counts per
UTC hour x kecamatan x category x channel and the open backlog per kecamatan x category x due hour; they are
kept at ingest (data/complaint_rollups.py) and filled here from the raw rows with this revision's own SQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p006_complaint_rollups"
down_revision = "f001_federation"
branch_labels = None
depends_on = None

OPEN = "('open', 'acknowledged', 'in_progress')"


def _hour(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"strftime('%Y-%m-%d %H:00:00.000000', {column})"
    return f"date_trunc('hour', {column})"


def upgrade() -> None:
    op.create_table(
        "complaints_hourly",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_within_sla", sa.Integer(), nullable=False),
        sa.Column("closed_final", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "district_code", "category", "channel"),
        sqlite_with_rowid=False,  # clustered by the key: a window's hours are one contiguous range
    )
    op.create_table(
        "complaints_backlog",
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("due_hour", sa.DateTime(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("district_code", "category", "due_hour"),
        sqlite_with_rowid=False,
    )
    dialect = op.get_bind().dialect.name
    received, closed = _hour("requested_at", dialect), _hour("closed_at", dialect)
    no_due = "'9999-12-31 00:00:00.000000'" if dialect == "sqlite" else "TIMESTAMP '9999-12-31 00:00:00'"
    op.execute(
        f"""
        INSERT INTO complaints_hourly
            (hour, district_code, category, channel, received, closed, closed_within_sla, closed_final)
        SELECT hour, d, k, ch, SUM(r), SUM(c), SUM(w), SUM(f) FROM (
            SELECT {received} AS hour, CASE WHEN outside_city THEN '~outside' ELSE COALESCE(district_code, '') END AS d, category AS k,
                   COALESCE(channel, '') AS ch, COUNT(*) AS r, 0 AS c, 0 AS w, 0 AS f
            FROM complaints GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT {closed}, CASE WHEN outside_city THEN '~outside' ELSE COALESCE(district_code, '') END, category, COALESCE(channel, ''), 0, COUNT(*),
                   SUM(CASE WHEN closed_at <= due_at THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END)
            FROM complaints WHERE closed_at IS NOT NULL GROUP BY 1, 2, 3, 4
        ) AS flows
        GROUP BY hour, d, k, ch
        """
    )
    op.execute(
        f"""
        INSERT INTO complaints_backlog (district_code, category, due_hour, open)
        SELECT CASE WHEN outside_city THEN '~outside' ELSE COALESCE(district_code, '') END, category, COALESCE({_hour("due_at", dialect)}, {no_due}), COUNT(*)
        FROM complaints WHERE status IN {OPEN} GROUP BY 1, 2, 3
        """
    )


def downgrade() -> None:
    op.drop_table("complaints_backlog")
    op.drop_table("complaints_hourly")
