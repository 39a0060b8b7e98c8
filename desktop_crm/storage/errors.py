"""Errors of the encrypted replica that users are told about in plain words.

These are problems of the environment (wrong key, missing keychain entry, damaged file), not
bugs: ``str(error)`` is a complete sentence the UI can show as it is, and ``error.path`` names
the file concerned. Every one of them is raised *before* the replica was changed: the file and
its ``-wal`` are left exactly as they were, and nothing is ever deleted. Met later, while an open
replica is read or written (:func:`desktop_crm.storage.engine.replica_error`), the transaction
that met them is rolled back.
"""

from __future__ import annotations

from pathlib import Path


class ReplicaError(Exception):
    """Base class: the local replica cannot be created or opened."""

    def __init__(self, message: str, path: Path | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        return self.message


class ReplicaNotFound(ReplicaError):
    """There is no replica file at the given place."""


class ReplicaExists(ReplicaError):
    """Creating a replica where one (or its key record) already exists; nothing is overwritten."""


class NotADatabase(ReplicaError):
    """The file is not a replica at all: empty, too short, text, or random bytes."""


class PlaintextDatabase(NotADatabase):
    """The file is an ordinary, unencrypted SQLite database, not an encrypted replica."""


class WrongKey(ReplicaError):
    """The key (or passphrase) does not open the file."""


class DamagedReplica(ReplicaError):
    """The key is right but parts of the file fail their integrity check."""


class ReplicaUnwritable(ReplicaError):
    """The file or its folder refused a write: the disk is full, or the folder is read-only.
    The transaction was rolled back; nothing that was already stored is lost."""


class KeyMissing(ReplicaError):
    """The replica's key is not where its key record says (keychain entry or key record gone)."""


class KeychainChanged(ReplicaError):
    """The replica's key was stored in a different keychain than the one active now."""


class PassphraseRequired(ReplicaError):
    """No usable keychain (or a passphrase-protected replica): the user must give a passphrase."""


class NewerSchema(ReplicaError):
    """The file was written by a newer program version whose schema this version does not know."""


class MigrationFailed(ReplicaError):
    """Upgrading the replica's schema failed; the upgrade was rolled back."""


class ReplicaBusy(ReplicaError):
    """Another connection held the write lock longer than we wait; nothing was written."""


class KeychainUnavailable(ReplicaError):
    """The keychain refused to store or give out the key (locked, denied, broken)."""
