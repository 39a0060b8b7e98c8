"""Reading and writing synced records: the one place that touches ``records`` and hands out
change-log sequence numbers, so every write also lands in the change log, the audit log and the
history tables in the caller's transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Insert, Row, bindparam, insert, select, text, update

from desktop_crm.domain.fields import blank_value
from desktop_crm.domain.history import (
    FormerNameRow,
    HistoryRow,
    StageChangeRow,
    StatusChangeRow,
    history_rows,
)
from desktop_crm.domain.records import ACCOUNT_LINK, FIELDS, Entity
from desktop_crm.domain.repair import repaired_text, repaired_vector
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID, VersionVector, vector_problem
from desktop_crm.protocol.messages import WireRecord
from desktop_crm.server import audit
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import iso, now

#: Columns every feed query selects, in the order :func:`wire_json` reads them.
WIRE_COLUMNS = (
    m.records.c.entity,
    m.records.c.id,
    m.records.c.version,
    m.records.c.deleted,
    m.records.c.updated_at,
    m.records.c.updated_by,
    m.records.c.data,
    m.records.c.created_by,
    m.records.c.others_wrote,
)

Masks = Mapping[str, tuple[str, ...]]
NO_MASKS: Masks = {}


@dataclass(slots=True)
class ServerRecord:
    """A record as the server stores it: wire ``data``, its account (for scoping), and its
    position in the change log (``seq``). (The replica's counterpart is
    ``storage.records_store.StoredRecord``.)"""

    entity: Entity
    id: str
    account_id: str
    data: dict[str, Any]
    version: VersionVector
    deleted: bool
    updated_at: str
    updated_by: str
    seq: int = 0
    #: Who created the record (None: created before revision 0007, or by a bulk load), and the
    #: fields someone else has changed since: the creator reads the others as they wrote them,
    #: masked or not (:func:`revealed_names`).
    created_by: str | None = None
    others_wrote: frozenset[str] = frozenset()
    #: ``data`` as JSON text when it is at hand (as read or as written), for answers that
    #: splice it (:func:`record_json`); None: encode ``data``. Never differs from ``data``.
    data_text: str | None = field(default=None, compare=False, repr=False)


def _blank_for(entity: Entity, field_name: str) -> Any:
    field = FIELDS[entity].get(field_name)
    return None if field is None else blank_value(field)


def mask_data(
    entity: str, data: dict[str, Any], masks: Masks, revealed: frozenset[str] = frozenset()
) -> list[str]:
    """Blank the masked fields of ``data`` in place, except ``revealed``; return their names."""
    names = [name for name in masks.get(entity, ()) if name not in revealed]
    for name in names:
        data[name] = _blank_for(Entity(entity), name)
    return names


def stored_others_wrote(text_value: str | None) -> frozenset[str]:
    return frozenset(json.loads(text_value)) if text_value else frozenset()


def _others_text(others: frozenset[str]) -> str | None:
    return json.dumps(sorted(others)) if others else None


def revealed_names(
    entity: str, masks: Masks, reader: str | None, created_by: str | None, others: frozenset[str]
) -> frozenset[str]:
    """Of ``entity``'s masked fields, those ``reader`` may read on this record. Masking is
    about reading what others wrote: the record's creator reads every field that still holds
    what they wrote (``others``: the fields someone else has changed since)."""
    if reader is None or created_by is None or reader != created_by:
        return frozenset()
    return frozenset(name for name in masks.get(entity, ()) if name not in others)


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.:@+-]*")


def _json_text(value: str) -> str:
    """``value`` as a JSON string in UTF-8 (no ``\\uXXXX``), without the call for the usual ids
    (UUIDs and the like)."""
    if _PLAIN_TEXT.fullmatch(value):
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def wire_json(row: Sequence[Any], masks: Masks = NO_MASKS, reader: str | None = None) -> str:
    """One record (a row of :data:`WIRE_COLUMNS`) as WireRecord JSON text, splicing the stored
    JSON (no re-encoding) unless a field must be masked for ``reader``."""
    entity, record_id, version, deleted, updated_at, updated_by, data, created_by, others = row
    masked = ""
    if masks and entity in masks:
        parsed = json.loads(data)
        shown_to_reader = revealed_names(
            entity, masks, reader, created_by, stored_others_wrote(others)
        )
        names = mask_data(entity, parsed, masks, shown_to_reader)
        if names:
            data = json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
            masked = ',"masked":' + json.dumps(names)
    return (
        f'{{"entity":"{entity}","id":{_json_text(record_id)},"version":{version},'
        f'"deleted":{"true" if deleted else "false"},"updated_at":"{updated_at}",'
        f'"updated_by":{_json_text(updated_by)},"data":{data}{masked}}}'
    )


def record_json(record: ServerRecord, masks: Masks = NO_MASKS, reader: str | None = None) -> str:
    """:func:`to_wire`'s record as WireRecord JSON text, written directly: the data's JSON
    text spliced when the record carries it and nothing is masked (the push answer;
    ``tests/server/test_push_answer_json.py`` holds it equal to the model's)."""
    data_text = record.data_text
    masked = "[]"
    if record.entity in masks:
        data, names = _shown_data(record, masks, reader)
        if names:
            data_text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            masked = json.dumps(names)
    if data_text is None:
        data_text = json.dumps(record.data, ensure_ascii=False, separators=(",", ":"))
    return (
        f'{{"entity":"{record.entity.value}","id":{_json_text(record.id)},'
        f'"version":{record.version.to_json()},'
        f'"deleted":{"true" if record.deleted else "false"},'
        f'"updated_at":{_json_text(record.updated_at)},'
        f'"updated_by":{_json_text(record.updated_by)},"data":{data_text},"masked":{masked}}}'
    )


def _shown_data(
    record: ServerRecord, masks: Masks, reader: str | None
) -> tuple[dict[str, Any], list[str]]:
    """A copy of the record's data as ``reader`` is shown it, and the names of the fields
    masked in it (:func:`mask_data`, with the fields :func:`revealed_names` gives back)."""
    data = dict(record.data)
    if record.entity not in masks:
        return data, []
    shown_to_reader = revealed_names(
        record.entity, masks, reader, record.created_by, record.others_wrote
    )
    return data, mask_data(record.entity, data, masks, shown_to_reader)


def to_wire(record: ServerRecord, masks: Masks = NO_MASKS, reader: str | None = None) -> WireRecord:
    data, names = _shown_data(record, masks, reader)
    return WireRecord(
        entity=record.entity,
        id=record.id,
        version=record.version.to_dict(),
        deleted=record.deleted,
        updated_at=record.updated_at,  # type: ignore[arg-type]  # pydantic parses ISO text
        updated_by=record.updated_by,
        data=data,
        masked=names,
    )


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# Prebuilt statements: building a statement per call costs more than running it.
_RECORD_BY_KEY = select(m.records).where(
    m.records.c.entity == bindparam("entity"), m.records.c.id == bindparam("record_id")
)
_RECORD_BY_KEY_FOR_UPDATE = _RECORD_BY_KEY.with_for_update()
_RECORDS_BY_IDS = select(m.records).where(
    m.records.c.entity == bindparam("entity"), m.records.c.id.in_(bindparam("ids", expanding=True))
)
_RECORDS_BY_IDS_FOR_UPDATE = _RECORDS_BY_IDS.with_for_update()
_INSERT_LOG = insert(m.change_log)
_INSERT_LOG_RETURNING = insert(m.change_log).returning(
    m.change_log.c.seq, sort_by_parameter_order=True
)
_NEXT_SEQS_PG = text(
    "SELECT nextval(pg_get_serial_sequence('change_log', 'seq')) FROM generate_series(1, :n)"
)
_INSERT_RECORD = insert(m.records)
_UPDATE_RECORD = (
    update(m.records)
    .where(m.records.c.entity == bindparam("k_entity"), m.records.c.id == bindparam("k_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "account_id",
                "opportunity_id",
                "data",
                "version",
                "deleted",
                "updated_at",
                "updated_by",
                "change_seq",
                "created_by",
                "others_wrote",
            )
        }
    )
)
_INSERT_APPLIED = insert(m.applied_changes)
#: The insert for each kind of history row (its fields are the table's columns).
_INSERT_HISTORY: dict[type[HistoryRow], Insert] = {
    FormerNameRow: insert(m.account_former_names),
    StatusChangeRow: insert(m.account_status_log),
    StageChangeRow: insert(m.stage_history),
}
_TOUCH_RECORD = (
    update(m.records)
    .where(m.records.c.entity == bindparam("k_entity"), m.records.c.id == bindparam("k_id"))
    .values(change_seq=bindparam("change_seq"))
)
#: Ids per ``IN`` list (SQLite's bound-parameter limit is generous, but keep lists modest).
ID_CHUNK = 500


