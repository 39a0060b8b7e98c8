"""The bulk loader: many records from the server at once (first sync, demo data, benchmarks).

:func:`bulk_apply` stores what :func:`~desktop_crm.storage.records_store.apply_remote` would for
each record, but inserts the records the replica does not hold yet with ``executemany`` in
batches, rows straight from typed records or wire records (no ``data`` dict for typed ones),
and bypasses the per-row name-index trigger for large batches.
``tests/storage/test_row_encoding.py`` and ``tests/storage/test_repositories.py`` hold it to
:func:`~desktop_crm.storage.records_store.apply_remote`.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from desktop_crm.domain.history import TRACKED_FIELDS, HistoryRow, history_rows
from desktop_crm.domain.phones import reversed_digits
from desktop_crm.domain.records import Entity, RecordMeta, SyncedRecord, to_json_value
from desktop_crm.storage import bulk_phase
from desktop_crm.storage.derived_rows import (
    ABSENT_ACCOUNT,
    PHONE_COLUMNS,
    account_labels,
    insert_history,
    insert_rows,
    label_waiting_phones,
    phone_rows,
)
from desktop_crm.storage.records_store import (
    COLUMN_CODINGS,
    COLUMNS,
    ROW_ENCODERS,
    ColumnCoding,
    StoredRecord,
    apply_remote,
    atomic,
    json_text,
    note_masked,
    time_text,
    version_text,
)
from desktop_crm.storage.schema import (
    NAME_INDEX_TABLE,
    SYNCED_TABLES,
    activities,
    contact_phones,
)


def _as_stored(record: StoredRecord | SyncedRecord) -> StoredRecord:
    return record if isinstance(record, StoredRecord) else StoredRecord.from_record(record)


def bulk_apply(
    conn: Connection,
    records: Iterable[StoredRecord | SyncedRecord],
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Apply many records from the server at once (first sync, demo data, benchmarks).

    Same result as :func:`apply_remote` per record, but records not yet in the replica are
    inserted with ``executemany`` in batches; ones already there take the one-by-one path.
    Runs in the caller's transaction if there is one (else one transaction for everything).
    Returns the number of records applied.
    """
    total = 0
    with atomic(conn):
        batch: list[StoredRecord | SyncedRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                total += _apply_batch(conn, batch)
                batch = []
                if progress is not None:
                    progress(total)
        if batch:
            total += _apply_batch(conn, batch)
            if progress is not None:
                progress(total)
    return total


def _entity_of(record: StoredRecord | SyncedRecord) -> Entity:
    return record.entity if isinstance(record, StoredRecord) else record.ENTITY


def _apply_batch(conn: Connection, batch: list[StoredRecord | SyncedRecord]) -> int:
    by_entity: dict[Entity, list[StoredRecord | SyncedRecord]] = {}
    for record in batch:
        by_entity.setdefault(_entity_of(record), []).append(record)
    # Parents first, so history rows (foreign keys to accounts/opportunities) find them.
    for entity in Entity:
        records = by_entity.get(entity)
        if not records:
            continue
        table = SYNCED_TABLES[entity.value]
        ids = [_meta_of(r).id for r in records]
        existing = _existing_ids(conn, table, ids)
        if not existing and len(set(ids)) == len(ids):  # the common case: all new
            _insert_fresh(conn, entity, table, records)
            continue
        if existing and entity is Entity.CONTACT:
            # Their phones are replaced by contact id: without that index, a scan each.
            bulk_phase.build_now(conn, "ix_contact_phones_contact_id")
        fresh: dict[str, StoredRecord | SyncedRecord] = {}
        for record in records:
            record_id = _meta_of(record).id
            if record_id in fresh:
                # The same record twice in one batch: insert what we have, then update.
                _insert_fresh(conn, entity, table, list(fresh.values()))
                existing.update(fresh)
                fresh = {}
            if record_id in existing:
                apply_remote(conn, _as_stored(record))
            else:
                fresh[record_id] = record
        if fresh:
            _insert_fresh(conn, entity, table, list(fresh.values()))
    note_masked(conn, [r for r in batch if isinstance(r, StoredRecord)])
    return len(batch)


def _existing_ids(conn: Connection, table: Table, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the table holds (plain SQL: compiling an ``IN`` select per chunk cost
    more than running it)."""
    found: set[str] = set()
    for start in range(0, len(ids), 900):
        chunk = tuple(ids[start : start + 900])
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT id FROM {table.name} WHERE id IN ({marks})"
        found.update(row[0] for row in conn.exec_driver_sql(sql, chunk))
    return found


def _fast_value(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool, float):
        return value
    return to_json_value(value)


def _record_row(record: StoredRecord | SyncedRecord) -> tuple[Any, ...]:
    """The column values (in :data:`COLUMNS` order) straight from a typed record or a stored
    one: the bulk loader's hot path, so typed records skip building their ``data`` dict."""
    if isinstance(record, StoredRecord):
        return ROW_ENCODERS[record.entity](record)
    meta = record.meta
    row: list[Any] = [
        meta.id,
        version_text(meta.version),
        bool(meta.deleted),
        time_text(meta.updated_at),
        meta.updated_by,
    ]
    for name, coding in COLUMN_CODINGS[record.ENTITY].items():
        value = getattr(record, name)
        if coding is ColumnCoding.JSON:
            row.append(json_text([_fast_value(v) for v in value] if value else []))
        elif coding is ColumnCoding.BOOL:
            row.append(bool(value))
        else:
            row.append(_fast_value(value))
    return tuple(row)


def _insert_fresh(
    conn: Connection, entity: Entity, table: Table, records: list[StoredRecord | SyncedRecord]
) -> None:
    rows = [_record_row(r) for r in records]
    if entity in _NAME_INDEXED and len(rows) >= _BYPASS_TRIGGER_MIN:
        _insert_bypassing_name_trigger(conn, entity, table, rows)
    elif entity is Entity.ACTIVITY and len(rows) >= _BYPASS_TRIGGER_MIN:
        _insert_counting_activity_days(conn, rows)
    else:
        insert_rows(conn, table, COLUMNS[entity], rows)
    if entity is Entity.CONTACT:
        insert_rows(conn, contact_phones, PHONE_COLUMNS, _fresh_phone_rows(conn, records))
    if entity is Entity.ACCOUNT:
        label_waiting_phones(conn, [_meta_of(r).id for r in records])
    if entity in TRACKED_FIELDS:
        insert_history(conn, _fresh_history(entity, records))


def _fresh_phone_rows(
    conn: Connection, records: list[StoredRecord | SyncedRecord]
) -> list[tuple[Any, ...]]:
    """The ``contact_phones`` rows of new contacts; normalized phones of typed records go
    straight to their rows."""
    live = [r for r in records if not _meta_of(r).deleted]
    rows: list[tuple[Any, ...]] = []
    labels = account_labels(conn, (_field(r, "account_id") for r in live))
    for r in live:
        account_id, contact_name = _field(r, "account_id"), _field(r, "name")
        account = labels.get(account_id, ABSENT_ACCOUNT)
        if isinstance(r, StoredRecord):
            phones = r.data.get("phones") or ()
            if phones:
                rows += phone_rows(r.id, account_id, phones, contact_name, account)
            continue
        record_id = r.meta.id
        for position, phone in enumerate(getattr(r, "phones", ())):
            if not phone.e164:  # not normalized: the careful path
                [row] = phone_rows(record_id, account_id, [phone.to_json()], contact_name, account)
                rows.append((*row[:2], position, *row[3:]))
                continue
            rows.append(
                (
                    record_id,
                    account_id,
                    position,
                    phone.raw,
                    phone.kind,
                    bool(phone.primary),
                    phone.e164,
                    phone.extension,
                    reversed_digits(phone.e164),
                    contact_name,
                    account[0],
                    account[1],
                )
            )
    return rows


def _fresh_history(entity: Entity, records: list[StoredRecord | SyncedRecord]) -> list[HistoryRow]:
    """The history rows of new records (the rule reads only the tracked fields)."""
    tracked = TRACKED_FIELDS[entity]
    rows: list[HistoryRow] = []
    for r in records:
        meta = _meta_of(r)
        data = {name: _field(r, name) for name in tracked}
        rows += history_rows(
            entity, meta.id, None, data, meta.updated_by, time_text(meta.updated_at)
        )
    return rows


#: Entities whose names the FTS5 ``name_index`` holds (kept current by triggers).
_NAME_INDEXED = {Entity.ACCOUNT, Entity.CONTACT}
#: Below this many rows the triggers are cheaper than dropping and re-creating them. Low: a
#: trigger-driven FTS5 insert is flushed to disk as its own tiny segment at the next statement
#: (the statement savepoint makes FTS5 write out its pending terms), which costs 0.2–0.6 ms a
#: row and grows with the index, against ~10 µs a row for a direct ``executemany``.
_BYPASS_TRIGGER_MIN = 20


def _insert_bypassing_name_trigger(
    conn: Connection, entity: Entity, table: Table, rows: list[tuple[Any, ...]]
) -> None:
    """Insert many rows and their ``name_index`` entries without the per-row AFTER INSERT
    trigger: a trigger-driven FTS5 insert costs 3–4× a direct ``executemany`` into the FTS
    table. The trigger is dropped and re-created from its own stored SQL inside the caller's
    transaction, so other connections never see it missing and a failure restores it."""
    with _trigger_dropped(conn, f"name_index_{table.name}_ai") as dropped:
        insert_rows(conn, table, COLUMNS[entity], rows)
        if dropped:
            _add_name_index_entries(conn, entity, rows)


@contextlib.contextmanager
def _trigger_dropped(conn: Connection, trigger: str) -> Iterator[bool]:
    """Drop ``trigger`` for the ``with`` block and re-create it from its own stored SQL after,
    inside the caller's transaction (other connections never see it missing; a failure rolls
    the drop back). Yields whether there was such a trigger (not before its revision)."""
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).first()
    if found is None:
        yield False
        return
    conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield True
    conn.exec_driver_sql(str(found[0]))


def _add_name_index_entries(conn: Connection, entity: Entity, rows: list[tuple[Any, ...]]) -> None:
    # What the trigger would do, from the values just stored: an FTS row per live record, and
    # its rowid in the map the update/delete triggers go by. Rowids are given explicitly, after
    # the highest in use. (Not ``INSERT … SELECT`` over the new rows: one statement writing
    # many rows keeps a statement journal, which cost more than it saved in a large replica.)
    last = conn.exec_driver_sql(
        f"SELECT rowid FROM {NAME_INDEX_TABLE} ORDER BY rowid DESC LIMIT 1"
    ).scalar()
    rowid = int(last or 0)
    kind = entity.value
    columns = COLUMNS[entity]
    at_id, at_name = columns.index("id"), columns.index("name")
    at_deleted = columns.index("deleted")
    at_account = at_id if entity is Entity.ACCOUNT else columns.index("account_id")
    entries = []
    mapped = []
    for row in rows:
        if row[at_deleted]:
            continue
        rowid += 1
        entries.append((rowid, row[at_name], kind, row[at_id], row[at_account]))
        mapped.append((kind, row[at_id], rowid))
    if entries:
        conn.exec_driver_sql(
            f"INSERT INTO {NAME_INDEX_TABLE}(rowid, name, entity, record_id, account_id) "
            "VALUES (?, ?, ?, ?, ?)",
            entries,
        )
        if not bulk_phase.maps_names_later(conn):  # else filled at the phase's end, sorted
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO name_index_rows(entity, record_id, fts_rowid)"
                " VALUES (?, ?, ?)",
                mapped,
            )


