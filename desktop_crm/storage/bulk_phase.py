"""The bulk phase of a first sync: secondary indexes built once, after the snapshot.

A first sync stores the server's records page by page (``bulk_load.bulk_apply``). The
secondary indexes in :data:`DEFERRED_INDEXES` are keyed by values that arrive in random order
(names, reversed phone digits, times, opportunity ids), so every insert updates a random page
of each: once the file outgrows the page cache almost every such update misses it, and in the
encrypted replica each miss costs a decryption and HMAC check and, later, an encryption and
HMAC (the 1.9× of SQLCipher over plain SQLite, docs/benchmarks.md). Built after the snapshot,
each index is one ``CREATE INDEX``: one pass over the table, an in-memory sort, its pages
written once, in order.

:func:`begin` drops those indexes and notes their ``CREATE`` statements (as ``sqlite_master``
held them) under the ``sync_state`` key :data:`BULK_PHASE_KEY`, in the caller's transaction;
:func:`finish` re-creates them, one transaction per index (the write lock is held for one
index at a time), removing each from the note as it is built, and the key with the last. The
file is consistent at every commit: a first sync killed at any point leaves the note, and the
next :func:`finish` (the sync's own, or :func:`~desktop_crm.storage.replica.open_replica`'s)
builds what is missing.

While the phase lasts, every query still answers correctly from the tables (a missing index is
only slower); the phone lookups, which name their index (``INDEXED BY``), fall back to the
plain statement (:func:`execute_indexed`). Unique indexes, primary keys and the indexes the
bulk load itself reads on its common path (the contacts of an account, which the snapshot
delivers in account order) are never deferred. ``contact_phones.contact_id`` is deferred (its
keys are random UUIDs), but the load's rare steps that find phone rows by contact id (a
contact sent again, phones waiting for their account) build it first (:func:`build_now`);
other readers meanwhile (a contact's phones shown, cascades) scan the phone rows.

The ``name_index_rows`` map (record -> its ``name_index`` row, keyed by record id) is left out
by the bulk loader during the phase (:func:`maps_names_later`) and filled at its end in one
sorted ``INSERT … SELECT`` from the full-text index (:data:`FILL_NAME_ROWS`, noted under
:data:`NAME_ROWS`). Only the name-index triggers read the map, to find the full-text row of a
record renamed or deleted; while the phase lasts, BEFORE triggers (:data:`NAME_ROWS_TRIGGERS`,
created by :func:`begin`, dropped by the fill's transaction) add a missing entry from the
full-text index just before, so such an edit still removes the old row. The fill and the
triggers' removal commit together, so a kill leaves either both or neither.

The sort of ``CREATE INDEX`` stays in memory: with ``temp_store = MEMORY`` SQLite's sorter
never writes a temporary file (``sqlite3VdbeSorterInit`` gives it no spill threshold then), so
nothing of the index reaches the disk unencrypted. The price is memory for the largest index's
keys during its build (measured in docs/benchmarks.md, issue 12).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine
from sqlalchemy.exc import OperationalError

log = logging.getLogger(__name__)

#: ``sync_state`` key present while a bulk phase is under way: a JSON object, index name ->
#: the ``CREATE INDEX`` statement to run, of the deferred indexes not built yet.
BULK_PHASE_KEY = "bulk_phase"

#: Secondary indexes updated in random order by a first sync's inserts (see the module text).
DEFERRED_INDEXES = (
    "ix_accounts_name",
    "ix_contacts_name",
    "ix_contact_phones_lookup",
    "ix_opportunities_report",
    "ix_opportunities_forecast",
    "ix_stage_history_report",
    "ix_activities_opportunity",
    "ix_activities_start_at",
    "ix_accounts_live_name",
    "ix_contact_phones_contact_id",
)

#: The note's entry for the ``name_index_rows`` map (record -> its ``name_index`` row), filled
#: once at the end of the phase (:data:`FILL_NAME_ROWS`) rather than row by row: it is keyed by
#: record id (UUIDs), so each bulk insert into it touched a random page.
NAME_ROWS = "name_index_rows"

#: The map, filled from the full-text index itself, in key order (one pass, pages written once).
#: ``OR REPLACE``: entries made during the phase (single inserts, edits) already agree.
FILL_NAME_ROWS = (
    "INSERT OR REPLACE INTO name_index_rows (entity, record_id, fts_rowid)"
    " SELECT entity, record_id, rowid FROM name_index ORDER BY entity, record_id"
)


def _name_rows_trigger(entity: str, event: str) -> tuple[str, str]:
    """A trigger of the phase: before the name-index triggers of ``entity`` look a record's
    map entry up (rename, delete), it adds the entry from the full-text index when the bulk
    load left it for later (a scan of the index: rare, and only while the phase lasts)."""
    table = f"{entity}s"
    name = f"bulk_phase_{table}_b{event[0].lower()}"
    columns = {"account": "name, deleted, id", "contact": "name, deleted, account_id, id"}[entity]
    when = f"UPDATE OF {columns[: columns.rindex(',')]}" if event == "UPDATE" else "DELETE"
    # As the name-index update trigger: only when an indexed value really changes (a record
    # sent again unchanged costs no scan).
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns.split(", "))
    sql = (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {when} ON {table}"
        + (f" WHEN ({changed}) AND" if event == "UPDATE" else " WHEN")
        + " NOT EXISTS (SELECT 1 FROM name_index_rows"
        f" WHERE entity = '{entity}' AND record_id = old.id)"
        " BEGIN INSERT INTO name_index_rows (entity, record_id, fts_rowid)"
        f" SELECT '{entity}', old.id, rowid FROM name_index"
        f" WHERE entity = '{entity}' AND record_id = old.id; END"
    )
    return name, sql


#: The phase's triggers (name -> CREATE statement), there while :data:`NAME_ROWS` is noted.
NAME_ROWS_TRIGGERS = dict(
    _name_rows_trigger(entity, event)
    for entity in ("account", "contact")
    for event in ("UPDATE", "DELETE")
)


def pending(conn: Connection) -> dict[str, str]:
    """The deferred indexes still to be built (name -> CREATE statement); empty outside a
    bulk phase."""
    value = conn.exec_driver_sql(
        "SELECT value FROM sync_state WHERE key = ?", (BULK_PHASE_KEY,)
    ).scalar()
    return dict(json.loads(value)) if value else {}


def _note(conn: Connection, indexes: dict[str, str]) -> None:
    if not indexes:
        conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (BULK_PHASE_KEY,))
        return
    conn.exec_driver_sql(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (BULK_PHASE_KEY, json.dumps(indexes, sort_keys=True)),
    )


def begin(conn: Connection) -> int:
    """Start (or continue) a bulk phase in the caller's write transaction: drop the deferred
    indexes that exist and note how to build them again, and leave the name map for the end
    (its fill noted, the phase's triggers created). Returns how many indexes were dropped."""
    noted = pending(conn)
    dropped = 0
    for name in DEFERRED_INDEXES:
        found = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).scalar()
        if found is None:
            continue  # not at this revision, or already dropped (and noted)
        noted[name] = str(found)
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
        dropped += 1
    has_map = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (NAME_ROWS,)
    ).scalar()
    if has_map is not None:
        noted[NAME_ROWS] = FILL_NAME_ROWS
        for statement in NAME_ROWS_TRIGGERS.values():
            conn.exec_driver_sql(statement)
    _note(conn, noted)
    return dropped


