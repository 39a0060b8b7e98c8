"""duplicates and merges: the review queue of suspected duplicates and the merge log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

``duplicate_pairs`` is filled by ``admin find-duplicates`` and CSV import (pairs with score and
reasons; a dismissed pair stays dismissed). ``merges`` records each merge of two accounts or
two contacts with what an undo needs. Two new tables: existing data is untouched, and the
downgrade drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicate_pairs",
        sa.Column("entity", sa.String(20), primary_key=True),
        sa.Column("id_a", sa.String(64), primary_key=True),
        sa.Column("id_b", sa.String(64), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("found_at", sa.String(40), nullable=False),
        sa.Column("decided_at", sa.String(40), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_duplicate_pairs_status", "duplicate_pairs", ["status", "entity"])
    op.create_table(
        "merges",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("loser_id", sa.String(64), nullable=False),
        sa.Column("survivor_id", sa.String(64), nullable=False),
        sa.Column("merged_at", sa.String(40), nullable=False),
        sa.Column("merged_by", sa.String(64), nullable=False),
        sa.Column("undone_at", sa.String(40), nullable=True),
        sa.Column("undone_by", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_merges_loser", "merges", ["entity", "loser_id"])


def downgrade() -> None:
    op.drop_index("ix_merges_loser", table_name="merges")
    op.drop_table("merges")
    op.drop_index("ix_duplicate_pairs_status", table_name="duplicate_pairs")
    op.drop_table("duplicate_pairs")
