"""erasure and archive: ``erased_records`` and ``archived_accounts``

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

``erased_records``: a person erased at their request (``admin person erase``): when, by whom and
why (the reason names no personal data). A push for such a record is refused, so a replica that
still holds the person's data cannot bring it back.

``archived_accounts``: an account archived for inactivity (``admin archive``), with the owner it
had, so a restore gives it back to them. Its assignment is removed while it is archived (it
leaves every replica); its records stay in ``records``.

Both tables are new and empty: nothing existing changes, and the downgrade drops them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erased_records",
        sa.Column("entity", sa.String(20), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("erased_at", sa.String(40), nullable=False),
        sa.Column("erased_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_table(
        "archived_accounts",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("archived_at", sa.String(40), nullable=False),
        sa.Column("archived_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("archived_accounts")
    op.drop_table("erased_records")
