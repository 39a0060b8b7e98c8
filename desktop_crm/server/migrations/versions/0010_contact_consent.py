"""contact consent: every stored contact carries the consent fields

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A contact's consent per channel (date and source, SMS) and its do-not-contact flag are new
fields of the record (``domain/consent.py``). Records are JSON on the server, so no column is
needed; but stored contacts lack the keys, and a client that pushes the same content again (a
retried push) sends them with their defaults: compared with the stored data that would read as
a different record (a conflict) instead of "already applied". The upgrade writes the defaults
into every stored contact that lacks them (the same value a reader assumes for a missing key,
so no version changes). The downgrade takes out only keys that still hold the default, so a
consent someone recorded is kept in the JSON (an older server ignores keys it does not know).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The new contact fields and their defaults, as of this revision (not imported from the
#: domain: a migration must keep meaning what it meant when it was written).
DEFAULTS: dict[str, Any] = {
    "consent_phone_at": None,
    "consent_phone_source": "",
    "consent_email_at": None,
    "consent_email_source": "",
    "consent_sms": False,
    "consent_sms_at": None,
    "consent_sms_source": "",
    "do_not_contact": False,
}
CHUNK = 1000

_records = sa.table(
    "records",
    sa.column("entity", sa.String),
    sa.column("id", sa.String),
    sa.column("data", sa.Text),
)


def _rewrite(change: Any) -> None:
    """Apply ``change(data) -> bool`` (True: changed) to every stored contact, in chunks."""
    conn = op.get_bind()
    after = ""
    while True:
        rows = conn.execute(
            sa.select(_records.c.id, _records.c.data)
            .where(_records.c.entity == "contact", _records.c.id > after)
            .order_by(_records.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        updates = []
        for record_id, text in rows:
            data = json.loads(text)
            if isinstance(data, dict) and change(data):
                updates.append({"rid": record_id, "new": _dumps(data)})
        if updates:
            conn.execute(
                _records.update()
                .where(_records.c.entity == "contact", _records.c.id == sa.bindparam("rid"))
                .values(data=sa.bindparam("new")),
                updates,
            )
        after = rows[-1][0]


def _dumps(data: dict[str, Any]) -> str:
    """As the server stores record data (``store.dumps``)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _fill(data: dict[str, Any]) -> bool:
    missing = {k: v for k, v in DEFAULTS.items() if k not in data}
    data.update(missing)
    return bool(missing)


def _strip(data: dict[str, Any]) -> bool:
    defaults = [k for k, v in DEFAULTS.items() if k in data and data[k] == v]
    for key in defaults:
        del data[key]
    return bool(defaults)


def upgrade() -> None:
    _rewrite(_fill)


def downgrade() -> None:
    _rewrite(_strip)