def _insert_counting_activity_days(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert many new activities and add them to ``activity_day_counts`` per day and author
    here, in one upsert per pair, rather than by its AFTER INSERT trigger once per row (which
    made the bulk load of a million activities markedly slower)."""
    with _trigger_dropped(conn, "activity_day_counts_ai") as dropped:
        insert_rows(conn, activities, COLUMNS[Entity.ACTIVITY], rows)
        if not dropped:
            return
        columns = COLUMNS[Entity.ACTIVITY]
        at_start, at_author = columns.index("start_at"), columns.index("author_id")
        at_deleted = columns.index("deleted")
        # The trigger's day, substr(start_at, 1, 10), counts characters as slicing does.
        days = Counter(
            (str(row[at_start])[:10], row[at_author]) for row in rows if not row[at_deleted]
        )
        conn.exec_driver_sql(
            "INSERT INTO activity_day_counts (day, author_id, count) VALUES (?, ?, ?) "
            "ON CONFLICT (day, author_id) DO UPDATE SET count = count + excluded.count",
            [(day, author, count) for (day, author), count in days.items()],
        )


def _meta_of(record: StoredRecord | SyncedRecord) -> StoredRecord | RecordMeta:
    return record if isinstance(record, StoredRecord) else record.meta


def _field(record: StoredRecord | SyncedRecord, name: str) -> str:
    if isinstance(record, StoredRecord):
        return str(record.data.get(name) or "")
    return str(getattr(record, name, "") or "")
