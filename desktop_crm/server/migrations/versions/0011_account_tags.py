"""account tags: the system tags computed by the tag rules

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

One row per evaluated account: its computed tags with their reasons (a JSON list of
``{"name", "reason"}``; ``[]`` once none hold), and ``seq``, a counter that grows whenever the
row changes or the account enters someone's scope, so ``GET /sync/tags`` sends only what a
replica has not had. The rules themselves are configuration in ``server_state`` (key
``tag_rules``). A new table: existing data is untouched; the downgrade drops it (the next
evaluation after an upgrade computes the tags again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_tags",
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("evaluated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_account_tags_seq", "account_tags", ["seq"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_account_tags_seq", table_name="account_tags")
    op.drop_table("account_tags")
    op.execute(sa.text("DELETE FROM server_state WHERE key = 'tag_rules'"))
