"""Merging two accounts (or two contacts) into one, undoing a merge, and redirecting pushed
changes that still name the merged-away record.

A merge is a handful of ordinary server-side edits in one transaction, so every replica
follows it through the normal feed:

- the survivor takes the values chosen field by field (its version's server entry bumped);
- every live child of the loser moves to the survivor (an account's contacts, opportunities
  and activities; a contact's activities), each a server-side edit logged as a move;
- an account's former names and status log move to the survivor, and the loser's name
  becomes a former name of the survivor;
- the loser becomes a tombstone whose ``data`` names the survivor in ``merged_into``
  (clients that do not know the key ignore it, as they ignore any unknown data key).

The merge is in the audit log (``merge``, with both records' values) and in ``merges`` with
what an undo needs. A change pushed later by a replica that had not heard of the merge is
redirected (:func:`redirect_changes`): a child naming the loser lands on the survivor, an
edit of the loser's own fields is applied to the survivor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from desktop_crm.domain.records import ENTITY_FIELDS, Entity, new_id
from desktop_crm.domain.shape import usable_id
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID
from desktop_crm.protocol.messages import Change
from desktop_crm.server import duplicates
from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event
from desktop_crm.server.store import RecordWriter, ServerRecord, _from_row, load, server_edit
from desktop_crm.server.timeutil import iso, now

#: The key a merged-away record's tombstone carries in its data.
MERGED_INTO = "merged_into"
MERGEABLE = (Entity.ACCOUNT, Entity.CONTACT)
#: Fields that link a record to others: never taken from the loser.
_LINKS = frozenset({"account_id"})


class MergeError(ValueError):
    """A merge or undo that cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    merge_id: str
    survivor: ServerRecord
    moved: int


def _children_query(entity: Entity, loser_id: str) -> Any:
    r = m.records
    live = r.c.deleted.is_(False)
    if entity is Entity.ACCOUNT:
        return select(r).where(r.c.account_id == loser_id, r.c.entity != "account", live)
    # A contact's children are the activities that name it (the JSON is read, not indexed:
    # they are all under the contact's account, which the index narrows to).
    return select(r).where(r.c.entity == Entity.ACTIVITY.value, live)


def _children(conn: Connection, entity: Entity, loser: ServerRecord) -> list[ServerRecord]:
    query = _children_query(entity, loser.id)
    if entity is Entity.CONTACT:
        query = query.where(m.records.c.account_id == loser.account_id)
    rows = [_from_row(row) for row in conn.execute(query)]
    if entity is Entity.CONTACT:
        rows = [r for r in rows if r.data.get("contact_id") == loser.id]
    return rows


def _live(conn: Connection, entity: Entity, record_id: str, what: str) -> ServerRecord:
    record = load(conn, entity, record_id, for_update=True)
    if record is None or record.deleted:
        raise MergeError(f"the {what} {entity} {record_id} does not exist or is deleted")
    return record


def merged_values(
    entity: Entity,
    survivor: Mapping[str, Any],
    loser: Mapping[str, Any],
    take_from_loser: Sequence[str],
) -> dict[str, Any]:
    """The survivor's data with the named fields taken from the loser."""
    unknown = sorted(set(take_from_loser) - set(ENTITY_FIELDS[entity]))
    if unknown:
        raise MergeError(f"unknown field(s) for {entity}: {', '.join(unknown)}")
    links = sorted(set(take_from_loser) & _LINKS)
    if links:
        raise MergeError(f"{', '.join(links)} is not taken from the merged-away record")
    data = dict(survivor)
    for name in take_from_loser:
        data[name] = loser.get(name)
    return data


