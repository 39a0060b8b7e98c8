"""The account status log says why a status rule changed a status: a ``reason`` column.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

A won opportunity makes its account "active" by a status rule (``domain/status_rules.py``);
the log row of that change carries the reason ("won: <opportunity name>"). Existing rows get
None (no reason recorded). ``ALTER TABLE … ADD COLUMN`` keeps the rows as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("account_status_log", sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("account_status_log", "reason")