def maps_names_later(conn: Connection) -> bool:
    """Whether a bulk phase is under way that fills ``name_index_rows`` at its end (the bulk
    load then leaves the map out; :func:`finish` fills it)."""
    return NAME_ROWS in pending(conn)


def build_now(conn: Connection, name: str) -> bool:
    """Build the deferred index ``name`` now, in the caller's write transaction, when a bulk
    phase holds it back: for a load step that would otherwise scan its table for every row
    (a re-sent contact's phones). Returns whether it was built."""
    noted = pending(conn)
    statement = noted.pop(name, None)
    if statement is None or name == NAME_ROWS:
        return False
    conn.exec_driver_sql(statement)
    _note(conn, noted)
    log.info("bulk phase: index %s built ahead of the phase's end", name)
    return True


def finish(engine: Engine) -> int:
    """Build every index the bulk phase deferred, one write transaction each, fill the name
    map, and end the phase. ``engine`` must take the write lock at ``BEGIN``
    (``storage.engine.writer``). Returns how many structures were built (indexes, and the map
    as one; 0 outside a bulk phase: one small read)."""
    built = 0
    with engine.connect() as conn:
        if not pending(conn):
            return 0
    while True:
        with engine.begin() as conn:
            noted = pending(conn)
            if not noted:
                return built
            name = min(noted)
            statement = noted.pop(name)
            if name == NAME_ROWS:
                # The map in one sorted pass, and the phase's triggers gone, in one commit.
                conn.exec_driver_sql(statement)
                for trigger in NAME_ROWS_TRIGGERS:
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
                built += 1
            else:
                exists = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
                ).scalar()
                if exists is None:
                    conn.exec_driver_sql(statement)
                    built += 1
            _note(conn, noted)
        log.info("bulk phase: index %s built", name)


def without_index_hint(statement: str) -> str:
    """``statement`` without its ``INDEXED BY`` clause (the index may be deferred)."""
    return re.sub(r"\s+INDEXED BY\s+\w+", "", statement)


def execute_indexed(
    conn: Connection, statement: str, parameters: tuple[Any, ...]
) -> CursorResult[*tuple[Any, ...]]:
    """Run a statement that names its index (``INDEXED BY``); during a bulk phase, when that
    index is not built yet, run it without the hint: the same rows, found without the index."""
    try:
        return conn.exec_driver_sql(statement, parameters)
    except OperationalError as exc:
        if "no such index" not in str(exc.orig):
            raise
    return conn.exec_driver_sql(without_index_hint(statement), parameters)
