"""Real client replicas against a real server on loopback: a contact moved to another account
leaves the replica of whoever lost sight of it (and nothing else does); a device that was away
while tombstones were purged takes a fresh snapshot instead of keeping a deleted record, and
its offline edit of that record is parked, not resurrected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from desktop_crm.domain.records import Activity
from desktop_crm.server import admin
from desktop_crm.server import models as m
from desktop_crm.server.push import PURGED
from desktop_crm.server.timeutil import iso, now
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from tests.e2e.conftest import BOTH_DATABASES, ClientProfile, E2EServer
from tests.sync.harness import assert_replica_matches_server, replica_records, server_records


def _issues(p: ClientProfile) -> list[book.SyncIssue]:
    assert p.replica is not None
    with p.replica.engine.connect() as conn:
        return book.list_sync_issues(conn)


@BOTH_DATABASES
def test_moved_contact_leaves_only_the_replica_that_lost_sight_of_it(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    acc1, acc2 = world.accounts["acc1"], world.accounts["acc2"]
    contact = world.contacts["acc1"]
    rep1, rep2, manager = (
        ClientProfile(tmp_path / name, e2e_server.url, user)
        for name, user in (("rep1", "rep1"), ("rep2", "rep2"), ("manager", "manager1"))
    )
    profiles += [rep1, rep2, manager]
    for p in profiles:
        p.open().sync_once()
    # rep1 logged a call with the contact (synced), then edits the contact offline.
    assert rep1.replica is not None and rep1.engine is not None
    call = Activity(
        account_id=acc1,
        contact_id=contact,
        kind="call",
        start_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
        summary="talked about the renewal",
    )
    with rep1.replica.engine.begin() as conn:
        store.save_local(conn, call, rep1.engine.replica_id, world.users["rep1"])
    assert rep1.engine.sync_once().pushed == 1
    # The manager moves the contact to rep2's account (the person changed employer).
    manager.edit("contact", contact, account_id=acc2)
    assert manager.engine is not None and manager.engine.sync_once().pushed == 1
    rep1.edit("contact", contact, title="Head of purchasing")
    before = replica_records(rep1.replica.engine)

    summary = rep1.engine.sync_once()
    assert summary.removed == 1
    after = replica_records(rep1.replica.engine)
    assert set(before) - set(after) == {("contact", contact)}  # that one, nothing else
    assert ("activity", call.meta.id) in after  # the call stays with its account
    assert {k: v.version for k, v in after.items()} == {
        k: v.version for k, v in before.items() if k != ("contact", contact)
    }
    # The offline edit was not dropped silently: it waits in the sync issues.
    [issue] = _issues(rep1)
    assert (issue.entity, issue.record_id) == ("contact", contact)
    assert issue.data["title"] == "Head of purchasing"
    assert_replica_matches_server(rep1.replica, e2e_server.engine, {acc1})

    assert rep2.engine is not None and rep2.replica is not None
    rep2.engine.sync_once()
    moved = replica_records(rep2.replica.engine)[("contact", contact)]
    assert moved.data["account_id"] == acc2 and not moved.deleted
    assert_replica_matches_server(rep2.replica, e2e_server.engine, {acc2})
    assert manager.replica is not None
    assert manager.engine.sync_once().removed == 0
    assert_replica_matches_server(manager.replica, e2e_server.engine, {acc1, acc2})
    # The next syncs are quiet.
    assert rep1.engine.sync_once().removed == 0
    assert server_records(e2e_server.engine)[("contact", contact)]["data"]["title"] != (
        "Head of purchasing"
    )


def _age_devices(server: E2EServer, days: int, *device_ids: str) -> None:
    """Make devices look as if they were last heard from ``days`` ago."""
    old = iso(now() - timedelta(days=days))
    query = update(m.devices).values(pulled_at=old, last_seen_at=old, created_at=old)
    if device_ids:
        query = query.where(m.devices.c.id.in_(device_ids))
    with server.engine.begin() as conn:
        conn.execute(query)


@BOTH_DATABASES
def test_device_away_during_a_purge_resnapshots_and_parks_its_edit(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    acc1 = world.accounts["acc1"]
    contact = world.contacts["acc1"]
    away, here = (ClientProfile(tmp_path / n, e2e_server.url, "rep1") for n in ("away", "here"))
    profiles += [away, here]
    for p in profiles:
        p.open().sync_once()
    # The fixture's other devices never synced: out of the way (long unheard of).
    _age_devices(e2e_server, 400)
    # "here" deletes the contact; "away" edits it offline and is not heard from for 100 days.
    assert here.replica is not None and here.engine is not None
    with here.replica.engine.begin() as conn:
        store.delete_local(conn, "contact", contact, here.engine.replica_id, world.users["rep1"])
    for _ in range(3):  # push, pull the deletion back, present the cursor past it
        here.engine.sync_once()
    away.edit("contact", contact, title="Edited while away")
    _age_devices(e2e_server, 100, away.profile.load_settings().device_id)

    report = admin.purge_tombstones(e2e_server.engine, stale_days=90)
    assert [(p.entity, p.id) for p in report.purged] == [("contact", contact)]
    assert away.profile.load_settings().device_id in report.stale_devices

    assert away.engine is not None and away.replica is not None
    summary = away.engine.sync_once()
    assert summary.resynced
    assert ("contact", contact) not in replica_records(away.replica.engine)
    [issue] = _issues(away)
    assert (issue.entity, issue.record_id, issue.reason) == ("contact", contact, PURGED)
    assert ("contact", contact) not in server_records(e2e_server.engine)  # not resurrected
    assert_replica_matches_server(away.replica, e2e_server.engine, {acc1})
    assert away.engine.sync_once().resynced is False
