"""merge the feature branches into one line

Revision ID: m001_merge_heads
Revises: 0005_feeds, 0006_alerts, 0008_auth, 0009_estate, p005_daily_rollup
Create Date: 2026-12-07 14:30:00

The feeds, alerts, auth, estate and performance branches each started from 0001, so `upgrade heads` ran them in
an undefined order. From here on the history is one line: every new revision follows the single head.
"""

from __future__ import annotations

revision = "m001_merge_heads"
down_revision = ("0005_feeds", "0006_alerts", "0008_auth", "0009_estate", "p005_daily_rollup")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the merge only orders what follows."""


def downgrade() -> None:
    """Nothing to undo."""
