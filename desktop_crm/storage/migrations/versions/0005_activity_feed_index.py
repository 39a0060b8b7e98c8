"""An index on activities by time, for the activity feed (the newest activities first).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

A manager reviews what the team did: the newest calls and meetings across every account in the
replica, optionally one person's. Without an index that is a scan and sort of every activity
(a million of them on a big replica); with it, the newest N are the last N index entries.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_activities_start_at ON activities (start_at)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_activities_start_at")
