"""The system tags the server's tag rules computed for each account, with their reasons.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Read-only on the replica: rows arrive from ``GET /sync/tags`` (each account's list replaces
what was there) and are never edited or pushed. The index serves the account list's filter by
system tag. A new table only; the next sync fills it (the tags cursor, in ``sync_state``, is
absent, so the first fetch takes every tag in scope). The downgrade drops the table and the
cursor.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE account_system_tags ("
        "account_id VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL, reason TEXT NOT NULL, "
        "PRIMARY KEY (account_id, name)) WITHOUT ROWID"
    )
    op.execute("CREATE INDEX ix_account_system_tags_name ON account_system_tags (name, account_id)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS account_system_tags")
    op.execute("DELETE FROM sync_state WHERE key = 'system_tags_cursor'")
