"""Synced records in the replica: their rows, reading, and the two write paths.

Two ways a record gets written:

- :func:`save_local` — an edit made on this device. It validates, bumps this replica's entry of
  the version vector, writes the row, queues an outbox entry and (on the first unsynced edit)
  keeps the base copy for the three-way merge — all in one transaction.
- :func:`apply_remote` — a record as the server sent it (pull, push answers, merges). No outbox.

Both keep the derived rows current (:mod:`~desktop_crm.storage.derived_rows`): ``contact_phones``
(from the contact's ``phones``), former account names, the account status log and the
opportunity stage history. :func:`~desktop_crm.storage.bulk_load.bulk_apply` is
:func:`apply_remote` for many records at once (first sync, benchmarks) using ``executemany``.

Rows and records convert in one place, generically over
:data:`~desktop_crm.domain.records.FIELDS`: list fields are JSON text, booleans are
0/1, everything else is stored as its JSON value (ISO text for times, exact text for amounts).
:data:`ROW_ENCODERS` holds that encoding per entity (a record straight to its row tuple);
:func:`row_values` is the same as a dict. ``tests/storage/test_row_encoding.py`` holds it to a
plain reference implementation and the bulk loader to :func:`apply_remote`.
A deleted record stays as a tombstone row (``deleted = 1``) without phones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import Connection, Row, RowMapping, bindparam, delete, insert, select, update

from desktop_crm.domain.fields import FieldKind, RecordField
from desktop_crm.domain.history import TRACKED_FIELDS, history_rows
from desktop_crm.domain.records import (
    ENTITY_FIELDS,
    FIELDS,
    RECORD_TYPES,
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
    RecordMeta,
    SyncedRecord,
    new_id,
    utc_now,
)
from desktop_crm.domain.validation import ensure_valid
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.derived_rows import (
    ABSENT_ACCOUNT,
    PHONE_COLUMNS,
    account_labels,
    insert_history,
    insert_rows,
    label_waiting_phones,
    phone_rows,
)
from desktop_crm.storage.schema import (
    SYNCED_TABLES,
    account_former_names,
    account_status_log,
    contact_phones,
    masked_fields,
    opportunity_stage_history,
)

R = TypeVar("R", bound=SyncedRecord)

# Field layout, derived once from the record types -------------------------------------------

#: Record fields kept in rows of their own rather than columns of the entity's table.
DERIVED_FIELDS: dict[Entity, frozenset[str]] = {
    Entity.ACCOUNT: frozenset(),
    Entity.CONTACT: frozenset({"phones"}),
    Entity.OPPORTUNITY: frozenset(),
    Entity.ACTIVITY: frozenset(),
}
META_COLUMNS = ("id", "version", "deleted", "updated_at", "updated_by")


class ColumnCoding(enum.StrEnum):
    """How a field's value is held in its column."""

    #: List fields: compact JSON text.
    JSON = "json"
    BOOL = "bool"
    #: The JSON value itself (ISO text for times, exact text for amounts).
    PLAIN = "plain"


def _coding(field: RecordField) -> ColumnCoding:
    if field.is_list:
        return ColumnCoding.JSON
    return ColumnCoding.BOOL if field.kind is FieldKind.BOOL else ColumnCoding.PLAIN


#: ``{field: coding}`` of the fields stored as columns of each entity's table.
COLUMN_CODINGS: dict[Entity, dict[str, ColumnCoding]] = {
    entity: {
        name: _coding(field)
        for name, field in FIELDS[entity].items()
        if name not in DERIVED_FIELDS[entity]
    }
    for entity in Entity
}
#: Column order of each entity's table as written here: meta first, then the fields.
COLUMNS: dict[Entity, tuple[str, ...]] = {
    e: META_COLUMNS + tuple(COLUMN_CODINGS[e]) for e in Entity
}

for _entity in Entity:  # the schema and the records must agree
    _missing = set(COLUMNS[_entity]) - set(SYNCED_TABLES[_entity.value].c.keys())
    assert not _missing, f"{_entity}: no column for {_missing}"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_text(value: Any) -> str:
    """A list field as stored: compact JSON, non-ASCII as is. A list of strings (tags, emails,
    participants: nearly every value) is joined here from ``encode_basestring``, the function
    the encoder itself quotes strings with, so the text is the same; this skips building an
    encoder per call, which costs three times as much as the encoding."""
    if type(value) is list:
        if not value:
            return "[]"
        for item in value:
            if type(item) is not str:
                return _ENCODER.encode(value)
        return "[" + ",".join(map(encode_basestring, value)) + "]"
    return _ENCODER.encode(value)


