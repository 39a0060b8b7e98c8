"""access that ends: ``users.token_version``

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Every access token carries the version its user had when it was minted; each request compares
it with ``users.token_version``. A password change or a disable raises the version, so the
user's existing tokens stop working at once (a device revocation is already checked per
request through ``devices.revoked_at``). Existing users start at 0, the version that tokens
minted before this revision are read as: they keep working until they expire.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
