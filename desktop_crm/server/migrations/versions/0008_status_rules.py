"""status rules: the account status log's ``reason`` column

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A status rule (``domain/status_rules.py``; by default a won opportunity makes its account
"active") writes the account's status change with its reason ("won: <opportunity name>").
Existing rows get NULL. The rules themselves are configuration in ``server_state`` (key
``status_rules``; absent: the default rule), so no table is needed. Adding a nullable column is
the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_status_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account_status_log", schema=None) as batch_op:
        batch_op.drop_column("reason")
