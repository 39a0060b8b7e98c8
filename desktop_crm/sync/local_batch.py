"""Batched local reads and writes for one pulled page or one batch of push answers.

Applying a page record by record costs a dozen statements per record (read the row and its
phones, the outbox, the conflict, the base copy; a savepoint; the write; the base-copy delete),
and with SQLCipher and SQLAlchemy each statement costs a few hundred microseconds. A
:class:`LocalBatch` instead reads what a page needs with one ``IN (...)`` query per table and
entity, answers the engine's questions from memory, and defers the common writes — storing a
server copy, dropping outbox entries and base copies — to :meth:`LocalBatch.flush`, which
writes them with ``executemany``.

Rules that keep it exact:

- Cached state is the database state plus the deferred writes; every deferred write updates
  the cache at once, so later questions in the same batch see it.
- Anything outside the common paths (merges, conflicts, rejections, records whose derived rows
  change) runs on the database through :meth:`LocalBatch.direct`: deferred writes are flushed
  first, and the record's cached state is dropped afterwards (reloaded on the next question).
- A record is written at most once per flush: a second write to it flushes the first.
- :meth:`flush` runs inside the caller's transaction, before the page's cursor is stored.
- Outbox entries and base copies are kept as read and decoded only when asked for in full
  (:meth:`LocalBatch.pending`, :meth:`LocalBatch.base_copy`): the common paths need only the
  change ids and whether a base copy exists. A record's row as read is kept too, so the
  batched update compares the new values with the stored ones without encoding the old
  record again.

Rows are encoded by ``records_store.row_values``, the same function the store writes with;
``tests/sync/test_local_batch.py`` checks the resulting database against
``records_store.apply_remote`` table by table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from desktop_crm.domain.history import TRACKED_FIELDS
from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import COLUMNS, StoredRecord, row_values
from desktop_crm.storage.schema import SYNCED_TABLES, base_copies, conflicts, outbox

Key = tuple[str, str]  # (entity value, record id)

#: Bound parameters per ``IN (...)`` query (SQLite's default limit is far above; keep it modest).
CHUNK = 500

_ENTITY_ORDER = {entity.value: n for n, entity in enumerate(Entity)}

# Plain SQL: SQLAlchemy's expanding IN costs more than the query itself here.
_RECORDS_SQL = {
    name: f"SELECT {', '.join(c.name for c in table.c)} FROM {table.name} WHERE id IN ({{marks}})"
    for name, table in SYNCED_TABLES.items()
}
_OUTBOX_SQL = (
    f"SELECT {', '.join(c.name for c in outbox.c)} FROM {outbox.name} "
    "WHERE entity = ? AND record_id IN ({marks}) ORDER BY seq"
)
_BASES_SQL = (
    f"SELECT record_id, version, deleted, data FROM {base_copies.name} "
    "WHERE entity = ? AND record_id IN ({marks})"
)
_CONFLICTS_SQL = (
    f"SELECT record_id FROM {conflicts.name} WHERE entity = ? AND record_id IN ({{marks}})"
)


def _book_dumps(value: Any) -> str:
    """JSON as ``sync_bookkeeping`` stores it (sorted keys)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def derived_rows_change(previous: StoredRecord, record: StoredRecord) -> bool:
    """True when writing ``record`` over ``previous`` touches rows besides the entity's own
    (phones, former names, status log, stage history): such writes go through the store."""
    old, new = previous.data, record.data
    if record.entity is Entity.CONTACT:
        return (
            old.get("phones") != new.get("phones")
            or old.get("account_id") != new.get("account_id")
            or previous.deleted != record.deleted
        )
    # History rows follow these fields only (domain/history.py).
    return any(old.get(name) != new.get(name) for name in TRACKED_FIELDS.get(record.entity, ()))