def merge(
    conn: Connection,
    entity: Entity,
    survivor_id: str,
    loser_id: str,
    take_from_loser: Sequence[str],
    actor_id: str,
    device_id: str | None = None,
) -> MergeResult:
    """Merge ``loser_id`` into ``survivor_id`` (in the caller's write transaction)."""
    if entity not in MERGEABLE:
        raise MergeError(f"only accounts and contacts are merged, not {entity}")
    if survivor_id == loser_id:
        raise MergeError("a record cannot be merged into itself")
    survivor = _live(conn, entity, survivor_id, "surviving")
    loser = _live(conn, entity, loser_id, "merged-away")
    data = merged_values(entity, survivor.data, loser.data, take_from_loser)
    changes = {k: v for k, v in data.items() if survivor.data.get(k) != v}
    updated = server_edit(conn, entity, survivor_id, changes, actor_id, device_id) or survivor
    writer = RecordWriter(conn)
    moved = _move_children(writer, entity, loser, updated, actor_id, device_id)
    writer.write(
        previous=loser,
        entity=entity,
        record_id=loser.id,
        data={**loser.data, MERGED_INTO: survivor_id},
        version=loser.version.bump(SERVER_REPLICA_ID),
        deleted=True,
        actor_id=actor_id,
        device_id=device_id,
    )
    writer.flush()
    history = (
        _move_history(conn, entity, loser, survivor_id, actor_id)
        if entity is Entity.ACCOUNT
        else {}
    )
    merge_id = new_id()
    detail = {
        "merge_id": merge_id,
        "survivor_before": survivor.data,
        "loser_before": loser.data,
        "survivor_after": updated.data,
        "survivor_version": updated.version.to_dict(),
        "moved": [[c.entity.value, c.id, c.account_id] for c in moved],
        **history,
    }
    conn.execute(
        m.merges.insert().values(
            id=merge_id,
            entity=entity.value,
            loser_id=loser_id,
            survivor_id=survivor_id,
            merged_at=iso(now()),
            merged_by=actor_id,
            detail=json.dumps(detail, default=str, ensure_ascii=False),
        )
    )
    duplicates.set_status(conn, entity, survivor_id, loser_id, duplicates.MERGED, actor_id)
    audit_event(conn, actor_id, device_id, "merge", detail, entity.value, survivor_id)
    return MergeResult(merge_id, updated, len(moved))


def _move_children(
    writer: RecordWriter,
    entity: Entity,
    loser: ServerRecord,
    survivor: ServerRecord,
    actor_id: str,
    device_id: str | None,
) -> list[ServerRecord]:
    children = _children(writer.conn, entity, loser)
    for child in children:
        data = dict(child.data)
        if entity is Entity.ACCOUNT:
            data["account_id"] = survivor.id
        else:
            data["contact_id"] = survivor.id
            data["account_id"] = survivor.account_id
        _rewrite_child(writer, child, data, actor_id, device_id)
    return children


def _move_history(
    conn: Connection, entity: Entity, loser: ServerRecord, survivor_id: str, actor_id: str
) -> dict[str, Any]:
    """Former names and status log of the loser move to the survivor; the loser's name
    becomes a former name of the survivor. Returns the row ids, for an undo."""
    names, log = m.account_former_names, m.account_status_log
    moved_names = [
        r[0] for r in conn.execute(select(names.c.id).where(names.c.account_id == loser.id))
    ]
    moved_log = [r[0] for r in conn.execute(select(log.c.id).where(log.c.account_id == loser.id))]
    conn.execute(update(names).where(names.c.account_id == loser.id).values(account_id=survivor_id))
    conn.execute(update(log).where(log.c.account_id == loser.id).values(account_id=survivor_id))
    added = conn.execute(
        names.insert().values(
            account_id=survivor_id,
            name=str(loser.data.get("name") or ""),
            changed_at=iso(now()),
            changed_by=actor_id,
        )
    ).inserted_primary_key
    return {
        "former_names_moved": moved_names,
        "status_log_moved": moved_log,
        "former_name_added": None if added is None else added[0],
    }


# Undo ------------------------------------------------------------------------------------------


