"""Two threads write the replica: the window's worker (the user's edits) and the sync thread
(pages from the server). Why that is safe (docs/architecture.md, "Two connections"): write
transactions take SQLite's write lock when they start, so one writer waits for the other
instead of failing, and reads never wait for a writer (WAL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from desktop_crm.client import editing, reading
from desktop_crm.client.identity import Identity
from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Account, Entity
from desktop_crm.server import db, directory
from desktop_crm.storage import records_store as store
from desktop_crm.storage.engine import EngineSettings
from desktop_crm.storage.errors import ReplicaBusy
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from tests.server.conftest import seed_record
from tests.sync.conftest import DeviceFactory, ServerWorld

ME = Identity("replica-me", "user-me")
WAIT_S = 20  # a bound that is never reached when things work; a hang fails instead


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    thread = threading.Thread(target=run, name="sync-page")
    thread.start()
    return thread, errors


def _sync_page(replica: Replica, record: Account) -> Callable[[], None]:
    """What the sync thread does with a page: one write transaction."""

    def write() -> None:
        with replica.writing() as conn:
            store.save_local(conn, record, "replica-server-page", "server")

    return write


def test_a_deferred_edit_fails_when_a_sync_page_commits_between_its_read_and_write(
    replica_factory: Callable[..., Replica],
) -> None:
    """The hazard, shown with plain BEGIN: SQLite cannot upgrade a stale read snapshot."""
    replica = replica_factory()
    mine = editing.save(replica, Account(name="Mine"), ME).value
    with pytest.raises(OperationalError, match="locked"):
        with replica.engine.begin() as conn:
            current = store.accounts.get(conn, mine.meta.id)
            assert current is not None
            thread, errors = _in_thread(_sync_page(replica, Account(name="From the server")))
            thread.join(WAIT_S)
            assert errors == []
            current.notes = "edited"
            store.save_local(conn, current, ME.replica_id, ME.user_id)


def test_an_edit_and_a_sync_page_at_the_same_time_both_land(
    replica_factory: Callable[..., Replica],
) -> None:
    replica = replica_factory()
    mine = editing.save(replica, Account(name="Mine"), ME).value
    arriving = Account(name="From the server")
    with replica.writing() as conn:
        current = store.accounts.get(conn, mine.meta.id)
        assert current is not None
        # The page waits for the edit's write lock instead of slipping in between.
        thread, errors = _in_thread(_sync_page(replica, arriving))
        thread.join(0.3)
        assert thread.is_alive()
        current.notes = "edited"
        store.save_local(conn, current, ME.replica_id, ME.user_id)
    thread.join(WAIT_S)
    assert errors == []
    with replica.engine.connect() as conn:
        edited = store.accounts.get(conn, mine.meta.id)
        assert edited is not None and edited.notes == "edited"
        assert store.accounts.get(conn, arriving.meta.id) is not None


def test_reads_do_not_wait_for_a_writer_and_see_the_last_commit(
    replica_factory: Callable[..., Replica],
) -> None:
    replica = replica_factory()
    known = editing.save(replica, Account(name="Known Customer Ltd"), ME).value
    holding, release = threading.Event(), threading.Event()

    def long_page() -> None:
        with replica.writing() as conn:
            store.save_local(conn, Account(name="Not Yet Committed Ltd"), "server", "server")
            holding.set()
            release.wait(WAIT_S)

    thread, errors = _in_thread(long_page)
    try:
        assert holding.wait(WAIT_S)
        # The window's reads go on while the page is being written.
        assert [h.account_id for h in reading.search(replica, "Known Customer")] == [
            known.meta.id
        ]
        assert reading.search(replica, "Not Yet Committed") == []
        assert reading.account_360(replica, known.meta.id) is not None
    finally:
        release.set()
        thread.join(WAIT_S)
    assert errors == []
    assert len(reading.search(replica, "Not Yet Committed")) == 1


def _server_with_customers(server: ServerWorld, username: str, accounts: int) -> None:
    owner = server.user(username)
    with server.engine.connect() as conn, db.write_transaction(conn):
        for record in demo_data.generate(seed=5, accounts=accounts, owner_ids=[owner]):
            seed_record(conn, record)
            if record.ENTITY is Entity.ACCOUNT:
                directory.set_assignment(conn, record.meta.id, owner, "server")


def test_edits_made_while_a_first_sync_runs_are_kept_and_sent(
    server: ServerWorld, device: DeviceFactory
) -> None:
    _server_with_customers(server, "rep1", 150)
    rep = device("rep1", snapshot_limit=100, pull_limit=100)  # many small page transactions
    me = Identity(rep.replica_id, rep.user_id)
    thread, errors = _in_thread(lambda: rep.sync())
    made: list[str] = []
    while (thread.is_alive() or len(made) < 10) and len(made) < 300:
        walk_in = Account(name=f"Walk-in customer {len(made)}", owner_id=rep.user_id)
        made.append(editing.save(rep.replica, walk_in, me).value.meta.id)
    thread.join(WAIT_S * 3)
    assert not thread.is_alive() and errors == []
    rep.sync()
    query = "SELECT id FROM records WHERE entity = 'account'"
    with server.engine.connect() as conn:
        on_server: Any = {str(r[0]) for r in conn.exec_driver_sql(query)}
    assert set(made) <= on_server
    assert reading.sync_status(rep.replica).pending == 0


def test_an_edit_that_waits_too_long_is_refused_in_plain_words_and_writes_nothing(
    tmp_path: Path,
) -> None:
    settings = EngineSettings(busy_timeout=0.2)
    replica = create_replica(tmp_path / "busy.db", RawKey.generate(), settings=settings)
    try:
        holding, release = threading.Event(), threading.Event()

        def endless_page() -> None:
            with replica.writing():
                holding.set()
                release.wait(WAIT_S)

        thread, errors = _in_thread(endless_page)
        try:
            assert holding.wait(WAIT_S)
            with pytest.raises(ReplicaBusy, match="busy .* nothing was saved"):
                editing.save(replica, Account(name="Typed while a page was written"), ME)
        finally:
            release.set()
            thread.join(WAIT_S)
        assert errors == []
        assert reading.search(replica, "Typed while") == []
        assert reading.sync_status(replica).pending == 0
    finally:
        replica.close()