def _chunks(items: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield list(items[start : start + CHUNK])


def _outbox_entry(row: Any) -> book.OutboxEntry:
    return book.OutboxEntry(
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


class LocalBatch:
    """The replica's state for a set of records, read in bulk, with deferred writes."""

    def __init__(self, conn: Connection, keys: Iterable[Key] = ()) -> None:
        self.conn = conn
        self._records: dict[Key, StoredRecord | None] = {}
        #: Outbox entries oldest first: rows as read until :meth:`pending` decodes them.
        self._outbox: dict[Key, list[Any]] = {}
        #: Base copies: a row as read until :meth:`base_copy` decodes it; None when absent.
        self._bases: dict[Key, Any] = {}
        #: The stored row of a record (column -> value), while it is what the table holds.
        self._rows: dict[Key, Mapping[Any, Any]] = {}
        self._conflicted: set[Key] = set()
        self._loaded: set[Key] = set()
        self._wanted: set[Key] = set()
        # Deferred writes.
        self._writes: dict[Key, tuple[StoredRecord, StoredRecord | None, Mapping[Any, Any] | None]]
        self._writes = {}
        self._outbox_removed: list[str] = []
        self._base_writes: dict[Key, book.BaseCopy | None] = {}
        self.want(keys)

    # Reading --------------------------------------------------------------------------------

    def want(self, keys: Iterable[Key]) -> None:
        """Announce records that will be asked about: they are loaded together on first use."""
        self._wanted.update(k for k in keys if k not in self._loaded)

    def _ensure(self, key: Key) -> None:
        if key in self._loaded:
            return
        self._wanted.add(key)
        wanted, self._wanted = self._wanted, set()
        self._load(wanted)

    def _load(self, keys: set[Key]) -> None:
        by_entity: dict[str, list[str]] = {}
        for entity, record_id in keys:
            by_entity.setdefault(entity, []).append(record_id)
        conn = self.conn
        for entity_name, ids in by_entity.items():
            entity = Entity(entity_name)
            for record_id in ids:
                key = (entity_name, record_id)
                self._records[key] = None
                self._outbox[key] = []
                self._bases[key] = None
                self._rows.pop(key, None)
                self._conflicted.discard(key)
            for chunk in _chunks(ids):
                params = (entity_name, *chunk)
                marks = ", ".join("?" * len(chunk))
                rows = conn.exec_driver_sql(
                    _RECORDS_SQL[entity_name].format(marks=marks), params[1:]
                ).all()
                for record in store.stored_from_rows(entity, conn, rows):
                    self._records[(entity_name, record.id)] = record
                for row in rows:
                    mapping = row._mapping
                    self._rows[(entity_name, mapping["id"])] = mapping
                for row in conn.exec_driver_sql(_OUTBOX_SQL.format(marks=marks), params).all():
                    self._outbox[(entity_name, row.record_id)].append(row)
                for row in conn.exec_driver_sql(_BASES_SQL.format(marks=marks), params).all():
                    self._bases[(entity_name, row.record_id)] = row
                for row in conn.exec_driver_sql(_CONFLICTS_SQL.format(marks=marks), params).all():
                    self._conflicted.add((entity_name, row.record_id))
            self._loaded.update((entity_name, record_id) for record_id in ids)

    def record(self, key: Key) -> StoredRecord | None:
        self._ensure(key)
        return self._records[key]

    def pending(self, key: Key) -> list[book.OutboxEntry]:
        """The record's outbox entries, oldest first."""
        self._ensure(key)
        entries = self._outbox[key]
        for n, entry in enumerate(entries):
            if not isinstance(entry, book.OutboxEntry):
                entries[n] = _outbox_entry(entry)
        return list(entries)

    def pending_ids(self, key: Key) -> list[str]:
        """The change ids of the record's outbox entries, oldest first (nothing decoded)."""
        self._ensure(key)
        return [entry.change_id for entry in self._outbox[key]]

    def base_copy(self, key: Key) -> book.BaseCopy | None:
        self._ensure(key)
        base = self._bases[key]
        if base is None or isinstance(base, book.BaseCopy):
            return base
        decoded = self._bases[key] = book.BaseCopy(
            VersionVector.from_json(base.version), bool(base.deleted), json.loads(base.data)
        )
        return decoded

    def in_conflict(self, key: Key) -> bool:
        self._ensure(key)
        return key in self._conflicted

    def still_queued(self, key: Key, change_id: str) -> bool:
        return change_id in self.pending_ids(key)

    # Deferred writes ------------------------------------------------------------------------

    def apply_remote(self, record: StoredRecord) -> None:
        """``records_store.apply_remote``: store the server's copy (insert or update)."""
        key = (record.entity.value, record.id)
        if key in self._writes:
            self.flush()
        previous = self.record(key)
        stored_row = self._rows.pop(key, None)
        if previous is not None and derived_rows_change(previous, record):
            self.flush()
            store.apply_remote(self.conn, record)
        else:
            self._writes[key] = (record, previous, stored_row)
        self._records[key] = record

    def remove_outbox_entry(self, key: Key, change_id: str) -> None:
        self._ensure(key)
        entries = self._outbox[key]
        kept = [e for e in entries if e.change_id != change_id]
        if len(kept) != len(entries):
            self._outbox[key] = kept
            self._outbox_removed.append(change_id)

    def set_base_copy(
        self, key: Key, version: VersionVector, deleted: bool, data: dict[str, Any]
    ) -> None:
        self._ensure(key)
        base = book.BaseCopy(version, deleted, dict(data))
        self._bases[key] = base
        self._base_writes[key] = base

    def delete_base_copy(self, key: Key) -> None:
        self._ensure(key)
        if self._bases[key] is None and key not in self._base_writes:
            return  # nothing stored, nothing pending
        self._bases[key] = None
        self._base_writes[key] = None

    def flush(self) -> None:
        """Write what was deferred, in the caller's transaction."""
        conn = self.conn
        if self._writes:
            writes, self._writes = self._writes, {}
            fresh: list[StoredRecord] = []
            updates: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
            for record, previous, stored_row in sorted(
                writes.values(), key=lambda w: _ENTITY_ORDER[w[0].entity.value]
            ):
                if previous is None:
                    fresh.append(record)
                    continue
                # The columns whose stored value differs from the new one are written.
                values = row_values(record)
                before = stored_row if stored_row is not None else row_values(previous)
                self._rows[(record.entity.value, record.id)] = values
                changed = tuple(c for c in COLUMNS[record.entity] if before[c] != values[c])
                if changed:
                    updates.setdefault((record.entity.value, changed), []).append(
                        (*(values[c] for c in changed), record.id)
                    )
            if fresh:
                bulk_load.bulk_apply(conn, fresh)
            store.note_masked(conn, [r for r, prior, _ in writes.values() if prior is not None])
            for (entity_name, columns), rows in updates.items():
                table = SYNCED_TABLES[entity_name].name
                assignments = ", ".join(f"{c} = ?" for c in columns)
                conn.exec_driver_sql(f"UPDATE {table} SET {assignments} WHERE id = ?", rows)
        if self._outbox_removed:
            removed, self._outbox_removed = self._outbox_removed, []
            book.remove_outbox_entries(conn, removed)
        if self._base_writes:
            base_writes, self._base_writes = self._base_writes, {}
            conn.exec_driver_sql(
                f"DELETE FROM {base_copies.name} WHERE entity = ? AND record_id = ?",
                list(base_writes),
            )
            inserts = [
                (entity, record_id, base.version.to_json(), base.deleted, _book_dumps(base.data))
                for (entity, record_id), base in base_writes.items()
                if base is not None
            ]
            if inserts:
                conn.exec_driver_sql(
                    f"INSERT INTO {base_copies.name} (entity, record_id, version, deleted, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    inserts,
                )

    @contextmanager
    def direct(self, key: Key) -> Iterator[Connection]:
        """Work on the database for ``key`` (the rare paths): deferred writes are flushed
        first, and what is cached about ``key`` is read again afterwards."""
        self.flush()
        try:
            yield self.conn
        finally:
            self.forget(key)

    def forget(self, key: Key) -> None:
        self._loaded.discard(key)
        self._records.pop(key, None)
        self._outbox.pop(key, None)
        self._bases.pop(key, None)
        self._rows.pop(key, None)
        self._conflicted.discard(key)
