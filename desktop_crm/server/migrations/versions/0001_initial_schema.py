"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Every table of the first server release, plus the default pipeline stages and account statuses
(copied here, not imported, so this revision means the same thing forever).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_former_names",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("replaced_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_former_names", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_former_names_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "account_status_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=40), nullable=True),
        sa.Column("to_status", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("account_status_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_status_log_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "account_statuses",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "applied_changes",
        sa.Column("change_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("change_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_record", ["entity", "record_id"], unique=False)

    op.create_table(
        "change_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=True),
        sa.Column("change_id", sa.String(length=64), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_scope", ["user_id", "seq"], unique=False)

    op.create_table(
        "pipeline_stages",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("default_probability", sa.Integer(), nullable=False),
        sa.Column("requires_activity_since_stage_change", sa.Boolean(), nullable=False),
        sa.Column("requires_expected_close", sa.Boolean(), nullable=False),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_won", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "records",
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("opportunity_id", sa.String(length=64), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("updated_by", sa.String(length=64), server_default="", nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "id"),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_account", ["account_id", "entity", "id"], unique=False)
        batch_op.create_index("ix_records_change_seq", ["change_seq"], unique=False)
        batch_op.create_index("ix_records_opportunity", ["opportunity_id"], unique=False)

    op.create_table(
        "stage_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("opportunity_id", sa.String(length=64), nullable=False),
        sa.Column("from_stage", sa.String(length=40), nullable=True),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.String(length=40), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stage_history_opportunity_id"), ["opportunity_id"], unique=False
        )

    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("scope_reset_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "account_assignments",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", sa.String(length=40), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("account_id"),
    )
    with op.batch_alter_table("account_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_assignments_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("replica_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("last_seen_at", sa.String(length=40), nullable=True),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("replica_id"),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_user_id"), ["user_id"], unique=False)

    stages = sa.table(
        "pipeline_stages",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("default_probability", sa.Integer),
        sa.column("requires_activity_since_stage_change", sa.Boolean),
        sa.column("requires_expected_close", sa.Boolean),
        sa.column("is_closed", sa.Boolean),
        sa.column("is_won", sa.Boolean),
    )
    stage_keys = [
        "key",
        "name",
        "position",
        "default_probability",
        "requires_activity_since_stage_change",
        "requires_expected_close",
        "is_closed",
        "is_won",
    ]
    stage_rows = [
        ("lead", "Lead", 1, 10, False, False, False, False),
        ("qualified", "Qualified", 2, 25, True, False, False, False),
        ("proposal", "Proposal", 3, 50, True, True, False, False),
        ("negotiation", "Negotiation", 4, 75, True, True, False, False),
        ("won", "Won", 5, 100, False, True, True, True),
        ("lost", "Lost", 6, 0, False, False, True, False),
    ]
    op.bulk_insert(stages, [dict(zip(stage_keys, row, strict=True)) for row in stage_rows])
    statuses = sa.table(
        "account_statuses",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        statuses,
        [
            {"key": "prospect", "name": "Prospect", "position": 1},
            {"key": "active", "name": "Active customer", "position": 2},
            {"key": "dormant", "name": "Dormant", "position": 3},
            {"key": "former", "name": "Former customer", "position": 4},
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_user_id"))

    op.drop_table("devices")
    with op.batch_alter_table("account_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_assignments_user_id"))

    op.drop_table("account_assignments")
    op.drop_table("users")
    op.drop_table("teams")
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_history_opportunity_id"))

    op.drop_table("stage_history")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_opportunity")
        batch_op.drop_index("ix_records_change_seq")
        batch_op.drop_index("ix_records_account")

    op.drop_table("records")
    op.drop_table("pipeline_stages")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_scope")

    op.drop_table("change_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_record")

    op.drop_table("audit_log")
    op.drop_table("applied_changes")
    op.drop_table("account_statuses")
    with op.batch_alter_table("account_status_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_status_log_account_id"))

    op.drop_table("account_status_log")
    with op.batch_alter_table("account_former_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_former_names_account_id"))

    op.drop_table("account_former_names")
