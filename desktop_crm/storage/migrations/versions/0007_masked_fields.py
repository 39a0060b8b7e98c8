"""Which fields of a record the server blanked for this user's role.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A service-desk user reads some fields blanked ("masked"); the wire lists them per record. The
replica keeps that list so the views can say "hidden for your role" instead of "—", which reads
as "nobody wrote anything". A new table only; rows arrive with the next records pulled.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TABLE masked_fields ("
        "entity VARCHAR(20) NOT NULL, record_id VARCHAR(64) NOT NULL, fields TEXT NOT NULL, "
        "PRIMARY KEY (entity, record_id)) WITHOUT ROWID"
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS masked_fields")
