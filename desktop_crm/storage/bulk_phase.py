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
bulk load itself reads (foreign-key children: ``contact_phones.contact_id``, cascades; the
contacts of an account, which the snapshot delivers in account order) are never deferred.

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
    indexes that exist and note how to build them again. Returns how many were dropped."""
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
    _note(conn, noted)
    return dropped


def finish(engine: Engine) -> int:
    """Build every index the bulk phase deferred, one write transaction each, and end the
    phase. ``engine`` must take the write lock at ``BEGIN`` (``storage.engine.writer``).
    Returns how many indexes were built (0 outside a bulk phase: one small read)."""
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