@functools.lru_cache(maxsize=4096)
def version_text(version: VersionVector) -> str:
    return version.to_json()


# The record as stored -------------------------------------------------------------------------


class _WireLike(Protocol):
    @property
    def entity(self) -> Any: ...
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> Mapping[str, int]: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def updated_by(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def masked(self) -> list[str]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record the way it syncs: wire ``data`` (JSON values) plus its metadata."""

    entity: Entity
    id: str
    version: VersionVector
    deleted: bool
    updated_at: datetime
    updated_by: str
    data: dict[str, Any]
    #: The fields the server blanked for this user's role (the wire's ``masked``); None: not
    #: known here (a record built on this device), so what the replica noted is kept.
    masked: tuple[str, ...] | None = dataclasses.field(default=None, compare=False)

    @classmethod
    def from_wire(cls, wire: _WireLike) -> StoredRecord:
        return cls(
            entity=Entity(wire.entity),
            id=wire.id,
            version=VersionVector(wire.version),
            deleted=wire.deleted,
            updated_at=wire.updated_at,
            updated_by=wire.updated_by,
            data=dict(wire.data),
            masked=tuple(wire.masked),
        )

    @classmethod
    def from_record(cls, record: SyncedRecord) -> StoredRecord:
        meta = record.meta
        return cls(
            entity=record.ENTITY,
            id=meta.id,
            version=meta.version,
            deleted=meta.deleted,
            updated_at=meta.updated_at,
            updated_by=meta.updated_by,
            data=record.data(),
        )

    def meta(self) -> RecordMeta:
        return RecordMeta(
            id=self.id,
            version=self.version,
            deleted=self.deleted,
            updated_at=self.updated_at,
            updated_by=self.updated_by,
        )

    def to_record(self) -> SyncedRecord:
        return RECORD_TYPES[self.entity].from_data(self.data, self.meta())


@functools.lru_cache(maxsize=4096)
def time_text(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


RowEncoder = Callable[[StoredRecord], tuple[Any, ...]]


def _row_encoder(entity: Entity) -> RowEncoder:
    """The function that turns a record of ``entity`` into its row, in :data:`COLUMNS` order:
    list fields as JSON text (a missing one as ``[]``), booleans as bool, the rest as the JSON
    value itself (None for a missing field)."""
    codings = list(COLUMN_CODINGS[entity].items())
    names = tuple(name for name, _ in codings)
    json_at = tuple(n for n, (_, coding) in enumerate(codings) if coding is ColumnCoding.JSON)
    bool_at = tuple(n for n, (_, coding) in enumerate(codings) if coding is ColumnCoding.BOOL)
    assert len(names) > 1  # so that ``pick`` returns a tuple
    pick = operator.itemgetter(*names)
    encode_version, encode_time, dumps = version_text, time_text, json_text  # closure: fast

    def encode(record: StoredRecord) -> tuple[Any, ...]:
        data = record.data
        try:
            values = list(pick(data))
        except KeyError:  # a field the sender left out
            values = list(map(data.get, names))
        for n in json_at:
            value = values[n]
            values[n] = "[]" if value is None else dumps(value)
        for n in bool_at:
            values[n] = bool(values[n])
        return (
            record.id,
            encode_version(record.version),
            bool(record.deleted),
            encode_time(record.updated_at),
            record.updated_by,
            *values,
        )

    return encode


#: The one encoding of a record as a row of its entity's table, by entity.
ROW_ENCODERS: dict[Entity, RowEncoder] = {e: _row_encoder(e) for e in Entity}


def row_tuple(record: StoredRecord) -> tuple[Any, ...]:
    """The entity table's column values for ``record``, in :data:`COLUMNS` order."""
    return ROW_ENCODERS[record.entity](record)


def row_values(record: StoredRecord) -> dict[str, Any]:
    """The entity table's column values for ``record`` by column (:func:`row_tuple` as a
    dict; the sync engine's batched writer uses it too)."""
    return dict(zip(COLUMNS[record.entity], ROW_ENCODERS[record.entity](record), strict=True))


def _from_row(entity: Entity, row: RowMapping, phones: list[dict[str, Any]] | None) -> StoredRecord:
    data: dict[str, Any] = {}
    for name, coding in COLUMN_CODINGS[entity].items():
        value = row[name]
        if coding is ColumnCoding.JSON:
            value = json.loads(value) if value else []
        elif coding is ColumnCoding.BOOL:
            value = bool(value)
        data[name] = value
    if entity is Entity.CONTACT:
        data["phones"] = phones or []
    return StoredRecord(
        entity=entity,
        id=row["id"],
        version=VersionVector.from_json(row["version"]),
        deleted=bool(row["deleted"]),
        updated_at=_parse_time(row["updated_at"]),
        updated_by=row["updated_by"],
        data=data,
    )


def _phone_json(row: RowMapping) -> dict[str, Any]:
    return {
        "raw": row["raw"],
        "kind": row["kind"],
        "primary": bool(row["is_primary"]),
        "e164": row["e164"],
        "extension": row["extension"],
    }


# Reading --------------------------------------------------------------------------------------


def _phones_of(conn: Connection, contact_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {cid: [] for cid in contact_ids}
    p = contact_phones.c
    for start in range(0, len(contact_ids), 500):
        chunk = list(contact_ids[start : start + 500])
        rows = conn.execute(
            select(p.contact_id, p.raw, p.kind, p.is_primary, p.e164, p.extension)
            .where(p.contact_id.in_(chunk))
            .order_by(p.contact_id, p.position)
        ).mappings()
        for row in rows:
            out[row["contact_id"]].append(_phone_json(row))
    return out


def stored_from_rows(
    entity: Entity, conn: Connection, rows: Sequence[Row[Any]]
) -> list[StoredRecord]:
    """Records from rows of the entity's table (``select(table)``), phones included."""
    mapped = [r._mapping for r in rows]
    phones = _phones_of(conn, [r["id"] for r in mapped]) if entity is Entity.CONTACT else {}
    return [_from_row(entity, r, phones.get(r["id"])) for r in mapped]


def read_record(conn: Connection, entity: Entity | str, record_id: str) -> StoredRecord | None:
    """The record as stored (tombstones included), or None if the replica does not have it."""
    entity = Entity(entity)
    table = SYNCED_TABLES[entity.value]
    row = conn.execute(select(table).where(table.c.id == record_id)).first()
    if row is None:
        return None
    return stored_from_rows(entity, conn, [row])[0]


def read_records(
    conn: Connection,
    entity: Entity | str,
    *,
    where: Iterable[Any] = (),
    order_by: Iterable[Any] = (),
    include_deleted: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[StoredRecord]:
    """Records of one entity matching SQLAlchemy ``where`` clauses over its table."""
    entity = Entity(entity)
    table = SYNCED_TABLES[entity.value]
    query = select(table).where(*where)
    if not include_deleted:
        query = query.where(table.c.deleted.is_(False))
    query = query.order_by(*order_by, table.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return stored_from_rows(entity, conn, conn.execute(query).all())


# Writing: derived rows -----------------------------------------------------------------------


def _write_phones(conn: Connection, record: StoredRecord, previous: StoredRecord | None) -> None:
    data = record.data
    old = previous.data if previous is not None else None
    if (
        old is None
        or old.get("phones") != data.get("phones")
        or old.get("account_id") != data.get("account_id")
        or previous is None
        or previous.deleted != record.deleted
    ):
        if previous is not None:
            conn.execute(delete(contact_phones).where(contact_phones.c.contact_id == record.id))
        if not record.deleted:
            account_id = str(data.get("account_id") or "")
            rows = phone_rows(
                record.id,
                account_id,
                data.get("phones") or [],
                str(data.get("name") or ""),
                account_labels(conn, [account_id]).get(account_id, ABSENT_ACCOUNT),
            )
            if rows:
                insert_rows(conn, contact_phones, PHONE_COLUMNS, rows)


def _write_derived(
    conn: Connection,
    record: StoredRecord,
    previous: StoredRecord | None,
    status_reason: str | None = None,
) -> None:
    if record.entity is Entity.CONTACT:
        _write_phones(conn, record, previous)
    elif record.entity in TRACKED_FIELDS:
        rows = history_rows(
            record.entity,
            record.id,
            previous.data if previous is not None else None,
            record.data,
            record.updated_by,
            time_text(record.updated_at),
            status_reason,
        )
        if rows:
            insert_history(conn, rows)


def _write(
    conn: Connection,
    record: StoredRecord,
    previous: StoredRecord | None,
    status_reason: str | None = None,
) -> None:
    table = SYNCED_TABLES[record.entity.value]
    values = row_values(record)
    if previous is None:
        conn.execute(insert(table).values(values))
        if record.entity is Entity.ACCOUNT:
            label_waiting_phones(conn, [record.id])
    else:
        # Only the columns that changed: the name-search triggers fire on ``UPDATE OF name``
        # and re-index, which is not free, so an unchanged name must not be in the SET list.
        before = row_values(previous)
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if changed:
            conn.execute(update(table).where(table.c.id == record.id).values(changed))
    _write_derived(conn, record, previous, status_reason)


@contextlib.contextmanager
def atomic(conn: Connection) -> Iterator[None]:
    """One transaction: the caller's (as a savepoint) or a new one committed on success."""
    if conn.in_transaction():
        with conn.begin_nested():
            yield
    else:
        with conn.begin():
            yield


# The two write paths -------------------------------------------------------------------------


def apply_remote(conn: Connection, record: StoredRecord) -> None:
    """Store a record as the server has it (insert or update; no outbox, no base copy)."""
    with atomic(conn):
        _write(conn, record, read_record(conn, record.entity, record.id))
        note_masked(conn, [record])


_MASKED_KEY = (masked_fields.c.entity == bindparam("k_entity")) & (
    masked_fields.c.record_id == bindparam("k_id")
)


def note_masked(conn: Connection, records: Sequence[StoredRecord]) -> None:
    """Remember which fields of these records (as the server sent them) are masked for this
    user; a record whose list is not known here (``masked`` None) keeps what was noted."""
    known = [r for r in records if r.masked is not None]
    rows = [
        {"entity": r.entity.value, "record_id": r.id, "fields": json.dumps(list(r.masked))}
        for r in known
        if r.masked
    ]
    keys = [{"k_entity": r.entity.value, "k_id": r.id} for r in known]
    # Most replicas never hold a masked field: then the delete is skipped after one cheap look.
    if keys and (rows or conn.execute(select(masked_fields.c.entity).limit(1)).first()):
        conn.execute(delete(masked_fields).where(_MASKED_KEY), keys)
    if rows:
        conn.execute(insert(masked_fields), rows)


def masked_of(conn: Connection, entity: Entity, ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """Record id -> its fields masked for this user, for those of ``ids`` that have any."""
    found: dict[str, frozenset[str]] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 500):
        rows = conn.execute(
            select(masked_fields.c.record_id, masked_fields.c.fields).where(
                masked_fields.c.entity == entity.value,
                masked_fields.c.record_id.in_(unique[start : start + 500]),
            )
        )
        for record_id, fields_text in rows:
            found[record_id] = frozenset(json.loads(fields_text))
    return found


def save_local(
    conn: Connection,
    record: R,
    replica_id: str,
    user_id: str,
    *,
    status_reason: str | None = None,
) -> R:
    """Save an edit made on this device, in one transaction, and return the record as saved.

    Validates (raising :class:`~desktop_crm.domain.validation.ValidationFailed` before anything
    is written; phones are normalized in place), bumps ``replica_id``'s counter on the stored
    version, writes the row and derived rows, appends the outbox entry and — on the first
    unsynced edit of a record the server already has — keeps the base copy. An edit that
    changes nothing writes nothing. ``record.meta`` is updated to the saved metadata.
    ``status_reason``: why an account's status changes, when a status rule changes it (kept
    in the status log).
    """
    ensure_valid(record)
    entity = record.ENTITY
    data = record.data()
    with atomic(conn):
        previous = read_record(conn, entity, record.meta.id)
        base_version = previous.version if previous is not None else VersionVector()
        if previous is not None:
            changed = [k for k in ENTITY_FIELDS[entity] if previous.data.get(k) != data.get(k)]
            if not changed and previous.deleted == record.meta.deleted:
                record.meta = previous.meta()
                return record
        else:
            changed = list(ENTITY_FIELDS[entity])
        saved = StoredRecord(
            entity=entity,
            id=record.meta.id,
            version=base_version.bump(replica_id),
            deleted=record.meta.deleted,
            updated_at=utc_now(),
            updated_by=user_id,
            data=data,
        )
        if previous is not None and not book.outbox_for_record(conn, entity.value, saved.id):
            if book.get_base_copy(conn, entity.value, saved.id) is None:
                # The first unsynced edit: what we had is the last synced state.
                book.set_base_copy(
                    conn, entity.value, saved.id, previous.version, previous.deleted, previous.data
                )
        _write(conn, saved, previous, status_reason)
        book.add_outbox_entry(
            conn,
            change_id=new_id(),
            entity=entity.value,
            record_id=saved.id,
            base_version=base_version,
            new_version=saved.version,
            changed_fields=changed,
            deleted=saved.deleted,
            data=data,
        )
    record.meta = saved.meta()
    return record


def delete_local(
    conn: Connection, entity: Entity | str, record_id: str, replica_id: str, user_id: str
) -> SyncedRecord | None:
    """Delete a record on this device: a tombstone edit, synced like any other."""
    stored = read_record(conn, entity, record_id)
    if stored is None or stored.deleted:
        return None
    record = stored.to_record()
    record.meta.deleted = True
    return save_local(conn, record, replica_id, user_id)


def purge_record(conn: Connection, entity: Entity | str, record_id: str) -> None:
    """Remove a record and its derived rows from the replica entirely (no tombstone): for
    records that left the user's scope, or a local creation the server refused."""
    table = SYNCED_TABLES[Entity(entity).value]
    with atomic(conn):
        # The derived rows cascade (foreign keys), but say so explicitly: cheap, and correct
        # even on a connection with foreign keys off.
        if Entity(entity) is Entity.CONTACT:
            conn.execute(delete(contact_phones).where(contact_phones.c.contact_id == record_id))
        elif Entity(entity) is Entity.ACCOUNT:
            for history in (account_former_names, account_status_log):
                conn.execute(delete(history).where(history.c.account_id == record_id))
        elif Entity(entity) is Entity.OPPORTUNITY:
            conn.execute(
                delete(opportunity_stage_history).where(
                    opportunity_stage_history.c.opportunity_id == record_id
                )
            )
        conn.execute(delete(table).where(table.c.id == record_id))
        key = {"k_entity": Entity(entity).value, "k_id": record_id}
        conn.execute(delete(masked_fields).where(_MASKED_KEY), key)


class _RemovalLike(Protocol):
    @property
    def entity(self) -> Any: ...
    @property
    def id(self) -> str: ...


def records_under(conn: Connection, removals: Iterable[_RemovalLike]) -> set[tuple[str, str]]:
    """``(entity, id)`` of every stored record the removals take away: a removed account takes
    its contacts, opportunities and activities with it."""
    out: set[tuple[str, str]] = set()
    account_ids: list[str] = []
    for removal in removals:
        entity = Entity(removal.entity)
        out.add((entity.value, removal.id))
        if entity is Entity.ACCOUNT:
            account_ids.append(removal.id)
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start : start + 500]
        for entity in (Entity.CONTACT, Entity.OPPORTUNITY, Entity.ACTIVITY):
            table = SYNCED_TABLES[entity.value]
            for (record_id,) in conn.execute(
                select(table.c.id).where(table.c.account_id.in_(chunk))
            ):
                out.add((entity.value, record_id))
    return out


# Typed repositories ---------------------------------------------------------------------------


class Repository(Generic[R]):
    """Typed access to one entity: ``accounts.get(conn, id)`` returns an :class:`Account`."""

    def __init__(self, record_type: type[R]) -> None:
        self.record_type = record_type
        self.entity = record_type.ENTITY
        self.table = SYNCED_TABLES[self.entity.value]

    def get(self, conn: Connection, record_id: str, *, include_deleted: bool = False) -> R | None:
        stored = read_record(conn, self.entity, record_id)
        if stored is None or (stored.deleted and not include_deleted):
            return None
        return cast(R, stored.to_record())

    def get_many(self, conn: Connection, ids: Sequence[str]) -> dict[str, R]:
        """Live records by id (missing and deleted ones left out)."""
        out: dict[str, R] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            for stored in read_records(conn, self.entity, where=[self.table.c.id.in_(chunk)]):
                out[stored.id] = cast(R, stored.to_record())
        return out

    def list(
        self,
        conn: Connection,
        *,
        account_id: str | None = None,
        where: Iterable[Any] = (),
        order_by: Iterable[Any] = (),
        include_deleted: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[R]:
        clauses = list(where)
        if account_id is not None:
            if self.entity is Entity.ACCOUNT:
                clauses.append(self.table.c.id == account_id)
            else:
                clauses.append(self.table.c.account_id == account_id)
        stored = read_records(
            conn,
            self.entity,
            where=clauses,
            order_by=order_by,
            include_deleted=include_deleted,
            limit=limit,
            offset=offset,
        )
        return [cast(R, s.to_record()) for s in stored]

    def save(self, conn: Connection, record: R, replica_id: str, user_id: str) -> R:
        return save_local(conn, record, replica_id, user_id)

    def delete(self, conn: Connection, record_id: str, replica_id: str, user_id: str) -> R | None:
        return cast(R | None, delete_local(conn, self.entity, record_id, replica_id, user_id))


accounts = Repository(Account)
contacts = Repository(Contact)
opportunities = Repository(Opportunity)
activities = Repository(Activity)
