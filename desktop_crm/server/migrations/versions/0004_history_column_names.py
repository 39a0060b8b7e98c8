"""history column names shared with the replica: ``account_former_names.changed_at``

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

One rule decides the history rows on the server and on the replica (``domain/history.py``), and
its rows carry the column names, so both sides name the columns alike: the time a former name
stopped being used is ``changed_at`` (it was ``replaced_at`` here), like the status log's and the
stage history's. A plain column rename (``ALTER TABLE … RENAME COLUMN`` on both databases): the
rows and the index stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    op.alter_column(
        "account_former_names",
        old,
        new_column_name=new,
        existing_type=sa.String(length=40),
        existing_nullable=False,
    )


def upgrade() -> None:
    _rename("replaced_at", "changed_at")


def downgrade() -> None:
    _rename("changed_at", "replaced_at")
