"""ingest tokens bound to one source; complaints looked up by source id; Open311 attributes kept

Revision ID: o001_token_source
Revises: m001_merge_heads
Create Date: 2026-12-07 14:40:00

A complaints token could write any system's records by naming its `source`; each ingest token now carries
the one source it writes (tokens made before this revision write as 'api', the old default). The Open311
read API resolves an id across sources, so complaints get an index on source_id alone, and a POSTed
request's service attributes (attribute[CODE]=value) are kept as JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "o001_token_source"
down_revision = "m001_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("auth_tokens", sa.Column("source", sa.String(length=40), nullable=True))
    op.execute("UPDATE auth_tokens SET source = 'api' WHERE kind = 'ingest'")
    op.add_column("complaints", sa.Column("attributes", sa.Text(), nullable=True))  # ALTER, no table rewrite
    op.create_index("ix_complaints_source_id", "complaints", ["source_id"])


def downgrade() -> None:
    op.drop_index("ix_complaints_source_id", table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("attributes")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_column("source")