def undo(conn: Connection, merge_id: str, actor_id: str, device_id: str | None = None) -> str:
    """Undo a merge: the loser restored as it was, its children moved back, the survivor's
    fields the merge changed set back where nobody changed them since. Refused while something
    newer depends on it (the survivor deleted or merged again). Returns the restored id."""
    row = conn.execute(select(m.merges).where(m.merges.c.id == merge_id)).first()
    if row is None:
        raise MergeError(f"no merge with id {merge_id}")
    if row.undone_at is not None:
        raise MergeError(f"merge {merge_id} was already undone at {row.undone_at}")
    entity, detail = Entity(row.entity), json.loads(row.detail)
    survivor = load(conn, entity, row.survivor_id, for_update=True)
    if survivor is None or survivor.deleted:
        raise MergeError("the surviving record has been deleted or merged since; undo that first")
    loser = load(conn, entity, row.loser_id, for_update=True)
    if loser is None or not loser.deleted or loser.data.get(MERGED_INTO) != row.survivor_id:
        raise MergeError("the merged-away record has changed since the merge")
    before, after = detail["survivor_before"], detail["survivor_after"]
    restore = {
        k: before.get(k)
        for k in after
        if after.get(k) != before.get(k) and survivor.data.get(k) == after.get(k)
    }
    server_edit(conn, entity, survivor.id, restore, actor_id, device_id)
    writer = RecordWriter(conn)
    writer.write(
        previous=loser,
        entity=entity,
        record_id=loser.id,
        data=dict(detail["loser_before"]),
        version=loser.version.bump(SERVER_REPLICA_ID),
        deleted=False,
        actor_id=actor_id,
        device_id=device_id,
    )
    _move_back(writer, entity, detail["moved"], row.survivor_id, row.loser_id, actor_id, device_id)
    writer.flush()
    if entity is Entity.ACCOUNT:
        _history_back(conn, detail, row.loser_id)
    stamp = iso(now())
    conn.execute(
        update(m.merges)
        .where(m.merges.c.id == merge_id)
        .values(undone_at=stamp, undone_by=actor_id)
    )
    duplicates.set_status(
        conn, entity, row.survivor_id, row.loser_id, duplicates.DISMISSED, actor_id
    )
    audit_event(
        conn,
        actor_id,
        device_id,
        "merge_undo",
        {"merge_id": merge_id, "survivor": row.survivor_id, "restored": row.loser_id},
        entity.value,
        row.loser_id,
    )
    return str(row.loser_id)


def _move_back(
    writer: RecordWriter,
    entity: Entity,
    moved: Sequence[Sequence[str]],
    survivor_id: str,
    loser_id: str,
    actor_id: str,
    device_id: str | None,
) -> None:
    """Children the merge moved go back, unless they were moved elsewhere or deleted since."""
    for child_entity, child_id, old_account in moved:
        child = load(writer.conn, child_entity, child_id, for_update=True)
        if child is None or child.deleted:
            continue
        data = dict(child.data)
        if entity is Entity.ACCOUNT:
            if data.get("account_id") != survivor_id:
                continue
        elif data.get("contact_id") != survivor_id:
            continue
        else:
            data["contact_id"] = loser_id
        data["account_id"] = old_account
        _rewrite_child(writer, child, data, actor_id, device_id)


def _history_back(conn: Connection, detail: Mapping[str, Any], loser_id: str) -> None:
    names, log = m.account_former_names, m.account_status_log
    if detail.get("former_name_added") is not None:
        conn.execute(names.delete().where(names.c.id == detail["former_name_added"]))
    if detail.get("former_names_moved"):
        conn.execute(
            update(names)
            .where(names.c.id.in_(detail["former_names_moved"]))
            .values(account_id=loser_id)
        )
    if detail.get("status_log_moved"):
        conn.execute(
            update(log).where(log.c.id.in_(detail["status_log_moved"])).values(account_id=loser_id)
        )