#: A JSON escape of a surrogate: only then can stored data hold text that is not Unicode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _stored_vector(text: str) -> VersionVector:
    """A stored version; one stored before today's rules is read as repaired (its invalid
    entries dropped), so no answer carries it (``admin repair-records`` stores the repair)."""
    raw = json.loads(text)
    if vector_problem(raw) is None:
        return VersionVector(raw)
    return repaired_vector(raw)


def _stored_data(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    if _SURROGATE_ESCAPE.search(text):
        data = repaired_text(data)  # stored before today's rules: read as repaired
    return data


def _from_row(row: Row[Any]) -> ServerRecord:
    text_ = row.data
    data = _stored_data(text_)
    return ServerRecord(
        entity=Entity(row.entity),
        id=row.id,
        account_id=row.account_id,
        data=data,
        data_text=None if _SURROGATE_ESCAPE.search(text_) else text_,
        version=_stored_vector(row.version),
        deleted=bool(row.deleted),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        created_by=row.created_by,
        others_wrote=stored_others_wrote(row.others_wrote),
    )


def load(
    conn: Connection, entity: str, record_id: str, *, for_update: bool = False
) -> ServerRecord | None:
    locking = for_update and conn.dialect.name == "postgresql"
    query = _RECORD_BY_KEY_FOR_UPDATE if locking else _RECORD_BY_KEY
    row = conn.execute(query, {"entity": str(entity), "record_id": record_id}).first()
    return None if row is None else _from_row(row)


def load_many(
    conn: Connection, keys: Iterable[tuple[str, str]], *, for_update: bool = False
) -> dict[tuple[str, str], ServerRecord]:
    """The stored records among ``keys`` (``(entity, id)`` pairs), one query per entity."""
    by_entity: dict[str, set[str]] = {}
    for entity, record_id in keys:
        by_entity.setdefault(str(entity), set()).add(record_id)
    locking = for_update and conn.dialect.name == "postgresql"
    query = _RECORDS_BY_IDS_FOR_UPDATE if locking else _RECORDS_BY_IDS
    found: dict[tuple[str, str], ServerRecord] = {}
    for entity, id_set in sorted(by_entity.items()):
        ids = sorted(id_set)
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            for row in conn.execute(query, {"entity": entity, "ids": chunk}):
                found[(entity, row.id)] = _from_row(row)
    return found


#: Change-log kind of a record that moved to another account (``account_id``: the one it left).
MOVE = "move"


def account_of(entity: Entity, record_id: str, data: Mapping[str, Any]) -> str:
    link = ACCOUNT_LINK[entity]
    return record_id if link is None else str(data.get(link) or "")


def _log_row(
    *,
    kind: str,
    entity: str,
    record_id: str,
    account_id: str,
    actor_id: str,
    device_id: str | None = None,
    change_id: str | None = None,
    user_id: str | None = None,
    at: str | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "entity": str(entity),
        "record_id": record_id,
        "account_id": account_id,
        "user_id": user_id,
        "change_id": change_id,
        "actor_id": actor_id,
        "device_id": device_id,
        "at": at or iso(now()),
    }


def allocate_seq(
    conn: Connection,
    *,
    kind: str,
    entity: str,
    record_id: str,
    account_id: str,
    actor_id: str,
    device_id: str | None = None,
    change_id: str | None = None,
    user_id: str | None = None,
    at: str | None = None,
) -> int:
    """Append to the change log; return the new sequence number. Call inside
    :func:`desktop_crm.server.db.write_transaction`."""
    result = conn.execute(
        _INSERT_LOG,
        _log_row(
            kind=kind,
            entity=entity,
            record_id=record_id,
            account_id=account_id,
            user_id=user_id,
            change_id=change_id,
            actor_id=actor_id,
            device_id=device_id,
            at=at,
        ),
    )
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


@dataclass(slots=True)
class _Pending:
    """One buffered record write; ``seq`` and the seq-dependent rows are filled in on flush."""

    stored: ServerRecord
    exists: bool  # the row is in the database already (UPDATE rather than INSERT)
    log: dict[str, Any]
    values: dict[str, Any]
    audit: dict[str, Any]
    audit_detail: dict[str, Any]
    history: list[HistoryRow]
    applied: dict[str, Any] | None = None
    #: A "move" change-log entry, logged just before ``log``, when the record changed account.
    move: dict[str, Any] | None = None


def _authorship(
    previous: ServerRecord | None, data: Mapping[str, Any], actor_id: str
) -> tuple[str | None, frozenset[str]]:
    """The record's creator and the fields others changed since, after ``actor_id`` writes
    ``data``: a field someone else changes is no longer the creator's words; one the creator
    writes again is."""
    if previous is None:
        return actor_id, frozenset()
    if previous.created_by is None:
        return None, frozenset()
    changed = {name for name, value in data.items() if previous.data.get(name) != value}
    if actor_id == previous.created_by:
        return previous.created_by, previous.others_wrote - changed
    return previous.created_by, previous.others_wrote | changed


def _action(previous: ServerRecord | None, deleted: bool) -> str:
    """What a write does to a record, as the audit log names it."""
    if previous is None:
        return "create"
    return "delete" if deleted and not previous.deleted else "update"


#: Fields whose old and new values the audit entry of a record write keeps: ownership decides
#: who sees a customer. (Other fields' values stay out of the audit: they are personal data the
#: record and its history already hold, and copying every edit would double the push's writes.)
AUDITED_VALUES = ("owner_id",)


def _audit_detail(
    previous: ServerRecord | None,
    data: Mapping[str, Any],
    deleted: bool,
    changed_fields: Sequence[str],
    version: VersionVector,
) -> dict[str, Any]:
    """The detail of a record write's audit entry: the fields changed, the version, the old and
    new owner when it changed, and the name of a deleted record (what was deleted)."""
    detail: dict[str, Any] = {"changed_fields": list(changed_fields), "version": version.to_dict()}
    if previous is None:
        return detail
    for name in AUDITED_VALUES:
        old, new = previous.data.get(name), data.get(name)
        if name in data and old != new:
            detail[name] = {"from": old, "to": new}
    if deleted and not previous.deleted and previous.data.get("name"):
        detail["name"] = previous.data["name"]
    return detail


def _record_values(stored: ServerRecord) -> dict[str, Any]:
    """The ``records`` row of a record as written."""
    data = stored.data
    return {
        "account_id": stored.account_id,
        "opportunity_id": data.get("opportunity_id") if stored.entity == Entity.ACTIVITY else None,
        "data": dumps(data),
        "version": stored.version.to_json(),
        "deleted": stored.deleted,
        "updated_at": stored.updated_at,
        "updated_by": stored.updated_by,
        "created_by": stored.created_by,
        "others_wrote": _others_text(stored.others_wrote),
    }


class RecordWriter:
    """Record writes buffered in the caller's transaction and written in bulk by :meth:`flush`:
    one multi-row statement per table instead of six statements per record.

    Each write still gets its own change-log entry (in write order), audit entry and history
    rows. Until :meth:`flush`, the written records are visible through :meth:`written` only,
    not to queries: flush before anything reads ``records``, the change log or the history
    tables, or allocates other change-log entries (:func:`allocate_seq`), so sequence numbers
    keep the order in which things happened."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pending: list[_Pending] = []
        #: (entity, id) -> the newest buffered version of that record.
        self._latest: dict[tuple[str, str], _Pending] = {}

    def written(self, entity: str, record_id: str) -> ServerRecord | None:
        pending = self._latest.get((str(entity), record_id))
        return None if pending is None else pending.stored

    def write(
        self,
        *,
        previous: ServerRecord | None,
        entity: Entity,
        record_id: str,
        data: dict[str, Any],
        version: VersionVector,
        deleted: bool,
        actor_id: str,
        device_id: str | None,
        change_id: str | None = None,
        changed_fields: Sequence[str] = (),
        changed_at: str | None = None,
        applied_by: str | None = None,
        status_reason: str | None = None,
    ) -> ServerRecord:
        """Buffer a record write (see :func:`write_record`). ``applied_by``: also record
        ``change_id`` as applied for that user (push idempotency). ``status_reason``: why an
        account's status changes, when a status rule changes it (kept in the status log)."""
        stamp = iso(now())
        account_id = account_of(entity, record_id, data)
        key = (str(entity), record_id)
        stored = ServerRecord(
            entity, record_id, account_id, data, version, deleted, stamp, actor_id
        )
        stored.created_by, stored.others_wrote = _authorship(previous, data, actor_id)
        values = _record_values(stored)
        stored.data_text = values["data"]
        before = self._latest.get(key)
        pending = _Pending(
            stored=stored,
            exists=before.exists if before is not None else previous is not None,
            log=_log_row(
                kind="record",
                entity=entity,
                record_id=record_id,
                account_id=account_id,
                actor_id=actor_id,
                device_id=device_id,
                change_id=change_id,
                at=stamp,
            ),
            values=values,
            audit={
                "at": stamp,
                "actor_id": actor_id,
                "device_id": device_id,
                "action": f"record.{_action(previous, deleted)}",
                "entity": str(entity),
                "record_id": record_id,
                "change_id": change_id,
            },
            audit_detail=_audit_detail(previous, data, deleted, changed_fields, version),
            history=history_rows(
                entity,
                record_id,
                previous.data if previous is not None else None,
                data,
                actor_id,
                changed_at or stamp,
                status_reason,
            ),
        )
        if applied_by is not None and change_id is not None:
            pending.applied = {
                "change_id": change_id,
                "user_id": applied_by,
                "device_id": device_id,
                "entity": str(entity),
                "record_id": record_id,
                "at": stamp,
            }
        if previous is not None and previous.account_id != account_id and ACCOUNT_LINK[entity]:
            # Moved to another account: users who see the old one but not the new one must be
            # told to drop it (the pull's removals; see :func:`feed.pull_json`).
            pending.move = _log_row(
                kind=MOVE,
                entity=entity,
                record_id=record_id,
                account_id=previous.account_id,
                actor_id=actor_id,
                device_id=device_id,
                change_id=change_id,
                at=stamp,
            )
        self._pending.append(pending)
        self._latest[key] = pending
        return stored

    def __len__(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Write everything buffered; every written :class:`ServerRecord` gets its ``seq``."""
        pending, self._pending = self._pending, []
        self._latest.clear()
        if not pending:
            return
        conn = self.conn
        logs: list[dict[str, Any]] = []
        for p in pending:
            if p.move is not None:
                logs.append(p.move)
            logs.append(p.log)
        if len(logs) == 1:
            seqs = [allocate_seq(conn, **logs[0])]
        elif conn.dialect.name == "postgresql":
            # Reserving the numbers and inserting plain rows is several times faster there than
            # INSERT .. RETURNING in parameter order. The caller holds the change-log lock.
            seqs = sorted(int(s) for s in conn.scalars(_NEXT_SEQS_PG, {"n": len(logs)}))
            conn.execute(
                _INSERT_LOG, [{**log, "seq": seq} for log, seq in zip(logs, seqs, strict=True)]
            )
        else:
            seqs = [int(s) for s in conn.execute(_INSERT_LOG_RETURNING, logs).scalars()]
        # The newest write of each record decides its row; earlier ones only log and audit.
        final: dict[tuple[str, str], tuple[_Pending, int]] = {}
        audits: list[dict[str, Any]] = []
        applied: list[dict[str, Any]] = []
        history: dict[Insert, list[dict[str, Any]]] = {}
        # Each record's own entry is the last of its entries (a move entry comes before it).
        record_seqs: list[int] = []
        at = 0
        for item in pending:
            at += 2 if item.move is not None else 1
            record_seqs.append(seqs[at - 1])
        for item, seq in zip(pending, record_seqs, strict=True):
            item.stored.seq = seq
            final[(item.stored.entity.value, item.stored.id)] = (item, seq)
            audits.append({**item.audit, "detail": json.dumps({**item.audit_detail, "seq": seq})})
            if item.applied is not None:
                applied.append({**item.applied, "seq": seq})
            for row in item.history:
                history.setdefault(_INSERT_HISTORY[type(row)], []).append(row._asdict())
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for (entity, record_id), (item, seq) in final.items():
            if item.exists:
                updates.append(
                    {**item.values, "change_seq": seq, "k_entity": entity, "k_id": record_id}
                )
            else:
                inserts.append(
                    {**item.values, "change_seq": seq, "entity": entity, "id": record_id}
                )
        if inserts:
            conn.execute(_INSERT_RECORD, inserts)
        if updates:
            conn.execute(_UPDATE_RECORD, updates)
        audit.append(conn, audits)
        if applied:
            conn.execute(_INSERT_APPLIED, applied)
        for statement, rows in history.items():
            conn.execute(statement, rows)


def write_record(
    conn: Connection,
    *,
    previous: ServerRecord | None,
    entity: Entity,
    record_id: str,
    data: dict[str, Any],
    version: VersionVector,
    deleted: bool,
    actor_id: str,
    device_id: str | None,
    change_id: str | None = None,
    changed_fields: Sequence[str] = (),
    changed_at: str | None = None,
) -> ServerRecord:
    """Insert or replace a record, log the change, audit it and keep the history tables."""
    writer = RecordWriter(conn)
    stored = writer.write(
        previous=previous,
        entity=entity,
        record_id=record_id,
        data=data,
        version=version,
        deleted=deleted,
        actor_id=actor_id,
        device_id=device_id,
        change_id=change_id,
        changed_fields=changed_fields,
        changed_at=changed_at,
    )
    writer.flush()
    return stored


def server_edit(
    conn: Connection,
    entity: Entity,
    record_id: str,
    changes: Mapping[str, Any],
    actor_id: str,
    device_id: str | None = None,
) -> ServerRecord | None:
    """An edit made on the server side (admin CLI, reassignment): bumps the server's entry."""
    current = load(conn, entity, record_id, for_update=True)
    if current is None:
        return None
    data = {**current.data, **changes}
    if data == current.data:
        return current
    return write_record(
        conn,
        previous=current,
        entity=entity,
        record_id=record_id,
        data=data,
        version=current.version.bump(SERVER_REPLICA_ID),
        deleted=current.deleted,
        actor_id=actor_id,
        device_id=device_id,
        changed_fields=sorted(k for k in changes if current.data.get(k) != changes[k]),
    )


def touch_account(conn: Connection, account_id: str, actor_id: str) -> int:
    """Give every live record under an account a new change-log position, so users who just
    gained the account receive it on their next pull. Returns how many were touched."""
    rows = conn.execute(
        select(m.records.c.entity, m.records.c.id).where(
            m.records.c.account_id == account_id, m.records.c.deleted.is_(False)
        )
    ).all()
    for entity, record_id in rows:
        seq = allocate_seq(
            conn,
            kind="touch",
            entity=entity,
            record_id=record_id,
            account_id=account_id,
            actor_id=actor_id,
        )
        conn.execute(_TOUCH_RECORD, {"k_entity": entity, "k_id": record_id, "change_seq": seq})
    return len(rows)


_LIVE_CHILDREN = select(m.records).where(
    m.records.c.account_id == bindparam("account_id"),
    m.records.c.entity != Entity.ACCOUNT.value,
    m.records.c.deleted.is_(False),
)
_CASCADED_KEYS = select(m.cascade_deletions.c.entity, m.cascade_deletions.c.id).where(
    m.cascade_deletions.c.account_id == bindparam("account_id")
)


def cascade_account_deletion(
    writer: RecordWriter, account_id: str, actor_id: str, device_id: str | None
) -> list[ServerRecord]:
    """Tombstone every live child of a deleted account (contacts, opportunities, activities)
    in the caller's transaction, and remember them so that restoring the account restores
    them. Each child's version gets the server's entry bumped and its own change-log entry, so
    every replica that sees the account pulls the tombstones. Returns the tombstones."""
    writer.flush()  # children written earlier in this batch are read from the database
    conn = writer.conn
    children = [_from_row(row) for row in conn.execute(_LIVE_CHILDREN, {"account_id": account_id})]
    stamp = iso(now())
    tombstones = [
        writer.write(
            previous=child,
            entity=child.entity,
            record_id=child.id,
            data=child.data,
            version=child.version.bump(SERVER_REPLICA_ID),
            deleted=True,
            actor_id=actor_id,
            device_id=device_id,
        )
        for child in children
    ]
    if children:
        # A child deleted with the account before (and restored since) is noted again.
        keys = [(c.entity.value, c.id) for c in children]
        for entity, ids in _ids_by_entity(keys).items():
            for start in range(0, len(ids), ID_CHUNK):
                conn.execute(
                    m.cascade_deletions.delete().where(
                        m.cascade_deletions.c.entity == entity,
                        m.cascade_deletions.c.id.in_(ids[start : start + ID_CHUNK]),
                    )
                )
        conn.execute(
            insert(m.cascade_deletions),
            [
                {"entity": entity, "id": record_id, "account_id": account_id, "deleted_at": stamp}
                for entity, record_id in keys
            ],
        )
    return tombstones


def cascade_account_restore(
    writer: RecordWriter, account_id: str, actor_id: str, device_id: str | None
) -> list[ServerRecord]:
    """Restore the children an account's deletion tombstoned (see
    :func:`cascade_account_deletion`), each with the server's entry bumped and its own
    change-log entry. Children deleted on their own, or purged since, stay as they are."""
    writer.flush()
    conn = writer.conn
    keys = [(str(e), str(i)) for e, i in conn.execute(_CASCADED_KEYS, {"account_id": account_id})]
    if not keys:
        return []
    restored: list[ServerRecord] = []
    found = load_many(conn, keys, for_update=True)
    for key in sorted(found):
        child = found[key]
        if not child.deleted or child.account_id != account_id:
            continue
        restored.append(
            writer.write(
                previous=child,
                entity=child.entity,
                record_id=child.id,
                data=child.data,
                version=child.version.bump(SERVER_REPLICA_ID),
                deleted=False,
                actor_id=actor_id,
                device_id=device_id,
            )
        )
    conn.execute(m.cascade_deletions.delete().where(m.cascade_deletions.c.account_id == account_id))
    return restored


def _ids_by_entity(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entity, record_id in keys:
        out.setdefault(entity, []).append(record_id)
    return out
