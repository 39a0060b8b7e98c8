"""record moves and tombstone purge: device pull cursors, move entries, purged keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

- ``devices.pull_seq`` / ``devices.pulled_at``: the last pull cursor each device presented
  (or its last snapshot's position) and when; the tombstone watermark is the lowest over the
  active devices (``desktop-crm-server admin purge-tombstones``).
- ``ix_change_log_moves``: a partial index over the change log's "move" entries (a child
  record moved to another account), which the pull reads for every page.
- ``purged_records``: the keys of purged tombstones, so a replica that still has such a record
  cannot create it again with an edit.
- ``server_state``: server-wide values by key; ``tombstones_purged_through`` is the highest
  change-log position of a purged tombstone: a pull from a cursor below it must resnapshot.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pull_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("pulled_at", sa.String(length=40), nullable=True))
    op.create_index(
        "ix_change_log_moves",
        "change_log",
        ["seq"],
        unique=False,
        sqlite_where=sa.text("kind = 'move'"),
        postgresql_where=sa.text("kind = 'move'"),
    )
    op.create_table(
        "purged_records",
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("deleted_seq", sa.BigInteger(), nullable=False),
        sa.Column("purged_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )
    op.create_table(
        "server_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("server_state")
    op.drop_table("purged_records")
    op.drop_index("ix_change_log_moves", table_name="change_log")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("pulled_at")
        batch_op.drop_column("pull_seq")
