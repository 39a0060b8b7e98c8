"""audit trail: a hash chain over ``audit_log``, the client address, the chain's head

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Each entry gets ``detail_hash`` (SHA-256 of its detail), ``prev_hash`` and ``hash`` (SHA-256 of
the previous hash and the entry's columns); ``audit_chain`` holds the head (last id and hash)
and the base (where the chain starts after a purge). Existing entries are chained in id order,
so the chain covers them too. The hash is written out here, not imported, so this revision
means the same thing forever (it must equal ``server.audit.entry_hash``; a test checks it).
Downgrade drops the columns and the table (the entries stay).
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
COLUMNS = (
    "id",
    "at",
    "actor_id",
    "device_id",
    "address",
    "action",
    "entity",
    "record_id",
    "change_id",
    "detail_hash",
)
BATCH = 2000


def _hash(prev_hash: str, entry: dict[str, object]) -> str:
    payload = json.dumps([entry.get(c) for c in COLUMNS], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("detail_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(64), nullable=True))
    chain = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("base_id", sa.BigInteger(), nullable=False),
        sa.Column("base_hash", sa.String(64), nullable=False),
    )
    last_id, last_hash = _chain_existing()
    op.bulk_insert(
        chain,
        [{"id": 1, "last_id": last_id, "last_hash": last_hash, "base_id": 0, "base_hash": GENESIS}],
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for name in ("detail_hash", "prev_hash", "hash"):
            batch_op.alter_column(name, existing_type=sa.String(64), nullable=False)
        batch_op.create_index("ix_audit_actor", ["actor_id", "id"], unique=False)
        batch_op.create_index("ix_audit_at", ["at"], unique=False)


def _chain_existing() -> tuple[int, str]:
    conn = op.get_bind()
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in COLUMNS if c != "detail_hash"),
        sa.column("detail"),
        sa.column("detail_hash"),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    last_id, last_hash = 0, GENESIS
    set_hash = (
        sa.update(log)
        .where(log.c.id == sa.bindparam("k_id"))
        .values(
            detail_hash=sa.bindparam("v_detail_hash"),
            prev_hash=sa.bindparam("v_prev_hash"),
            hash=sa.bindparam("v_hash"),
        )
    )
    while True:
        rows = conn.execute(
            sa.select(log).where(log.c.id > last_id).order_by(log.c.id).limit(BATCH)
        ).all()
        if not rows:
            return last_id, last_hash
        updates = []
        for row in rows:
            entry = dict(row._mapping)
            entry["detail_hash"] = hashlib.sha256(str(entry["detail"]).encode("utf-8")).hexdigest()
            entry_hash = _hash(last_hash, entry)
            updates.append(
                {
                    "k_id": entry["id"],
                    "v_detail_hash": entry["detail_hash"],
                    "v_prev_hash": last_hash,
                    "v_hash": entry_hash,
                }
            )
            last_id, last_hash = int(entry["id"]), entry_hash
        conn.execute(set_hash, updates)


def downgrade() -> None:
    op.drop_table("audit_chain")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_at")
        batch_op.drop_index("ix_audit_actor")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("detail_hash")
        batch_op.drop_column("address")
