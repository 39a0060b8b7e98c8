"""Replica-only sync bookkeeping: sync state, the outbox, base copies, conflicts, sync issues.

Every function takes an open SQLAlchemy Connection and runs inside the caller's transaction,
so the sync engine can apply a page, move the cursor and update the outbox atomically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from desktop_crm.domain.records import utc_now
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage.schema import base_copies, conflicts, outbox, sync_issues, sync_state


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# Sync state ----------------------------------------------------------------------------------


def get_state(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(sync_state.c.value).where(sync_state.c.key == key)).scalar()
    return None if value is None else str(value)


def set_state(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(
        update(sync_state).where(sync_state.c.key == key).values(value=value)
    ).rowcount
    if not updated:
        conn.execute(insert(sync_state).values(key=key, value=value))


def delete_state(conn: Connection, key: str) -> None:
    conn.execute(delete(sync_state).where(sync_state.c.key == key))


_USER_NAMES = "directory.user_names"


def save_user_names(conn: Connection, names: Mapping[str, str]) -> None:
    """The server's directory (user id -> name), for showing owners and authors by name."""
    set_state(conn, _USER_NAMES, _dumps(dict(names)))


def user_names(conn: Connection) -> dict[str, str]:
    text = get_state(conn, _USER_NAMES)
    if not text:
        return {}
    loaded = json.loads(text)
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


# Outbox --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    seq: int
    change_id: str
    entity: str
    record_id: str
    base_version: VersionVector
    new_version: VersionVector
    changed_fields: tuple[str, ...]
    deleted: bool
    data: dict[str, Any]
    attempts: int
    last_error: str | None
    #: When the edit was made on this device (sent as the change's ``changed_at``).
    created_at: str = ""


#: An outbox row as stored (:func:`pending_rows`): ``change_id``, ``entity``, ``record_id``, ...
PendingRow = Row[Any]


def outbox_entry(row: Any) -> OutboxEntry:
    """An outbox row (as :func:`pending_rows` returns it) decoded."""
    return OutboxEntry(
        seq=row.seq,
        change_id=row.change_id,
        entity=row.entity,
        record_id=row.record_id,
        base_version=VersionVector.from_json(row.base_version),
        new_version=VersionVector.from_json(row.new_version),
        changed_fields=tuple(json.loads(row.changed_fields)),
        deleted=bool(row.deleted),
        data=json.loads(row.data),
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
    )


def add_outbox_entry(
    conn: Connection,
    *,
    change_id: str,
    entity: str,
    record_id: str,
    base_version: VersionVector,
    new_version: VersionVector,
    changed_fields: Iterable[str],
    deleted: bool,
    data: dict[str, Any],
) -> None:
    conn.execute(
        insert(outbox).values(
            change_id=change_id,
            entity=entity,
            record_id=record_id,
            base_version=base_version.to_json(),
            new_version=new_version.to_json(),
            changed_fields=_dumps(sorted(set(changed_fields))),
            deleted=deleted,
            data=_dumps(data),
            created_at=utc_now().isoformat(),
        )
    )


def pending_changes(
    conn: Connection, limit: int, exclude_records: Iterable[tuple[str, str]] = ()
) -> list[OutboxEntry]:
    """The oldest outbox entries, skipping records held back (e.g. in conflict)."""
    return [outbox_entry(row) for row in pending_rows(conn, limit, exclude_records)]


def pending_rows(
    conn: Connection, limit: int, exclude_records: Iterable[tuple[str, str]] = ()
) -> list[Row[Any]]:
    """:func:`pending_changes` as the rows are stored (JSON text not decoded): the push
    sends the stored JSON as it is (``sync/fast_wire.push_body``); :func:`outbox_entry`
    decodes one when needed."""
    held = set(exclude_records)
    found: list[Row[Any]] = []
    rows = conn.execute(select(outbox).order_by(outbox.c.seq))
    for row in rows:
        if (row.entity, row.record_id) in held:
            continue
        found.append(row)
        if len(found) >= limit:
            break
    return found


def outbox_for_record(conn: Connection, entity: str, record_id: str) -> list[OutboxEntry]:
    rows = conn.execute(
        select(outbox)
        .where(outbox.c.entity == entity, outbox.c.record_id == record_id)
        .order_by(outbox.c.seq)
    )
    return [outbox_entry(row) for row in rows]


def remove_outbox_entries(conn: Connection, change_ids: Sequence[str]) -> None:
    if change_ids:
        conn.execute(delete(outbox).where(outbox.c.change_id.in_(list(change_ids))))


def clear_outbox_for_record(conn: Connection, entity: str, record_id: str) -> None:
    conn.execute(delete(outbox).where(outbox.c.entity == entity, outbox.c.record_id == record_id))


def note_push_failure(conn: Connection, change_ids: Sequence[str], error: str) -> None:
    if change_ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.change_id.in_(list(change_ids)))
            .values(attempts=outbox.c.attempts + 1, last_error=error)
        )


def outbox_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


# Base copies ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BaseCopy:
    version: VersionVector
    deleted: bool
    data: dict[str, Any]


