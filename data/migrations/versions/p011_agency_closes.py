"""closures per UTC hour of receipt, agency and time-to-close class, for the analysts' time to close per agency

Revision ID: p011_agency_closes
Revises: p010_history_hours
Create Date: 2026-12-08 00:50:00

The analysts' "time to close per agency" read every closure of the complaints received in the window (430,000
over 30 days at 16,000 complaints a day: 0.6 s on SQLite alone, the slowest chart of a filter change).
`complaints_agency_closes` counts the city's closures per UTC hour of receipt, agency ('' none) and class of
time to close in whole hours (data/complaint_rollups.py `close_span_sql`, written out here: a revision never
imports app code), with those closed within their SLA.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p011_agency_closes"
down_revision = "p010_history_hours"
branch_labels = None
depends_on = None

SPANS = (0, 24, 72, 168, 336)


def _span(dialect: str) -> str:
    if dialect == "sqlite":
        seconds = (
            "(CAST(strftime('%s', closed_at) AS INTEGER) - CAST(strftime('%s', requested_at) AS INTEGER)"
            " - (substr(closed_at, 20) < substr(requested_at, 20)))"
        )
    else:
        seconds = "CAST(floor(EXTRACT(epoch FROM (closed_at - requested_at))) AS BIGINT)"
    hours = f"({seconds} / 3600)"
    whens = " ".join(f"WHEN {hours} < {high} THEN {low}" for low, high in zip(SPANS, SPANS[1:], strict=False))
    return f"(CASE {whens} ELSE {SPANS[-1]} END)"


def upgrade() -> None:
    op.create_table(
        "complaints_agency_closes",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("closed_within_sla", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "agency", "span"),
        sqlite_with_rowid=False,
    )
    dialect = op.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    hour = "strftime('%Y-%m-%d %H:00:00.000000', requested_at)" if sqlite else "date_trunc('hour', requested_at)"
    in_city = "outside_city IS NOT 1" if sqlite else "outside_city IS NOT TRUE"
    op.execute(
        f"""
        INSERT INTO complaints_agency_closes (hour, agency, span, closed, closed_within_sla)
        SELECT {hour}, COALESCE(agency, ''), {_span(dialect)}, COUNT(*),
               SUM(CASE WHEN closed_at <= due_at THEN 1 ELSE 0 END)
        FROM complaints WHERE closed_at IS NOT NULL AND {in_city} GROUP BY 1, 2, 3
        """
    )


def downgrade() -> None:
    op.drop_table("complaints_agency_closes")
