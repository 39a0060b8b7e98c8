"""What sync leaves for a person: open conflicts (decide field by field), sync issues (the
changes the server refused: edit and retry, discard, export) and customers someone else
deleted while this replica had work on them (restore, or export the work). Decisions are local
edits that the next sync sends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.editing import Written
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Entity
from desktop_crm.protocol.roles import Role
from desktop_crm.storage import overview
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica
from desktop_crm.sync import deleted_customers as deletions
from desktop_crm.sync import resolution
from desktop_crm.sync.deleted_customers import DeletedCustomer
from desktop_crm.sync.resolution import Choice, DeleteChoice, FieldChoice, NewValue

__all__ = ["Choice", "DeleteChoice", "DeletedCustomer", "FieldChoice", "NewValue"]


@dataclass(frozen=True, slots=True)
class LabelledConflict:
    conflict: book.ConflictEntry
    #: What a person calls the record: its name, else its account's name, else a short id.
    label: str


def _account_of(entity: str, record_id: str, data: Mapping[str, Any]) -> str:
    return record_id if entity == Entity.ACCOUNT.value else str(data.get("account_id") or "")


def open_conflicts(replica: Replica) -> list[LabelledConflict]:
    with replica.engine.connect() as conn:
        found = book.list_conflicts(conn)
        names = overview.account_names(
            conn, {_account_of(c.entity, c.record_id, c.mine) for c in found} - {""}
        )
    out = []
    for c in found:
        account = names.get(_account_of(c.entity, c.record_id, c.mine), "")
        label = c.mine.get("name") or c.theirs.get("name") or account or c.record_id[:8]
        out.append(LabelledConflict(c, f"{label} ({c.entity})" if label != account else label))
    return out


def resolve_conflict(
    replica: Replica,
    conflict: book.ConflictEntry,
    who: Identity,
    choices: Mapping[str, FieldChoice],
    delete_choice: DeleteChoice | None = None,
) -> Written[None]:
    """Settle one conflict (fields not in ``choices`` keep mine): a new version that dominates
    both sides, sent by the next sync. Restoring a customer someone deleted is refused here,
    with the reason, to a role the server would refuse it to."""
    undeleting_account = (
        conflict.entity == Entity.ACCOUNT.value
        and conflict.theirs_deleted
        and delete_choice is DeleteChoice.RESTORE
    )
    if undeleting_account and not may_restore_customers(who):
        raise resolution.ResolutionError(
            "Only a manager or an administrator can restore a deleted customer: keep it "
            "deleted, and export your work from the deleted customers list if you need it."
        )
    with replica.writing() as conn:
        resolution.resolve_conflict(
            conn,
            conflict.entity,
            conflict.record_id,
            replica_id=who.replica_id,
            user_id=who.user_id,
            choices=choices,
            default=Choice.MINE,
            delete_choice=delete_choice,
        )
    account = _account_of(conflict.entity, conflict.record_id, conflict.mine)
    return Written(None, Changes.of(Entity(conflict.entity), conflict.record_id, account))


def sync_issues(replica: Replica) -> list[book.SyncIssue]:
    with replica.engine.connect() as conn:
        return book.list_sync_issues(conn)


def _issue_changes(issue: book.SyncIssue) -> Changes:
    account = _account_of(issue.entity, issue.record_id, issue.data)
    return Changes.of(Entity(issue.entity), issue.record_id, account)


def retry_sync_issue(
    replica: Replica, issue: book.SyncIssue, who: Identity, changes: Mapping[str, Any]
) -> Written[None]:
    """Queue a refused change again with the user's edits (``changes``: field -> value)."""
    with replica.writing() as conn:
        saved = resolution.retry_sync_issue(
            conn, issue.id, replica_id=who.replica_id, user_id=who.user_id, changes=changes
        )
    return Written(None, _issue_changes(issue) if saved is not None else NOTHING)


def discard_sync_issue(replica: Replica, issue: book.SyncIssue) -> Written[None]:
    """Give a refused change up (the record keeps what the replica holds)."""
    with replica.writing() as conn:
        resolution.discard_sync_issue(conn, issue.id)
    return Written(None, NOTHING)


def export_sync_issues(replica: Replica, path: Path) -> int:
    """Write every sync issue to ``path`` (CSV, or JSON for any other suffix); how many."""
    with replica.engine.connect() as conn:
        return resolution.export_sync_issues(conn, path)


# Customers deleted by someone else while we had work on them ---------------------------------


def deleted_customers(replica: Replica) -> list[DeletedCustomer]:
    """Customers deleted on the server while this replica held unsynced work on them (that
    work waits, held back from sync), each with who deleted it."""
    with replica.engine.connect() as conn:
        return deletions.open_notices(conn)


def deletion_pending(replica: Replica, account_id: str) -> DeletedCustomer | None:
    """The open notice for this customer, if someone else deleted it under our work: a call
    logged under it now waits with that work (shown before logging, never refused silently)."""
    with replica.engine.connect() as conn:
        return deletions.get_notice(conn, account_id)


def may_restore_customers(who: Identity) -> bool:
    """Restoring a deleted customer is a manager's or an administrator's call (the server
    refuses it from others)."""
    return who.role in (Role.MANAGER.value, Role.ADMIN.value)


def restore_deleted_customer(replica: Replica, account_id: str, who: Identity) -> Written[None]:
    """Un-delete the customer and send the held work after it (next sync): the server then
    restores the contacts, opportunities and activities its deletion took."""
    if not may_restore_customers(who):
        raise resolution.ResolutionError(
            "Only a manager or an administrator can restore a deleted customer: "
            "export your work and ask one."
        )
    with replica.writing() as conn:
        resolution.restore_deleted_customer(
            conn, account_id, replica_id=who.replica_id, user_id=who.user_id
        )
    return Written(None, Changes.everything())


def export_deleted_customer_work(replica: Replica, account_id: str, path: Path) -> Written[int]:
    """Write the held work under a deleted customer to ``path`` (CSV, or JSON for any other
    suffix) and let it go from the replica; how many records were written."""
    with replica.writing() as conn:
        count = resolution.export_deleted_customer_work(conn, account_id, path)
    return Written(count, Changes.everything())
