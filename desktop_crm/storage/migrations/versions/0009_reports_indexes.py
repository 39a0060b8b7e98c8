"""Covering indexes for the Reports tab: stage history per opportunity, open opportunities by
owner and stage, activities by time and author (the feed's time index, widened), open
follow-ups by time and author.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The reports read every opportunity's stage history, every open opportunity's close month,
currency, probability and amount, and the period's activities by author. Without these the
reads visit each record's row (a random, decrypted page read each); with them each report is
one ordered index scan. Measured per query on 10,000 accounts / 100,000 activities (last 90
days, busy machine): funnel 29 → 23 ms, forecast 16 → 8.5 ms, activities per person
29 → 9.6 ms; whole-team figures at 100k accounts are in docs/benchmarks.md.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

INDEXES = {
    "ix_stage_history_report": "opportunity_stage_history (opportunity_id, changed_at, to_stage)",
    "ix_opportunities_report": (
        "opportunities (deleted, owner_id, stage, expected_close, currency, probability, "
        "amount, id)"
    ),
    # Widened in place (the feed walks it too), so activities keep one index on time.
    "ix_activities_start_at": "activities (start_at, author_id, deleted)",
    "ix_activities_overdue_report": (
        "activities (follow_up_at, author_id, follow_up_done, deleted) "
        "WHERE follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0"
    ),
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {columns}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("CREATE INDEX ix_activities_start_at ON activities (start_at)")
