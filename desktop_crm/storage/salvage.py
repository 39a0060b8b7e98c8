"""Reading what has not reached the server out of a damaged replica, before it is set aside.

Each table is read on its own fresh read-only connection: SQLCipher keeps failing a connection
once it met a page whose HMAC does not match, and a damaged page in one table must not hide the
others. Nothing is written to the file (``mode=ro``; ``immutable=1`` when there is no ``-wal``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as dbapi2

from desktop_crm.storage.engine import connect
from desktop_crm.storage.errors import ReplicaError
from desktop_crm.storage.replica import KeyArg, resolve_key

#: The replica's tables holding work that is not on the server: local changes not yet sent,
#: conflicts and sync issues waiting for the user.
UNSYNCED_TABLES = ("outbox", "conflicts", "sync_issues")


@dataclasses.dataclass(frozen=True)
class Salvaged:
    #: ``{table: [row as a dict]}`` for every table that could be read whole.
    rows: dict[str, list[dict[str, Any]]]
    #: ``"table: reason"`` for every table that could not be read.
    unreadable: list[str]


def salvage_unsynced(path: Path, key: KeyArg = None) -> Salvaged:
    """The rows of :data:`UNSYNCED_TABLES` that can still be read from the replica at ``path``.
    Raises a :class:`ReplicaError` only when its key cannot be found."""
    source = resolve_key(path, key)
    immutable = not path.with_name(path.name + "-wal").exists()
    rows: dict[str, list[dict[str, Any]]] = {}
    unreadable: list[str] = []
    for table in UNSYNCED_TABLES:
        try:
            conn = connect(path, source, mode="ro", immutable=immutable)
        except dbapi2.Error as exc:
            message = f"The local data file {path} cannot be opened ({exc})."
            raise ReplicaError(message, path) from exc
        try:
            cursor = conn.execute(f"SELECT * FROM {table}")  # noqa: S608  (a fixed table name)
            names = [column[0] for column in cursor.description]
            rows[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except dbapi2.DatabaseError as exc:
            unreadable.append(f"{table}: {exc}")
        finally:
            conn.close()
    return Salvaged(rows, unreadable)
