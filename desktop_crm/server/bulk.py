"""Bulk loading of trusted records (demo data, benchmarks, large imports).

Skips per-change checks but keeps the invariants: every record gets a change-log entry whose
sequence number it carries, account assignments follow ``owner_id``, and one audit entry
records the load. Run inside :func:`desktop_crm.server.db.write_transaction`, which keeps
other writers out while sequence numbers are handed out here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from desktop_crm.domain.records import SyncedRecord
from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event
from desktop_crm.server.store import account_of, dumps
from desktop_crm.server.timeutil import iso, now

BATCH = 5000


def load_records(
    conn: Connection, records: Iterable[SyncedRecord], actor_id: str, *, assign: bool = True
) -> int:
    """Insert new records; return how many. ``assign``: create account assignments from each
    account's ``owner_id`` (owners must exist as users)."""
    seq = int(conn.scalar(select(func.coalesce(func.max(m.change_log.c.seq), 0))) or 0)
    stamp = iso(now())
    rows: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    total = 0

    def flush() -> None:
        if rows:
            conn.execute(insert(m.change_log), log)
            conn.execute(insert(m.records), rows)
        if assignments:
            conn.execute(insert(m.account_assignments), assignments)
        rows.clear()
        log.clear()
        assignments.clear()

    for record in records:
        seq += 1
        total += 1
        entity = record.ENTITY
        data = record.data()
        record_id = record.meta.id
        account_id = account_of(entity, record_id, data)
        rows.append(
            {
                "entity": entity.value,
                "id": record_id,
                "account_id": account_id,
                "opportunity_id": data.get("opportunity_id") if entity == "activity" else None,
                "data": dumps(data),
                "version": record.meta.version.to_json(),
                "deleted": record.meta.deleted,
                "updated_at": iso(record.meta.updated_at),
                "updated_by": record.meta.updated_by or actor_id,
                "change_seq": seq,
            }
        )
        log.append(
            {
                "seq": seq,
                "kind": "record",
                "entity": entity.value,
                "record_id": record_id,
                "account_id": account_id,
                "user_id": None,
                "change_id": None,
                "actor_id": actor_id,
                "device_id": None,
                "at": stamp,
            }
        )
        if assign and entity == "account" and data.get("owner_id"):
            assignments.append(
                {
                    "account_id": record_id,
                    "user_id": data["owner_id"],
                    "assigned_at": stamp,
                    "assigned_by": actor_id,
                }
            )
        if len(rows) >= BATCH:
            flush()
    flush()
    if conn.dialect.name == "postgresql":
        # Explicit keys do not advance the serial sequence; move it past them.
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('change_log', 'seq'), "
                "(SELECT COALESCE(MAX(seq), 1) FROM change_log))"
            )
        )
    audit_event(conn, actor_id, None, "records.bulk_load", {"count": total})
    return total
