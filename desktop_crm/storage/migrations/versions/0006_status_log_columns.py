"""The account status log's columns named as on the server: ``from_status``/``to_status``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The replica called them ``old_status``/``new_status``, the server ``from_status``/``to_status``
(parallel to the stage history's ``from_stage``/``to_stage``). One rule now decides the history
rows on both sides (``domain/history.py``) and its rows carry the column names, so the names
must be the same. ``ALTER TABLE … RENAME COLUMN`` keeps the rows and the index as they are.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

RENAMES = (("old_status", "from_status"), ("new_status", "to_status"))


def upgrade() -> None:
    for old, new in RENAMES:
        op.execute(f"ALTER TABLE account_status_log RENAME COLUMN {old} TO {new}")


def downgrade() -> None:
    for old, new in RENAMES:
        op.execute(f"ALTER TABLE account_status_log RENAME COLUMN {new} TO {old}")
