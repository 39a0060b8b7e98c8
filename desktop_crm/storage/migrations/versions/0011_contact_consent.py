"""Consent per channel with its date and source, and do-not-contact, on contacts.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02

A contact had two booleans (may be called, may be e-mailed). Now each channel (phone, e-mail,
SMS) has its answer, the date it was given or withdrawn and where it came from, and a
do-not-contact flag overrides them all (``domain/consent.py``). ``ALTER TABLE … ADD COLUMN``
keeps every row; existing contacts keep their two answers and get no date, no source, no SMS
consent and no do-not-contact. Downgrade drops the new columns again.

The customer's timeline now pages through every activity (``storage/customer_history.py``):
its index ``ix_activities_account_start`` is widened from (account_id, start_at) to
(account_id, start_at, id, deleted), so a page's keys come from the index alone, in order
(before: a table row read per key to check ``deleted``, and a sort of the ties by id).
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


#: The timeline's index, widened so a page of keys (start time, id) is read from it alone.
TIMELINE_INDEX = "ix_activities_account_start"


def upgrade() -> None:
    op.execute(f"DROP INDEX IF EXISTS {TIMELINE_INDEX}")
    op.execute(f"CREATE INDEX {TIMELINE_INDEX} ON activities (account_id, start_at, id, deleted)")
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
    op.execute(f"DROP INDEX IF EXISTS {TIMELINE_INDEX}")
    op.execute(f"CREATE INDEX {TIMELINE_INDEX} ON activities (account_id, start_at)")
