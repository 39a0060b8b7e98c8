"""An encrypted copy of an open replica (``desktop-crm backup``).

SQLite's online backup API copies the pages under one read transaction, so the copy is
consistent while the app keeps working; both connections carry the replica's key, so SQLCipher
re-encrypts every page with it as it is written and no plaintext page ever reaches the disk.
"""

from __future__ import annotations

from pathlib import Path

from desktop_crm.storage.engine import connect
from desktop_crm.storage.keys import KeySource


def encrypted_copy(source: Path, key: KeySource, target: Path) -> None:
    """Copy the replica at ``source`` (opened with ``key``) to a new file ``target``,
    encrypted with the same key. ``target`` must not exist."""
    if target.exists():
        raise FileExistsError(target)
    src = connect(source, key, mode="ro")
    try:
        dst = connect(target, key, mode="rwc")
        try:
            src.backup(dst)
            # One file: the copy's WAL is folded in and removed when it closes.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
