"""what the backlog at a past moment is made of, per kecamatan and UTC hour

Revision ID: p010_history_hours
Revises: p009_open_hours
Create Date: 2026-12-07 18:20:00

The KPI board's day- and week-ago tiles counted the complaints open and late at that moment from the rows
(received by then and not closed by then: ~1 s each at 16,000 complaints a day). `complaints_history_hours`
counts per kecamatan and UTC hour the complaints received, those closed with a close time at the hour both
had happened, those with a due time at the hour receipt and due time had both passed, and those closed with a
due time at the hour all three had: open at t and late at t are sums of whole hours before t's hour plus the
rows of t's own hour (data/complaint_rollups.py `ComplaintHistoryHours`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p010_history_hours"
down_revision = "p009_open_hours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints_history_hours",
        sa.Column("district_code", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("settled_due", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("district_code", "hour"),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    latest = "max" if sqlite else "GREATEST"

    def hour(moment: str) -> str:
        return f"strftime('%Y-%m-%d %H:00:00.000000', {moment})" if sqlite else f"date_trunc('hour', {moment})"

    in_city = "outside_city IS NOT 1" if sqlite else "outside_city IS NOT TRUE"
    settled = "status = 'closed' AND closed_at IS NOT NULL"
    parts = [
        (hour("requested_at"), "COUNT(*) AS r, 0 AS s, 0 AS u, 0 AS sd", "TRUE"),
        (hour(f"{latest}(requested_at, closed_at)"), "0, COUNT(*), 0, 0", settled),
        (hour(f"{latest}(requested_at, due_at)"), "0, 0, COUNT(*), 0", "due_at IS NOT NULL"),
        (hour(f"{latest}(requested_at, closed_at, due_at)"), "0, 0, 0, COUNT(*)", f"{settled} AND due_at IS NOT NULL"),
    ]
    selects = " UNION ALL ".join(
        f"SELECT COALESCE(district_code, '') AS d, {h} AS h, {counts} FROM complaints "
        f"WHERE {in_city} AND {where} GROUP BY 1, 2"
        for h, counts, where in parts
    )
    op.execute(
        "INSERT INTO complaints_history_hours (district_code, hour, received, settled, due, settled_due) "
        f"SELECT d, h, SUM(r), SUM(s), SUM(u), SUM(sd) FROM ({selects}) AS counted GROUP BY d, h"
    )


def downgrade() -> None:
    op.drop_table("complaints_history_hours")
