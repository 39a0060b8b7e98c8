"""initial: every table of the replica except the name search.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Frozen copy of the schema as first released; it does not import desktop_crm.storage.schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "account_statuses",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("industry", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=40), server_default="prospect", nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("country", sa.String(length=2), server_default="", nullable=False),
        sa.Column("language", sa.String(length=20), server_default="", nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("tags", sa.Text(), server_default="[]", nullable=False),
        sa.Column("version", sa.Text(), server_default="{}", nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accounts_name", "accounts", ["name"], unique=False)
    op.create_index("ix_accounts_owner", "accounts", ["owner_id"], unique=False)
    op.create_index("ix_accounts_status", "accounts", ["status"], unique=False)
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("opportunity_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("outcome", sa.Text(), server_default="", nullable=False),
        sa.Column("start_at", sa.String(length=40), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("participants", sa.Text(), server_default="[]", nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("follow_up_at", sa.String(length=40), nullable=True),
        sa.Column("follow_up_done", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("author_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("version", sa.Text(), server_default="{}", nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_activities_account_start", "activities", ["account_id", "start_at"], unique=False
    )
    op.create_index(
        "ix_activities_follow_up_open",
        "activities",
        ["follow_up_at"],
        unique=False,
        sqlite_where=sa.text("follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0"),
    )
    op.create_index("ix_activities_opportunity", "activities", ["opportunity_id"], unique=False)
    op.create_table(
        "base_copies",
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "record_id"),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("theirs", sa.Text(), nullable=False),
        sa.Column("mine_version", sa.Text(), nullable=False),
        sa.Column("theirs_version", sa.Text(), nullable=False),
        sa.Column("mine_deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("theirs_deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conflicts_record", "conflicts", ["entity", "record_id"], unique=True)
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), server_default="", nullable=False),
        sa.Column("decision_role", sa.Text(), server_default="", nullable=False),
        sa.Column("decision_weight", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("emails", sa.Text(), server_default="[]", nullable=False),
        sa.Column("consent_email", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("consent_phone", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Text(), server_default="{}", nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_contacts_account_id"), "contacts", ["account_id"], unique=False)
    op.create_index("ix_contacts_name", "contacts", ["name"], unique=False)
    op.create_table(
        "opportunities",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.String(length=40), server_default="0", nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False),
        sa.Column("probability", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("expected_close", sa.String(length=10), nullable=True),
        sa.Column("owner_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("version", sa.Text(), server_default="{}", nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_opportunities_account_id"), "opportunities", ["account_id"], unique=False
    )
    op.create_index("ix_opportunities_stage", "opportunities", ["stage"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.Text(), nullable=False),
        sa.Column("new_version", sa.Text(), nullable=False),
        sa.Column("changed_fields", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("change_id"),
    )
    op.create_index("ix_outbox_record", "outbox", ["entity", "record_id"], unique=False)
    op.create_table(
        "pipeline_stages",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("default_probability", sa.Integer(), nullable=False),
        sa.Column("requires_activity_since_stage_change", sa.Boolean(), nullable=False),
        sa.Column("requires_expected_close", sa.Boolean(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sync_issues",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("color", sa.String(length=20), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "account_former_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_account_former_names_account_id"),
        "account_former_names",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "account_status_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("old_status", sa.String(length=40), nullable=True),
        sa.Column("new_status", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_account_status_log_account_id"), "account_status_log", ["account_id"], unique=False
    )
    op.create_table(
        "contact_phones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="mobile", nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("extension", sa.String(length=20), nullable=True),
        sa.Column("digits_reversed", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_contact_phones_contact_id"), "contact_phones", ["contact_id"], unique=False
    )
    op.create_index(
        "ix_contact_phones_digits_reversed", "contact_phones", ["digits_reversed"], unique=False
    )
    op.create_index("ix_contact_phones_e164", "contact_phones", ["e164"], unique=False)
    op.create_table(
        "opportunity_stage_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=True),
        sa.Column("from_stage", sa.String(length=40), nullable=True),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_opportunity_stage_history_opportunity_id"),
        "opportunity_stage_history",
        ["opportunity_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_opportunity_stage_history_opportunity_id"), table_name="opportunity_stage_history"
    )
    op.drop_table("opportunity_stage_history")
    op.drop_index("ix_contact_phones_e164", table_name="contact_phones")
    op.drop_index("ix_contact_phones_digits_reversed", table_name="contact_phones")
    op.drop_index(op.f("ix_contact_phones_contact_id"), table_name="contact_phones")
    op.drop_table("contact_phones")
    op.drop_index(op.f("ix_account_status_log_account_id"), table_name="account_status_log")
    op.drop_table("account_status_log")
    op.drop_index(op.f("ix_account_former_names_account_id"), table_name="account_former_names")
    op.drop_table("account_former_names")
    op.drop_table("tags")
    op.drop_table("sync_state")
    op.drop_table("sync_issues")
    op.drop_table("pipeline_stages")
    op.drop_index("ix_outbox_record", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_opportunities_stage", table_name="opportunities")
    op.drop_index(op.f("ix_opportunities_account_id"), table_name="opportunities")
    op.drop_table("opportunities")
    op.drop_index("ix_contacts_name", table_name="contacts")
    op.drop_index(op.f("ix_contacts_account_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index("ix_conflicts_record", table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_table("base_copies")
    op.drop_index("ix_activities_opportunity", table_name="activities")
    op.drop_index(
        "ix_activities_follow_up_open",
        table_name="activities",
        sqlite_where=sa.text("follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0"),
    )
    op.drop_index("ix_activities_account_start", table_name="activities")
    op.drop_table("activities")
    op.drop_index("ix_accounts_status", table_name="accounts")
    op.drop_index("ix_accounts_owner", table_name="accounts")
    op.drop_index("ix_accounts_name", table_name="accounts")
    op.drop_table("accounts")
    op.drop_table("account_statuses")
