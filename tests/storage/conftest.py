"""Shared fixtures for replica tests: an in-memory keychain and ready-made replicas.

Other test packages import them::

    from tests.storage.conftest import keyring_backend, replica, replica_factory  # noqa: F401

``replica`` is a fresh replica at the newest schema revision, opened the way the application
opens it (key from the keychain, as the key record says). To stay fast it is copied from a
template made once per session, so every replica in a session shares one (test-only) key.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from desktop_crm.storage.keys import (
    SERVICE,
    KeyInfo,
    KeyMode,
    RawKey,
    backend_name,
    write_keyinfo,
)
from desktop_crm.storage.replica import Replica, create_replica, open_replica

#: The key of every templated replica; a test key, never used outside tests.
TEMPLATE_KEY = RawKey(bytes(range(32)))


def dir_snapshot(directory: Path) -> dict[str, str]:
    """``{file name: sha256}`` of every file in ``directory``: compare before/after a failure."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


class MemoryKeyring(KeyringBackend):
    """A keychain that lives in a dict (keyring backend for tests)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    """Install an empty in-memory keychain as the active keyring; restore the previous one."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def replica_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty replica at head, encrypted with :data:`TEMPLATE_KEY` (made once per session)."""
    path = tmp_path_factory.mktemp("replica-template") / "template.db"
    create_replica(path, TEMPLATE_KEY).close()
    return path


@pytest.fixture
def replica_factory(
    tmp_path: Path, keyring_backend: MemoryKeyring, replica_template: Path
) -> Iterator[Callable[..., Replica]]:
    """``make(name="replica.db") -> Replica``: keychain-mode replicas in ``tmp_path``.

    Each gets its own key record and keychain entry (holding the template key). All are closed
    at the end of the test.
    """
    opened: list[Replica] = []

    def make(name: str = "replica.db") -> Replica:
        path = tmp_path / name
        shutil.copyfile(replica_template, path)
        info = KeyInfo(
            mode=KeyMode.KEYCHAIN,
            key_id=uuid.uuid4().hex,
            created_at="2026-01-01T00:00:00+00:00",
            backend=backend_name(keyring_backend),
            key_check=TEMPLATE_KEY.check_value(),
        )
        keyring_backend.set_password(SERVICE, info.key_id, TEMPLATE_KEY.hex())
        write_keyinfo(path, info)
        rep = open_replica(path)
        opened.append(rep)
        return rep

    try:
        yield make
    finally:
        for rep in opened:
            rep.close()


@pytest.fixture
def replica(replica_factory: Callable[..., Replica]) -> Replica:
    """A fresh, empty replica at the newest revision, key in the (in-memory) keychain."""
    return replica_factory()
