"""Records merged away on the server, as a replica meets them.

A merge reaches a replica as ordinary records (``server/merge.py``): the survivor's new values,
the children moved to it, and the loser's tombstone whose ``data`` names the survivor in
``merged_into``. Two things need care on this side:

- Unsynced work under the loser (an offline edit of it, a call logged under it) is pushed
  *before* the page with the tombstone is applied: the server redirects it to the survivor.
  Held back instead, as for a customer someone deleted (``deleted_customers``), it would wait
  for a decision nobody needs to make.
- Records still under a merged-away account once the page is applied are ones this user can
  no longer see there (the server moved them to a survivor outside their scope, or took
  their pushed work there): they leave the replica. Unsynced ones stay until pushed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from desktop_crm.domain.records import Entity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord

#: The key a merged-away record's tombstone carries in its data.
MERGED_INTO = "merged_into"


def merged_into(record: StoredRecord) -> str | None:
    """The survivor's id when ``record`` is the tombstone of a merged-away record."""
    value = record.data.get(MERGED_INTO) if record.deleted else None
    return value if isinstance(value, str) and value else None


def merged_accounts(records: Sequence[StoredRecord]) -> dict[str, str]:
    """Loser account id -> survivor id, for the merged-away accounts among ``records``."""
    out: dict[str, str] = {}
    for record in records:
        if record.entity is Entity.ACCOUNT and (survivor := merged_into(record)) is not None:
            out[record.id] = survivor
    return out


def has_merges(records: Sequence[StoredRecord]) -> bool:
    return any(merged_into(r) is not None for r in records)


@dataclass(frozen=True, slots=True)
class _Gone:
    entity: str
    id: str


def drop_leftovers(conn: Connection, losers: Sequence[str]) -> int:
    """Remove the synced records still under merged-away accounts (see the module text).
    Returns how many left."""
    if not losers:
        return 0
    under = store.records_under(conn, [_Gone(Entity.ACCOUNT.value, i) for i in losers])
    pending = {(e.entity, e.record_id) for e in book.pending_changes(conn, 10**9)}
    pending |= book.conflicted_records(conn)
    dropped = 0
    for entity, record_id in sorted(under):
        if entity == Entity.ACCOUNT.value or (entity, record_id) in pending:
            continue
        store.purge_record(conn, entity, record_id)
        book.delete_base_copy(conn, entity, record_id)
        dropped += 1
    return dropped