def list_merges(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(select(m.merges).order_by(m.merges.c.merged_at.desc()).limit(limit))
    return [
        {
            "id": r.id,
            "entity": r.entity,
            "survivor_id": r.survivor_id,
            "loser_id": r.loser_id,
            "merged_at": r.merged_at,
            "merged_by": r.merged_by,
            "undone_at": r.undone_at,
        }
        for r in rows
    ]


# Redirecting pushed changes ----------------------------------------------------------------------

#: How many merges deep a redirect follows (A into B, B into C …).
MAX_CHAIN = 20
#: Fields of the loser's own edit that are not carried to the survivor: the survivor's name
#: was chosen at the merge, and links stay the survivor's.
_NOT_CARRIED = frozenset({"name", "account_id"})


def _survivors(conn: Connection, ids: set[str]) -> dict[tuple[str, str], str]:
    """(entity, loser id) -> survivor id for the live merges whose loser is among ``ids``,
    chains followed."""
    out: dict[tuple[str, str], str] = {}
    wanted = set(ids)
    for _ in range(MAX_CHAIN):
        if not wanted:
            break
        rows = conn.execute(
            select(m.merges.c.entity, m.merges.c.loser_id, m.merges.c.survivor_id).where(
                m.merges.c.loser_id.in_(sorted(wanted)), m.merges.c.undone_at.is_(None)
            )
        ).all()
        wanted = set()
        for entity, loser_id, survivor_id in rows:
            out[(entity, loser_id)] = survivor_id
            wanted.add(survivor_id)
    for key in list(out):
        target, steps = out[key], 0
        while (key[0], target) in out and steps < MAX_CHAIN:
            target, steps = out[(key[0], target)], steps + 1
        out[key] = target
    return out


@dataclass(frozen=True, slots=True)
class LoserEdit:
    """A pushed edit of a merged-away record: applied to the survivor, answered with the
    loser's tombstone."""

    index: int
    change: Change
    survivor_id: str


@dataclass(frozen=True, slots=True)
class Redirected:
    changes: list[Change]
    loser_edits: list[LoserEdit]
    #: (entity, loser id) -> survivor id, for the merged-away records the changes named.
    survivors: dict[tuple[str, str], str]


def redirect_changes(conn: Connection, changes: Sequence[Change]) -> Redirected:
    """The changes with links to merged-away records pointing at their survivors, and the
    edits of merged-away records themselves set apart. One indexed query when nothing was
    merged."""
    ids: set[str] = set()
    for change in changes:
        # Only ids the database can be asked for: one with a NUL (PostgreSQL refuses it as a
        # parameter) is refused later, per change, by the push's checks.
        for value in (
            change.record_id,
            change.data.get("account_id"),
            change.data.get("contact_id"),
        ):
            if (usable := usable_id(value)) is not None:
                ids.add(usable)
    survivors = _survivors(conn, ids) if ids else {}
    if not survivors:
        return Redirected(list(changes), [], {})
    kept: list[Change] = []
    loser_edits: list[LoserEdit] = []
    for index, change in enumerate(changes):
        target = survivors.get((change.entity, change.record_id))
        if target is not None:
            loser_edits.append(LoserEdit(index, change, target))
            continue
        data = dict(change.data)
        for key, entity in (("account_id", "account"), ("contact_id", "contact")):
            value = data.get(key)
            if isinstance(value, str) and (entity, value) in survivors:
                data[key] = survivors[(entity, value)]
        if data.get("contact_id") and ("contact", change.data.get("contact_id")) in survivors:
            contact = load(conn, Entity.CONTACT, str(data["contact_id"]))
            if contact is not None:
                data["account_id"] = contact.account_id
        kept.append(change if data == change.data else change.model_copy(update={"data": data}))
    return Redirected(kept, loser_edits, survivors)


def apply_loser_edit(
    conn: Connection, edit: LoserEdit, actor_id: str, device_id: str | None
) -> ServerRecord | None:
    """Carry a pushed edit of a merged-away record to its survivor (its changed fields but the
    name and links); a deletion of it is already done. Returns the survivor as written."""
    change = edit.change
    entity = Entity(change.entity)
    if change.deleted:
        return load(conn, entity, edit.survivor_id)
    carried = {
        k: change.data[k]
        for k in change.changed_fields
        if k in change.data and k in ENTITY_FIELDS[entity] and k not in _NOT_CARRIED
    }
    return server_edit(conn, entity, edit.survivor_id, carried, actor_id, device_id)


def _rewrite_child(
    writer: RecordWriter,
    child: ServerRecord,
    data: dict[str, Any],
    actor_id: str,
    device_id: str | None,
) -> None:
    """A server-side edit of a child moved by a merge (or back by its undo)."""
    writer.write(
        previous=child,
        entity=child.entity,
        record_id=child.id,
        data=data,
        version=child.version.bump(SERVER_REPLICA_ID),
        deleted=False,
        actor_id=actor_id,
        device_id=device_id,
        changed_fields=sorted(k for k in data if data[k] != child.data.get(k)),
    )
