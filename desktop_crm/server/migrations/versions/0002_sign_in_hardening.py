"""sign-in hardening: installation ids on devices, failed sign-in counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

- ``devices.installation_id``: minted by the client once per installation and sent with each
  sign-in, so a retried first sign-in (its answer lost) reuses the device it registered; unique
  per user (several NULLs, from clients that do not send one, are allowed by both databases).
- ``sign_in_failures``: failed sign-ins per user name and per client address within a window,
  shared by all server processes (see ``desktop_crm/server/throttle.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("installation_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_devices_user_installation", ["user_id", "installation_id"], unique=True
        )
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_failures_window_start"), ["window_start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failures_window_start"))
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index("ix_devices_user_installation")
        batch_op.drop_column("installation_id")
