"""name-index row map (renames/deletes by FTS rowid) and a covering index for phone lookups.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

1. ``name_index_rows(entity, record_id) -> fts_rowid``: the 0002 triggers found a record's
   ``name_index`` row with ``DELETE … WHERE entity = ? AND record_id = ?``; those columns are
   UNINDEXED in FTS5, so every rename or delete scanned the whole index (~100 ms at 100k
   contacts). The triggers are replaced by ones that keep this map and delete by FTS rowid.
   The upgrade fills the map from the rows already indexed (and drops any duplicate index rows
   for one record, which the map could not reach).
2. ``ix_contact_phones_suffix(digits_reversed, e164, is_primary, contact_id)`` replaces the
   single-column ``digits_reversed`` and ``e164`` indexes: both lookups (exact number, and
   "ends with" as a range) are answered from this one index, and a last-digits search ranks its
   candidates from the index alone (no table, contact or account page per candidate).
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

CREATE_NAME_INDEX_ROWS = """
    CREATE TABLE name_index_rows (
        entity VARCHAR(20) NOT NULL,
        record_id VARCHAR(64) NOT NULL,
        fts_rowid INTEGER NOT NULL,
        PRIMARY KEY (entity, record_id)
    ) WITHOUT ROWID
"""


def _unindex(entity: str) -> str:
    """Statements removing ``old``'s name-index row (and its map entry)."""
    return f"""
            DELETE FROM name_index WHERE rowid = (
                SELECT fts_rowid FROM name_index_rows
                WHERE entity = '{entity}' AND record_id = old.id
            );
            DELETE FROM name_index_rows WHERE entity = '{entity}' AND record_id = old.id;"""


def _index(entity: str, account_id: str, *, when_live: bool) -> str:
    """Statements indexing ``new`` and mapping it to the FTS row just inserted."""
    if when_live:
        return f"""
            INSERT INTO name_index(name, entity, record_id, account_id)
            SELECT new.name, '{entity}', new.id, {account_id} WHERE new.deleted = 0;
            INSERT OR REPLACE INTO name_index_rows(entity, record_id, fts_rowid)
            SELECT '{entity}', new.id, last_insert_rowid() WHERE new.deleted = 0;"""
    return f"""
            INSERT INTO name_index(name, entity, record_id, account_id)
            VALUES (new.name, '{entity}', new.id, {account_id});
            INSERT OR REPLACE INTO name_index_rows(entity, record_id, fts_rowid)
            VALUES ('{entity}', new.id, last_insert_rowid());"""


# The same trigger names as 0002 (the bulk loader drops and re-creates the insert triggers by
# name). The update triggers fire only when an indexed value really changed.
TRIGGERS = {
    "name_index_accounts_ai": f"""
        CREATE TRIGGER name_index_accounts_ai AFTER INSERT ON accounts
        WHEN new.deleted = 0
        BEGIN{_index("account", "new.id", when_live=False)}
        END
    """,
    "name_index_accounts_au": f"""
        CREATE TRIGGER name_index_accounts_au AFTER UPDATE OF name, deleted ON accounts
        WHEN old.name IS NOT new.name OR old.deleted IS NOT new.deleted OR old.id IS NOT new.id
        BEGIN{_unindex("account")}{_index("account", "new.id", when_live=True)}
        END
    """,
    "name_index_accounts_ad": f"""
        CREATE TRIGGER name_index_accounts_ad AFTER DELETE ON accounts
        BEGIN{_unindex("account")}
        END
    """,
    "name_index_contacts_ai": f"""
        CREATE TRIGGER name_index_contacts_ai AFTER INSERT ON contacts
        WHEN new.deleted = 0
        BEGIN{_index("contact", "new.account_id", when_live=False)}
        END
    """,
    # account_id is watched too, so a contact moved to another account is found under it.
    "name_index_contacts_au": f"""
        CREATE TRIGGER name_index_contacts_au AFTER UPDATE OF name, deleted, account_id ON contacts
        WHEN old.name IS NOT new.name OR old.deleted IS NOT new.deleted
            OR old.account_id IS NOT new.account_id OR old.id IS NOT new.id
        BEGIN{_unindex("contact")}{_index("contact", "new.account_id", when_live=True)}
        END
    """,
    "name_index_contacts_ad": f"""
        CREATE TRIGGER name_index_contacts_ad AFTER DELETE ON contacts
        BEGIN{_unindex("contact")}
        END
    """,
}

