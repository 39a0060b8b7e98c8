"""cascade deletions: which children an account's deletion tombstoned

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02

Deleting an account tombstones its contacts, opportunities and activities in the same change;
restoring the account restores exactly the children its deletion took (not those deleted on
their own before). ``cascade_deletions`` remembers them until the account is restored. A new
table only: existing rows are untouched, so the upgrade is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cascade_deletions",
        sa.Column("entity", sa.String(length=20), primary_key=True),
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.String(length=40), nullable=False),
    )
    op.create_index("ix_cascade_deletions_account", "cascade_deletions", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_cascade_deletions_account", table_name="cascade_deletions")
    op.drop_table("cascade_deletions")
