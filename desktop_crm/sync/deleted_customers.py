"""Customers deleted by someone else while this replica held unsynced work on them.

When a pulled page brings an account's tombstone and the replica still has unsynced work under
that account (outbox entries or open conflicts on the account, its contacts, opportunities or
activities), the replica keeps a *notice*: which account, who deleted it (``updated_by`` of the
tombstone) and when. While the notice is open, that work is held back from push: the server
would refuse every change under a deleted account, and a refusal would only land in the sync
issues list. The person decides instead (``resolution.restore_deleted_customer`` where the role
may restore, or ``resolution.export_deleted_customer_work``); if someone restores the account
meanwhile, the pull that brings it back live closes the notice and the held work is pushed.

Notices live in the replica's sync state (one JSON value), so no replica migration is needed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from desktop_crm.domain.records import Entity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.sync.merges import MERGED_INTO

#: Sync-state key of the open notices: ``{account_id: {name, deleted_by, deleted_at}}``.
NOTICES_KEY = "deleted_customer_notices"

Key = tuple[str, str]  # (entity value, record id)


@dataclass(frozen=True, slots=True)
class DeletedCustomer:
    """A customer deleted on the server while this replica had unsynced work on it."""

    account_id: str
    account_name: str
    #: The user id of whoever deleted it (the tombstone's ``updated_by``).
    deleted_by: str
    #: Their user name from the server's directory as this replica last saved it ("" unknown).
    deleted_by_name: str
    deleted_at: str
    #: The records under the account with unsynced work (held back from push).
    records: tuple[Key, ...]

    @property
    def who(self) -> str:
        """The deleting user's name, else their id."""
        return self.deleted_by_name or self.deleted_by or "someone"


def _load(conn: Connection) -> dict[str, dict[str, Any]]:
    text = book.get_state(conn, NOTICES_KEY)
    loaded = json.loads(text) if text else {}
    return {str(k): dict(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _save(conn: Connection, notices: dict[str, dict[str, Any]]) -> None:
    if notices:
        book.set_state(conn, NOTICES_KEY, json.dumps(notices, ensure_ascii=False, sort_keys=True))
    else:
        book.delete_state(conn, NOTICES_KEY)


def _account_of(entity: str, record_id: str, data: dict[str, Any]) -> str:
    return record_id if entity == Entity.ACCOUNT.value else str(data.get("account_id") or "")


def work_under(conn: Connection, account_ids: Iterable[str]) -> dict[str, set[Key]]:
    """account id -> the records under it (itself included) with unsynced work: outbox
    entries or an open conflict."""
    wanted = set(account_ids)
    out: dict[str, set[Key]] = {}
    if not wanted:
        return out
    for entry in book.pending_changes(conn, 10**9):
        account = _account_of(entry.entity, entry.record_id, entry.data)
        if account in wanted:
            out.setdefault(account, set()).add((entry.entity, entry.record_id))
    for conflict in book.list_conflicts(conn):
        account = _account_of(conflict.entity, conflict.record_id, conflict.mine)
        if account in wanted:
            out.setdefault(account, set()).add((conflict.entity, conflict.record_id))
    return out


def note_page(conn: Connection, records: Sequence[StoredRecord]) -> list[str]:
    """Before a page from the server is applied: open a notice for each account arriving
    deleted that is live here and holds unsynced work, and close the notice of each account
    arriving live again (restored on the server). Returns the accounts newly noticed."""
    accounts = [r for r in records if r.entity is Entity.ACCOUNT]
    if not accounts:
        return []
    notices = _load(conn)
    changed = False
    for record in accounts:
        if not record.deleted and record.id in notices:
            del notices[record.id]  # restored by someone: the held work can go
            changed = True
    candidates = {}
    for record in accounts:
        if not record.deleted or record.id in notices or MERGED_INTO in record.data:
            continue  # (a merge is no deletion: its work goes to the survivor, sync/merges.py)
        mine = store.read_record(conn, Entity.ACCOUNT, record.id)
        # Ours already contains the deletion (an echo of it, restored here since): no news.
        if mine is not None and not mine.deleted and not mine.version.dominates(record.version):
            candidates[record.id] = (record, mine)
    noticed: list[str] = []
    if candidates:
        work = work_under(conn, candidates)
        for account_id, (tombstone, mine) in candidates.items():
            if not work.get(account_id):
                continue
            notices[account_id] = {
                "name": str(mine.data.get("name") or ""),
                "deleted_by": tombstone.updated_by,
                "deleted_at": tombstone.updated_at.isoformat(),
            }
            noticed.append(account_id)
            changed = True
    if changed:
        _save(conn, notices)
    return noticed


def open_notices(conn: Connection, *, prune: bool = False) -> list[DeletedCustomer]:
    """The open notices, with who deleted each customer and the work held for it. A notice
    whose work is all settled (conflicts decided one by one, say) is not shown, and with
    ``prune`` (in a write transaction) it is closed."""
    notices = _load(conn)
    if not notices:
        return []
    names = book.user_names(conn)
    work = work_under(conn, notices)
    if prune and set(notices) - set(work):
        _save(conn, {k: v for k, v in notices.items() if k in work})
    return [
        DeletedCustomer(
            account_id=account_id,
            account_name=str(notice.get("name") or ""),
            deleted_by=str(notice.get("deleted_by") or ""),
            deleted_by_name=names.get(str(notice.get("deleted_by") or ""), ""),
            deleted_at=str(notice.get("deleted_at") or ""),
            records=tuple(sorted(work.get(account_id, ()))),
        )
        for account_id, notice in sorted(notices.items())
        if work.get(account_id)
    ]


def get_notice(conn: Connection, account_id: str) -> DeletedCustomer | None:
    return next((n for n in open_notices(conn) if n.account_id == account_id), None)


def held_records(conn: Connection) -> set[Key]:
    """Records whose outbox entries wait for a person's decision on a deleted customer."""
    notices = _load(conn)
    if not notices:
        return set()
    return {key for keys in work_under(conn, notices).values() for key in keys}


def close_notice(conn: Connection, account_id: str) -> None:
    notices = _load(conn)
    if notices.pop(account_id, None) is not None:
        _save(conn, notices)
