"""The account list's ids in name order read from one index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

The first window asks for the ids of every live account in name order (then id). Through
``ix_accounts_name`` that was an index scan plus a table lookup per row for ``deleted`` and
``id``, and a sort of each name's ties: 0.21-0.25 s at 100k accounts, on the start's critical
path. ``ix_accounts_live_name`` (name, id, deleted) holds the whole answer in order, so the query
is one scan of that index with no table lookup and no sort (about 0.1 s at 100k).

Not (deleted, name, id): with ``deleted`` first, the planner (no statistics in a replica) took
``deleted = 0`` as a selective equality and drove joins from *every live account* — the
contact-name search then scanned all accounts and their contacts (1.6 -> 77 ms at 100k
contacts) instead of a range of ``ix_contacts_name``. ``tests/storage/test_search_plans.py``
holds the name search to its indexes.
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_accounts_live_name", "accounts", ["name", "id", "deleted"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_accounts_live_name", table_name="accounts")
