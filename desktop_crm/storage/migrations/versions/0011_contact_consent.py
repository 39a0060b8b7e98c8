"""Consent per channel with its date and source, and do-not-contact, on contacts.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02

A contact had two booleans (may be called, may be e-mailed). Now each channel (phone, e-mail,
SMS) has its answer, the date it was given or withdrawn and where it came from, and a
do-not-contact flag overrides them all (``domain/consent.py``). ``ALTER TABLE … ADD COLUMN``
keeps every row; existing contacts keep their two answers and get no date, no source, no SMS
consent and no do-not-contact. Downgrade drops the new columns again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = (
    ("consent_phone_at", sa.String(10), None),
    ("consent_phone_source", sa.Text(), ""),
    ("consent_email_at", sa.String(10), None),
    ("consent_email_source", sa.Text(), ""),
    ("consent_sms", sa.Boolean(), "0"),
    ("consent_sms_at", sa.String(10), None),
    ("consent_sms_source", sa.Text(), ""),
    ("do_not_contact", sa.Boolean(), "0"),
)


def upgrade() -> None:
    for name, kind, default in COLUMNS:
        if default is None:
            op.add_column("contacts", sa.Column(name, kind, nullable=True))
        elif default == "0":
            op.add_column(
                "contacts", sa.Column(name, kind, nullable=False, server_default=sa.text("0"))
            )
        else:
            op.add_column("contacts", sa.Column(name, kind, nullable=False, server_default=""))


def downgrade() -> None:
    for name, _kind, _default in reversed(COLUMNS):
        op.drop_column("contacts", name)
