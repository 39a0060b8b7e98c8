"""record creators: who created each record, and which fields others changed since

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Masking is about reading what others wrote: a service-desk user reads the masked fields of a
record they created while those fields still hold their words. Two nullable columns on
``records``; existing rows keep NULL (no known creator: masked as before, and their masked
fields were blanked when the desk created them anyway), so the upgrade rewrites no row and is
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("created_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("others_wrote", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("others_wrote")
        batch.drop_column("created_by")