# 0002's triggers, verbatim, for the downgrade.
TRIGGERS_0002 = {
    "name_index_accounts_ai": """
        CREATE TRIGGER name_index_accounts_ai AFTER INSERT ON accounts
        WHEN new.deleted = 0
        BEGIN
            INSERT INTO name_index(name, entity, record_id, account_id)
            VALUES (new.name, 'account', new.id, new.id);
        END
    """,
    "name_index_accounts_au": """
        CREATE TRIGGER name_index_accounts_au AFTER UPDATE OF name, deleted ON accounts
        BEGIN
            DELETE FROM name_index WHERE entity = 'account' AND record_id = old.id;
            INSERT INTO name_index(name, entity, record_id, account_id)
            SELECT new.name, 'account', new.id, new.id WHERE new.deleted = 0;
        END
    """,
    "name_index_accounts_ad": """
        CREATE TRIGGER name_index_accounts_ad AFTER DELETE ON accounts
        BEGIN
            DELETE FROM name_index WHERE entity = 'account' AND record_id = old.id;
        END
    """,
    "name_index_contacts_ai": """
        CREATE TRIGGER name_index_contacts_ai AFTER INSERT ON contacts
        WHEN new.deleted = 0
        BEGIN
            INSERT INTO name_index(name, entity, record_id, account_id)
            VALUES (new.name, 'contact', new.id, new.account_id);
        END
    """,
    "name_index_contacts_au": """
        CREATE TRIGGER name_index_contacts_au AFTER UPDATE OF name, deleted, account_id ON contacts
        BEGIN
            DELETE FROM name_index WHERE entity = 'contact' AND record_id = old.id;
            INSERT INTO name_index(name, entity, record_id, account_id)
            SELECT new.name, 'contact', new.id, new.account_id WHERE new.deleted = 0;
        END
    """,
    "name_index_contacts_ad": """
        CREATE TRIGGER name_index_contacts_ad AFTER DELETE ON contacts
        BEGIN
            DELETE FROM name_index WHERE entity = 'contact' AND record_id = old.id;
        END
    """,
}

PHONE_SUFFIX_INDEX = (
    "CREATE INDEX ix_contact_phones_suffix "
    "ON contact_phones (digits_reversed, e164, is_primary, contact_id)"
)


def upgrade() -> None:
    op.execute(CREATE_NAME_INDEX_ROWS)
    # The data migration. One map entry per indexed record: the newest FTS row if (through some
    # earlier accident) there are several; the others could never be deleted, so drop them.
    op.execute(
        "INSERT OR REPLACE INTO name_index_rows(entity, record_id, fts_rowid) "
        "SELECT entity, record_id, rowid FROM name_index ORDER BY rowid"
    )
    op.execute(
        "DELETE FROM name_index WHERE rowid IN ("
        " SELECT n.rowid FROM name_index AS n JOIN name_index_rows AS m"
        " ON m.entity = n.entity AND m.record_id = n.record_id WHERE m.fts_rowid <> n.rowid)"
    )
    for name, ddl in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(ddl)

    op.execute("DROP INDEX IF EXISTS ix_contact_phones_digits_reversed")
    op.execute("DROP INDEX IF EXISTS ix_contact_phones_e164")
    op.execute(PHONE_SUFFIX_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contact_phones_suffix")
    op.execute("CREATE INDEX ix_contact_phones_e164 ON contact_phones (e164)")
    op.execute("CREATE INDEX ix_contact_phones_digits_reversed ON contact_phones (digits_reversed)")
    for name, ddl in TRIGGERS_0002.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(ddl)
    op.execute("DROP TABLE IF EXISTS name_index_rows")