def get_base_copy(conn: Connection, entity: str, record_id: str) -> BaseCopy | None:
    row = conn.execute(
        select(base_copies).where(
            base_copies.c.entity == entity, base_copies.c.record_id == record_id
        )
    ).first()
    if row is None:
        return None
    return BaseCopy(VersionVector.from_json(row.version), bool(row.deleted), json.loads(row.data))


def set_base_copy(
    conn: Connection,
    entity: str,
    record_id: str,
    version: VersionVector,
    deleted: bool,
    data: dict[str, Any],
) -> None:
    delete_base_copy(conn, entity, record_id)
    conn.execute(
        insert(base_copies).values(
            entity=entity,
            record_id=record_id,
            version=version.to_json(),
            deleted=deleted,
            data=_dumps(data),
        )
    )


def delete_base_copy(conn: Connection, entity: str, record_id: str) -> None:
    conn.execute(
        delete(base_copies).where(
            base_copies.c.entity == entity, base_copies.c.record_id == record_id
        )
    )


# Conflict queue ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConflictEntry:
    id: int
    entity: str
    record_id: str
    kind: str  # "fields" or "delete"
    fields: tuple[str, ...]
    base: dict[str, Any] | None
    mine: dict[str, Any]
    theirs: dict[str, Any]
    mine_version: VersionVector
    theirs_version: VersionVector
    mine_deleted: bool
    theirs_deleted: bool
    created_at: str


def _conflict_entry(row: Any) -> ConflictEntry:
    return ConflictEntry(
        id=row.id,
        entity=row.entity,
        record_id=row.record_id,
        kind=row.kind,
        fields=tuple(json.loads(row.fields)),
        base=None if row.base is None else json.loads(row.base),
        mine=json.loads(row.mine),
        theirs=json.loads(row.theirs),
        mine_version=VersionVector.from_json(row.mine_version),
        theirs_version=VersionVector.from_json(row.theirs_version),
        mine_deleted=bool(row.mine_deleted),
        theirs_deleted=bool(row.theirs_deleted),
        created_at=row.created_at,
    )


def put_conflict(
    conn: Connection,
    *,
    entity: str,
    record_id: str,
    kind: str,
    fields: Iterable[str],
    base: dict[str, Any] | None,
    mine: dict[str, Any],
    theirs: dict[str, Any],
    mine_version: VersionVector,
    theirs_version: VersionVector,
    mine_deleted: bool = False,
    theirs_deleted: bool = False,
) -> None:
    """Record (or replace: one open conflict per record) a conflict for the user to decide."""
    delete_conflict(conn, entity, record_id)
    conn.execute(
        insert(conflicts).values(
            entity=entity,
            record_id=record_id,
            kind=kind,
            fields=_dumps(list(fields)),
            base=None if base is None else _dumps(base),
            mine=_dumps(mine),
            theirs=_dumps(theirs),
            mine_version=mine_version.to_json(),
            theirs_version=theirs_version.to_json(),
            mine_deleted=mine_deleted,
            theirs_deleted=theirs_deleted,
            created_at=utc_now().isoformat(),
        )
    )


def list_conflicts(conn: Connection) -> list[ConflictEntry]:
    return [_conflict_entry(r) for r in conn.execute(select(conflicts).order_by(conflicts.c.id))]


def get_conflict(conn: Connection, entity: str, record_id: str) -> ConflictEntry | None:
    row = conn.execute(
        select(conflicts).where(conflicts.c.entity == entity, conflicts.c.record_id == record_id)
    ).first()
    return None if row is None else _conflict_entry(row)


def delete_conflict(conn: Connection, entity: str, record_id: str) -> None:
    conn.execute(
        delete(conflicts).where(conflicts.c.entity == entity, conflicts.c.record_id == record_id)
    )


def conflicted_records(conn: Connection) -> set[tuple[str, str]]:
    return {
        (row.entity, row.record_id)
        for row in conn.execute(select(conflicts.c.entity, conflicts.c.record_id))
    }


# Sync issues ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncIssue:
    id: int
    change_id: str
    entity: str
    record_id: str
    data: dict[str, Any]
    deleted: bool
    reason: str
    created_at: str
    attempts: int


def add_sync_issue(
    conn: Connection,
    *,
    change_id: str,
    entity: str,
    record_id: str,
    data: dict[str, Any],
    deleted: bool,
    reason: str,
) -> None:
    conn.execute(
        insert(sync_issues).values(
            change_id=change_id,
            entity=entity,
            record_id=record_id,
            data=_dumps(data),
            deleted=deleted,
            reason=reason,
            created_at=utc_now().isoformat(),
        )
    )


def list_sync_issues(conn: Connection) -> list[SyncIssue]:
    rows = conn.execute(select(sync_issues).order_by(sync_issues.c.id))
    return [
        SyncIssue(
            id=r.id,
            change_id=r.change_id,
            entity=r.entity,
            record_id=r.record_id,
            data=json.loads(r.data),
            deleted=bool(r.deleted),
            reason=r.reason,
            created_at=r.created_at,
            attempts=r.attempts,
        )
        for r in rows
    ]


def delete_sync_issue(conn: Connection, issue_id: int) -> None:
    conn.execute(delete(sync_issues).where(sync_issues.c.id == issue_id))


def sync_issue_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(sync_issues)).scalar_one())


def conflict_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(conflicts)).scalar_one())
