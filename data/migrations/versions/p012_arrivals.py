"""complaints received per UTC hour, city-wide and per kecamatan, category and channel each on its own

Revision ID: p012_arrivals
Revises: p011_agency_closes
Create Date: 2026-12-08 01:20:00

The analysts' charts of the whole city (over time by category, by category, by channel, the kecamatan map,
the heatmap, the record count) summed `complaints_hourly`, ~500 kecamatan x category x channel rows per hour
at 16,000 complaints a day (0.1-0.15 s each on SQLite over 30 days). `complaints_arrivals` holds per hour the
city's total (facet '') and its split by one facet at a time: a few dozen rows per hour
(data/complaint_rollups.py `ComplaintArrivals`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "p012_arrivals"
down_revision = "p011_agency_closes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints_arrivals",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "facet", "value"),
        sqlite_with_rowid=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    hour = "strftime('%Y-%m-%d %H:00:00.000000', requested_at)" if sqlite else "date_trunc('hour', requested_at)"
    in_city = "outside_city IS NOT 1" if sqlite else "outside_city IS NOT TRUE"
    facets = {"district_code": "COALESCE(district_code, '')", "category": "category",
              "channel": "COALESCE(channel, '')"}  # fmt: skip
    city_wide = f"SELECT {hour} AS h, '' AS f, '' AS v, COUNT(*) AS n FROM complaints WHERE {in_city} GROUP BY {hour}"
    selects = " UNION ALL ".join(
        [city_wide]
        + [
            f"SELECT {hour}, '{facet}', {value}, COUNT(*) FROM complaints WHERE {in_city} GROUP BY {hour}, {value}"
            for facet, value in facets.items()
        ]
    )
    op.execute(f"INSERT INTO complaints_arrivals (hour, facet, value, received) {selects}")


def downgrade() -> None:
    op.drop_table("complaints_arrivals")
