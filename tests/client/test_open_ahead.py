"""The replica's open started ahead (``desktop-crm --open-offline``, issue 11 item 6): it runs
on a thread of its own while the window loads; its replica is handed over once, an error is
raised where it is taken, and a replica nobody took is closed (no open marker left behind)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_crm.client.session import OpenAhead
from desktop_crm.storage.errors import WrongKey
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import (
    OPEN_MARKER_SUFFIX,
    Replica,
    create_replica,
    open_replica,
)

PASSPHRASE = Passphrase("open ahead")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    create_replica(tmp_path / "r.db", PASSPHRASE).close()
    return tmp_path / "r.db"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + OPEN_MARKER_SUFFIX)


def test_the_open_runs_on_its_own_thread_and_is_taken_once(path: Path) -> None:
    threads: list[str] = []

    def opening() -> Replica:
        threads.append(threading.current_thread().name)
        return open_replica(path, PASSPHRASE)

    ahead = OpenAhead(opening)
    replica = ahead.take()
    try:
        assert threads == ["replica-open-ahead"]
        assert replica.schema_revision is not None and _marker(path).exists()
        with pytest.raises(RuntimeError):
            ahead.take()
        ahead.close_unless_taken()  # taken: its owner closes it
        assert _marker(path).exists()
    finally:
        replica.close()
    assert not _marker(path).exists()


def test_an_open_that_failed_raises_where_it_is_taken(path: Path) -> None:
    ahead = OpenAhead(lambda: open_replica(path, Passphrase("wrong")))
    with pytest.raises(WrongKey):
        ahead.take()
    ahead.close_unless_taken()
    assert not _marker(path).exists()


def test_a_replica_nobody_took_is_closed(path: Path) -> None:
    ahead = OpenAhead(lambda: open_replica(path, PASSPHRASE))
    ahead.close_unless_taken()
    assert not _marker(path).exists()
    with open_replica(path, PASSPHRASE) as again:  # a clean close: no full check due
        assert again.page_check is not None and not again.page_check.ran
