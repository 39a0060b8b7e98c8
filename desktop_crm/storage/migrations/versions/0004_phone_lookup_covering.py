"""Phone lookups answered from one index: names and liveness copied into ``contact_phones``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

A service-desk search for the last four digits matches ~150 numbers in a million contacts, and
each then needed its contact row, its account row and its phone row for display and for the
"not deleted" check: several random page reads per candidate, each decrypted, which made it
~16 ms at p95 on a 1 GB replica. Now ``contact_phones`` carries the contact's name, the
account's name and whether the account is live, kept current by triggers, and
``ix_contact_phones_lookup`` holds everything a result needs: a suffix is one contiguous range of
that index and nothing else is read.

The copies are written by the store when it inserts phone rows (it knows the names), and the
triggers follow later renames and deletions: a contact renamed; an account renamed, deleted,
restored or purged. An account that arrives after its contacts is labelled by the store, not
by an insert trigger: that trigger cost ~240 µs per inserted account and halved the bulk load.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

#: Phone rows of every contact of the account ``new``/``old`` (through the contacts index).
_OF_ACCOUNT = "contact_id IN (SELECT id FROM contacts WHERE account_id = {}.id)"

TRIGGERS = {
    "contact_phones_contact_au": """
        CREATE TRIGGER contact_phones_contact_au AFTER UPDATE OF name ON contacts
        WHEN old.name IS NOT new.name
        BEGIN
            UPDATE contact_phones SET contact_name = new.name WHERE contact_id = new.id;
        END
    """,
    "contact_phones_account_au": f"""
        CREATE TRIGGER contact_phones_account_au AFTER UPDATE OF name, deleted ON accounts
        WHEN old.name IS NOT new.name OR old.deleted IS NOT new.deleted
        BEGIN
            UPDATE contact_phones SET account_name = new.name, account_live = (new.deleted = 0)
            WHERE {_OF_ACCOUNT.format("new")};
        END
    """,
    "contact_phones_account_ad": f"""
        CREATE TRIGGER contact_phones_account_ad AFTER DELETE ON accounts
        BEGIN
            UPDATE contact_phones SET account_live = 0 WHERE {_OF_ACCOUNT.format("old")};
        END
    """,
}

LOOKUP_INDEX = (
    "CREATE INDEX ix_contact_phones_lookup ON contact_phones "
    "(digits_reversed, e164, account_live, is_primary, contact_id, account_id, "
    "contact_name, account_name, raw, extension)"
)


def upgrade() -> None:
    op.execute("ALTER TABLE contact_phones ADD COLUMN contact_name TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE contact_phones ADD COLUMN account_name TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE contact_phones ADD COLUMN account_live BOOLEAN NOT NULL DEFAULT 0")
    # The data: one pass over the phone rows, before the index exists (cheaper than after).
    op.execute(
        """
        UPDATE contact_phones SET
            contact_name = coalesce(
                (SELECT c.name FROM contacts AS c WHERE c.id = contact_phones.contact_id), ''),
            account_name = coalesce(
                (SELECT a.name FROM contacts AS c JOIN accounts AS a ON a.id = c.account_id
                 WHERE c.id = contact_phones.contact_id), ''),
            account_live = coalesce(
                (SELECT a.deleted = 0 FROM contacts AS c JOIN accounts AS a ON a.id = c.account_id
                 WHERE c.id = contact_phones.contact_id), 0)
        """
    )
    for name, ddl in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(ddl)
    op.execute("DROP INDEX IF EXISTS ix_contact_phones_suffix")
    op.execute(LOOKUP_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contact_phones_lookup")
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute(
        "CREATE INDEX ix_contact_phones_suffix "
        "ON contact_phones (digits_reversed, e164, is_primary, contact_id)"
    )
    for column in ("account_live", "account_name", "contact_name"):
        op.execute(f"ALTER TABLE contact_phones DROP COLUMN {column}")
