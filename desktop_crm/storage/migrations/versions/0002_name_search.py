"""name search: FTS5 trigram index over account and contact names, kept current by triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The index holds one row per live (not deleted) account and contact: ``name`` is indexed with
the trigram tokenizer (substring search in any script, three characters or more), the other
columns are carried along unindexed. Existing rows are indexed by the upgrade itself.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

CREATE_NAME_INDEX = (
    "CREATE VIRTUAL TABLE name_index USING fts5(name, entity UNINDEXED, record_id UNINDEXED, "
    "account_id UNINDEXED, tokenize='trigram')"
)

TRIGGERS = {
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
    # account_id is watched too, so a contact moved to another account is found under it.
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


def upgrade() -> None:
    op.execute(CREATE_NAME_INDEX)
    for ddl in TRIGGERS.values():
        op.execute(ddl)
    # The data migration: index the names that are already there.
    op.execute(
        "INSERT INTO name_index(name, entity, record_id, account_id) "
        "SELECT name, 'account', id, id FROM accounts WHERE deleted = 0"
    )
    op.execute(
        "INSERT INTO name_index(name, entity, record_id, account_id) "
        "SELECT name, 'contact', id, account_id FROM contacts WHERE deleted = 0"
    )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS name_index")
