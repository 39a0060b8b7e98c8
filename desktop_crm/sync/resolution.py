"""What a person decides: conflicts (mine / theirs / a new value, field by field; keep a
deletion or restore the edited record) and sync issues (edit and retry, discard, export).

No network here: every function works on an open replica connection inside one transaction,
and what it decides is queued in the outbox like any local edit, to be pushed by the next sync.
The GUI calls these on its worker thread; the engine never needs to be running.
"""

from __future__ import annotations

import csv
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from desktop_crm.domain.merge import three_way_merge
from desktop_crm.domain.records import ENTITY_FIELDS, RECORD_TYPES, Entity, RecordMeta, utc_now
from desktop_crm.domain.shape import field_problems
from desktop_crm.domain.validation import FieldError, ValidationFailed, ensure_valid
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.sync import deleted_customers

# The sync engine (its writes are used here) is imported by the functions that write: the
# window's start imports this module for its choices, and the engine brings the wire models and
# the HTTP client with it, which the first sync loads.


class Choice(enum.StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


@dataclass(frozen=True, slots=True)
class NewValue:
    """A value the user typed for a conflicting field (JSON form, as in record ``data``)."""

    value: Any


FieldChoice = Choice | NewValue


class DeleteChoice(enum.StrEnum):
    KEEP_DELETED = "keep_deleted"
    RESTORE = "restore"


class ResolutionError(ValueError):
    """The resolution is incomplete or refers to something that is not there."""


def resolve_conflict(
    conn: Connection,
    entity: Entity | str,
    record_id: str,
    *,
    replica_id: str,
    user_id: str = "",
    choices: Mapping[str, FieldChoice] | None = None,
    default: Choice | None = None,
    delete_choice: DeleteChoice | None = None,
) -> StoredRecord:
    """Settle the open conflict of one record and queue the result for the server.

    The merge is recomputed against the record as it stands now (the user may have edited it
    further while it waited); fields changed on one side only keep that side's value, and every
    field still in conflict takes ``choices[field]`` (or ``default``). ``choices`` may also
    override a field that is not in conflict. A delete-versus-edit conflict needs
    ``delete_choice``: keep the record deleted, or restore the edited side.

    The result is validated (raises :class:`~desktop_crm.domain.validation.ValidationFailed`
    before anything is written) and stored as a local edit whose version dominates both sides.
    """
    from desktop_crm.sync import engine

    entity = Entity(entity)
    choices = dict(choices or {})
    conflict = book.get_conflict(conn, entity, record_id)
    if conflict is None:
        raise ResolutionError(f"There is no open conflict for this {entity}.")
    mine = store.read_record(conn, entity, record_id)
    if mine is None:
        raise ResolutionError(f"The {entity} is no longer in this replica.")
    theirs = StoredRecord(
        entity=entity,
        id=record_id,
        version=conflict.theirs_version,
        deleted=conflict.theirs_deleted,
        updated_at=mine.updated_at,
        updated_by="",
        data=dict(conflict.theirs),
    )
    result = three_way_merge(
        conflict.base,
        mine.data,
        theirs.data,
        mine_deleted=mine.deleted,
        theirs_deleted=theirs.deleted,
    )
    unknown = set(choices) - set(ENTITY_FIELDS[entity])
    if unknown:
        raise ResolutionError(f"Unknown field(s) of {entity}: {', '.join(sorted(unknown))}")
    if result.delete_conflict:
        if delete_choice is None:
            raise ResolutionError("Choose whether the record stays deleted or is restored.")
        if delete_choice is DeleteChoice.KEEP_DELETED and theirs.deleted:
            # The server's side is the deletion: keeping it deleted is taking their tombstone.
            # Pushing a deletion of our own would say nothing new, and the server refuses one
            # from a role that may not delete (a rep deleting an account), a false sync issue.
            engine.adopt_server_copy(conn, theirs)
            return theirs
        if delete_choice is DeleteChoice.KEEP_DELETED:
            deleted = True
            data = dict(theirs.data if theirs.deleted else mine.data)
        else:
            deleted = False
            data = dict(mine.data if theirs.deleted else theirs.data)
        data = _apply_choices(data, choices, mine.data, theirs.data)
    else:
        deleted = result.deleted
        data = dict(result.merged)
        missing = [c.name for c in result.conflicts if c.name not in choices]
        if missing and default is None:
            raise ResolutionError(f"Choose a value for: {', '.join(missing)}")
        for name in missing:
            assert default is not None
            choices[name] = default
        data = _apply_choices(data, choices, mine.data, theirs.data)
    data = _validated(entity, record_id, data, deleted)
    return engine.write_resolution(
        conn,
        replica_id,
        user_id,
        entity,
        record_id,
        data,
        deleted,
        mine_version=mine.version,
        theirs=theirs,
    )


def _apply_choices(
    data: dict[str, Any],
    choices: Mapping[str, FieldChoice],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
) -> dict[str, Any]:
    out = dict(data)
    for name, choice in choices.items():
        if isinstance(choice, NewValue):
            out[name] = choice.value
        elif Choice(choice) is Choice.MINE:
            out[name] = mine.get(name)
        else:
            out[name] = theirs.get(name)
    return out


def _validated(
    entity: Entity, record_id: str, data: dict[str, Any], deleted: bool
) -> dict[str, Any]:
    """The canonical data of the record (phones normalized), validated unless deleted.

    Values a person typed are checked for shape first (a list where text belongs, a date that
    is not one): ValidationFailed names the field, nothing is written."""
    problems = field_problems(entity, data)
    if problems:
        raise ValidationFailed([FieldError(name, problem) for name, problem in problems])
    record = RECORD_TYPES[entity].from_data(data, RecordMeta(id=record_id, deleted=deleted))
    if not deleted:
        ensure_valid(record)
    return record.data()


# Sync issues ----------------------------------------------------------------------------------


def get_sync_issue(conn: Connection, issue_id: int) -> book.SyncIssue:
    for issue in book.list_sync_issues(conn):
        if issue.id == issue_id:
            return issue
    raise ResolutionError(f"There is no sync issue {issue_id}.")


def retry_sync_issue(
    conn: Connection,
    issue_id: int,
    *,
    replica_id: str,
    user_id: str = "",
    changes: Mapping[str, Any] | None = None,
    deleted: bool | None = None,
) -> StoredRecord | None:
    """Queue a parked change again, with the user's edits (``changes``: field -> value), as a
    new local change on top of the record as it stands in the replica now.

    Validates first (raises ``ValidationFailed``; the issue stays). Returns the saved record,
    or None when the retried change would change nothing (the issue is then closed).
    """
    issue = get_sync_issue(conn, issue_id)
    from desktop_crm.sync import engine

    if issue.change_id.startswith(engine.UNREADABLE_ISSUE_PREFIX):
        raise ResolutionError(
            "This is the server's copy of a record, which could not be read; there is no change "
            "of yours to send. Discard the issue: the repaired copy arrives with a sync."
        )
    entity = Entity(issue.entity)
    data = {**issue.data, **dict(changes or {})}
    unknown = set(data) - set(ENTITY_FIELDS[entity])
    if unknown:
        raise ResolutionError(f"Unknown field(s) of {entity}: {', '.join(sorted(unknown))}")
    problems = field_problems(entity, data)
    if problems:
        raise ValidationFailed([FieldError(name, problem) for name, problem in problems])
    want_deleted = issue.deleted if deleted is None else deleted
    current = store.read_record(conn, entity, issue.record_id)
    meta = current.meta() if current is not None else RecordMeta(id=issue.record_id)
    meta.deleted = want_deleted
    record = RECORD_TYPES[entity].from_data(data, meta)
    before = book.outbox_count(conn)
    store.save_local(conn, record, replica_id, user_id)
    book.delete_sync_issue(conn, issue.id)
    changed = book.outbox_count(conn) > before
    return store.read_record(conn, entity, issue.record_id) if changed else None


def discard_sync_issue(conn: Connection, issue_id: int) -> None:
    """The user gives the parked change up (after exporting it, perhaps)."""
    get_sync_issue(conn, issue_id)
    book.delete_sync_issue(conn, issue_id)


EXPORT_COLUMNS = ("id", "created_at", "entity", "record_id", "deleted", "reason", "data")


def export_sync_issues(conn: Connection, path: Path) -> int:
    """Write every sync issue to ``path`` (``.csv``: one row each, data as JSON text;
    anything else: a JSON array). Returns how many were written."""
    issues = book.list_sync_issues(conn)
    rows = [
        {
            "id": i.id,
            "created_at": i.created_at,
            "entity": i.entity,
            "record_id": i.record_id,
            "deleted": i.deleted,
            "reason": i.reason,
            "data": i.data,
        }
        for i in issues
    ]
    _write_export(path, rows, EXPORT_COLUMNS)
    return len(rows)


def _write_export(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """``rows`` to ``path`` (``.csv``: data as JSON text; anything else: a JSON array),
    written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix.lower() == ".csv":
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {**row, "data": json.dumps(row["data"], ensure_ascii=False, sort_keys=True)}
                )
    else:
        tmp.write_text(
            json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    tmp.replace(path)


# Customers deleted by someone else while we had work on them ---------------------------------


def _notice(conn: Connection, account_id: str) -> deleted_customers.DeletedCustomer:
    notice = deleted_customers.get_notice(conn, account_id)
    if notice is None:
        raise ResolutionError("This customer has no deletion waiting for a decision.")
    return notice


def restore_deleted_customer(
    conn: Connection, account_id: str, *, replica_id: str, user_id: str = ""
) -> StoredRecord:
    """Undo someone else's deletion of a customer we hold unsynced work on: un-delete the
    account (a local edit that dominates the tombstone; the server then restores the children
    the deletion took) and queue the held work behind it, so the server sees the account live
    before the calls and edits under it. Only a manager or an administrator may (the server
    refuses others): callers check the role first."""
    notice = _notice(conn, account_id)
    if book.get_conflict(conn, Entity.ACCOUNT, account_id) is not None:
        restored = resolve_conflict(
            conn,
            Entity.ACCOUNT,
            account_id,
            replica_id=replica_id,
            user_id=user_id,
            delete_choice=DeleteChoice.RESTORE,
        )
    else:
        stored = store.read_record(conn, Entity.ACCOUNT, account_id)
        if stored is None:
            raise ResolutionError("The customer is no longer in this replica.")
        record = stored.to_record()
        record.meta.deleted = False
        store.save_local(conn, record, replica_id, user_id)
        restored = store.read_record(conn, Entity.ACCOUNT, account_id) or stored
    for entity, record_id in notice.records:
        if (entity, record_id) != (Entity.ACCOUNT.value, account_id):
            _requeue(conn, entity, record_id)
    deleted_customers.close_notice(conn, account_id)
    return restored


def _requeue(conn: Connection, entity: str, record_id: str) -> None:
    """Move a record's outbox entries to the end of the outbox (same change ids)."""
    entries = book.outbox_for_record(conn, entity, record_id)
    book.clear_outbox_for_record(conn, entity, record_id)
    for e in entries:
        book.add_outbox_entry(
            conn,
            change_id=e.change_id,
            entity=e.entity,
            record_id=e.record_id,
            base_version=e.base_version,
            new_version=e.new_version,
            changed_fields=e.changed_fields,
            deleted=e.deleted,
            data=e.data,
        )


DELETED_CUSTOMER_COLUMNS = (
    "account_id",
    "account_name",
    "deleted_by",
    "entity",
    "record_id",
    "deleted",
    "data",
)


def export_deleted_customer_work(conn: Connection, account_id: str, path: Path) -> int:
    """Write our unsynced work under a customer someone else deleted to ``path`` (CSV, or JSON
    for any other suffix), then let it go: the replica takes the server's side (the deletion)
    for those records, and work the server never had leaves the replica. Returns how many
    records were exported."""
    notice = _notice(conn, account_id)
    rows: list[dict[str, Any]] = []
    for entity, record_id in notice.records:
        entries = book.outbox_for_record(conn, entity, record_id)
        conflict = book.get_conflict(conn, entity, record_id)
        if entries:
            data, deleted = entries[-1].data, entries[-1].deleted
        elif conflict is not None:
            data, deleted = conflict.mine, conflict.mine_deleted
        else:
            continue
        rows.append(
            {
                "account_id": account_id,
                "account_name": notice.account_name,
                "deleted_by": notice.who,
                "entity": entity,
                "record_id": record_id,
                "deleted": deleted,
                "data": data,
            }
        )
    _write_export(path, rows, DELETED_CUSTOMER_COLUMNS)  # written before anything is let go
    for entity, record_id in notice.records:
        _take_server_side(conn, Entity(entity), record_id)
    deleted_customers.close_notice(conn, account_id)
    return len(rows)


def _take_server_side(conn: Connection, entity: Entity, record_id: str) -> None:
    """Drop our unsynced work on a record: back to the server's copy (from an open conflict,
    else the base copy), or out of the replica if the server never had it."""
    from desktop_crm.sync import engine

    conflict = book.get_conflict(conn, entity, record_id)
    if conflict is not None:
        mine = store.read_record(conn, entity, record_id)
        engine.adopt_server_copy(
            conn,
            StoredRecord(
                entity=entity,
                id=record_id,
                version=conflict.theirs_version,
                deleted=conflict.theirs_deleted,
                updated_at=mine.updated_at if mine is not None else utc_now(),
                updated_by="",
                data=dict(conflict.theirs),
            ),
        )
        return
    base = book.get_base_copy(conn, entity.value, record_id)
    book.clear_outbox_for_record(conn, entity.value, record_id)
    if base is None:
        store.purge_record(conn, entity, record_id)  # created here, never on the server
        return
    engine.restore_base_copy(conn, entity, record_id, base)


def open_items(conn: Connection) -> tuple[int, int]:
    """(open conflicts, sync issues): what waits for a person."""
    return book.conflict_count(conn), book.sync_issue_count(conn)


__all__ = [
    "Choice",
    "DeleteChoice",
    "FieldChoice",
    "NewValue",
    "ResolutionError",
    "discard_sync_issue",
    "export_deleted_customer_work",
    "export_sync_issues",
    "get_sync_issue",
    "open_items",
    "resolve_conflict",
    "restore_deleted_customer",
    "retry_sync_issue",
]
