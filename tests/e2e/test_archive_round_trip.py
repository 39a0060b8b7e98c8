"""Archive and restore through a real replica (issue 13, item 4, "must show"): an account
archived while its owner holds an unsynced edit to it leaves the replica at the next sync,
after the edit was pushed (nothing parked, nothing lost); it is found in the archive search
over the server, and a restore brings it back, edit included; other accounts stay."""

from __future__ import annotations

from pathlib import Path

from desktop_crm.client import archive_search
from desktop_crm.server import admin, archive
from desktop_crm.server.db import write_transaction
from desktop_crm.storage import sync_bookkeeping as book
from tests.e2e.conftest import BOTH_DATABASES, ClientProfile, E2EServer
from tests.sync.harness import assert_replica_matches_server, replica_records


@BOTH_DATABASES
def test_archive_and_restore_round_trip_with_a_pending_edit(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    acc1, acc2 = world.accounts["acc1"], world.accounts["acc2"]
    rep1, desk = (
        ClientProfile(tmp_path / name, e2e_server.url, user)
        for name, user in (("rep1", "rep1"), ("desk", "desk1"))
    )
    profiles += [rep1, desk]
    for p in profiles:
        p.open().sync_once()
    assert rep1.engine is not None and rep1.replica is not None
    rep1.edit("account", acc1, notes="Asked us to call back next year")  # not synced yet
    with e2e_server.engine.connect() as conn, write_transaction(conn):
        archive.archive_account(conn, acc1, world.users["admin"])

    summary = rep1.engine.sync_once()
    assert summary.pushed == 1 and summary.removed >= 3  # the edit first, then the records
    held = replica_records(rep1.replica.engine)
    assert not [k for k, r in held.items() if r.data.get("account_id", r.id) == acc1]
    with rep1.replica.engine.connect() as conn:
        assert book.list_sync_issues(conn) == [] and book.outbox_count(conn) == 0
    assert_replica_matches_server(rep1.replica, e2e_server.engine, set())
    assert desk.engine is not None and desk.replica is not None
    desk.engine.sync_once()
    assert ("account", acc1) not in replica_records(desk.replica.engine)
    assert ("account", acc2) in replica_records(desk.replica.engine)

    # Found online, clearly as archived, by its owner.
    [hit] = archive_search.search(rep1._client, "acc1")
    assert (hit.id, hit.owner_id) == (acc1, world.users["rep1"])

    assert admin.restore_archived(e2e_server.engine, acc1) == world.users["rep1"]
    rep1.engine.sync_once()
    back = replica_records(rep1.replica.engine)[("account", acc1)]
    assert back.data["notes"] == "Asked us to call back next year"
    assert_replica_matches_server(rep1.replica, e2e_server.engine, {acc1})
    desk.engine.sync_once()
    assert ("account", acc1) in replica_records(desk.replica.engine)
    assert archive_search.search(rep1._client, "acc1") == []
