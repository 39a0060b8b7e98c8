"""Deleting a customer, seen from a laptop that was away (issue 14, item 11), over HTTP against
the in-process server on SQLite and PostgreSQL.

A manager deletes an account while a rep has offline edits and calls under it; the rep syncs.
The server tombstones the account's children with it (and restores them with it); the rep is
told who deleted the customer, the rep's work is held back instead of being refused into the
sync issues list, and "Keep it deleted" takes the server's tombstone without pushing anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from desktop_crm.client import resolving
from desktop_crm.client.identity import Identity
from desktop_crm.client.session import refresh_user_names
from desktop_crm.domain.records import Activity
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID
from desktop_crm.server import db
from desktop_crm.server import models as m
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings
from desktop_crm.storage import records_store as store
from desktop_crm.sync.resolution import DeleteChoice, ResolutionError
from tests.server.conftest import SECRET, build_world
from tests.server.conftest import server_db_url as server_db_url  # noqa: F401
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, assert_replica_matches_server, server_records


@pytest.fixture
def server(tmp_path: Path, server_db_url: str) -> Iterator[ServerWorld]:  # noqa: F811
    """The sync tests' in-process server, on SQLite and on PostgreSQL."""
    settings = Settings(database_url=server_db_url, secret_key=SECRET, data_dir=tmp_path)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    app = create_app(settings, engine, run_migrations=False)
    with TestClient(app) as client:
        world = build_world(client, engine, settings)
        yield ServerWorld(world, settings, engine, client)
    engine.dispose()


def _call(account_id: str, summary: str) -> Activity:
    return Activity(
        account_id=account_id,
        kind="call",
        direction="outbound",
        summary=summary,
        start_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )


def _team_a(server: ServerWorld) -> set[str]:
    return {server.world.accounts["acc1"], server.world.accounts["acc2"]}


def _who(dev: Device, role: str) -> Identity:
    return Identity(dev.replica_id, dev.user_id, dev.name, role)


def _away_then_deleted(server: ServerWorld, device: DeviceFactory) -> tuple[Device, Device, str]:
    """rep1 edits a contact and logs a call offline; manager1 deletes acc1 meanwhile. Returns
    (rep, manager, the call's id); nobody has synced since."""
    rep, manager = device("rep1", "rep"), device("manager1", "manager")
    rep.sync()
    manager.sync()
    acc1 = server.world.accounts["acc1"]
    rep.edit("contact", server.world.contacts["acc1"], title="met on the train")
    call = rep.save(_call(acc1, "offline call"))
    manager.delete("account", acc1)
    assert manager.sync().issues == 0
    refresh_user_names(rep.replica, rep.client)
    return rep, manager, call.meta.id


def test_account_deletion_tombstones_its_children_on_the_server(
    server: ServerWorld, device: DeviceFactory
) -> None:
    world = server.world
    acc1 = world.accounts["acc1"]
    before = server_records(server.engine)
    _rep, manager, _call_id = _away_then_deleted(server, device)
    after = server_records(server.engine)
    children = [("contact", world.contacts["acc1"]), ("opportunity", world.opportunities["acc1"])]
    assert after[("account", acc1)]["deleted"]
    for key in children:
        assert after[key]["deleted"], key
        # The server's own entry is bumped: every replica's copy is older than the tombstone.
        assert after[key]["version"][SERVER_REPLICA_ID] > before[key]["version"].get(
            SERVER_REPLICA_ID, 0
        )
    # Another team's account is untouched.
    assert not after[("account", world.accounts["acc3"])]["deleted"]
    with server.engine.connect() as conn:
        noted = set(conn.execute(select(m.cascade_deletions.c.entity, m.cascade_deletions.c.id)))
    assert noted == set(children)
    # Replicas pull the children's tombstones (change-log entries of their own).
    manager.sync()
    for key in children:
        stored = manager.get(*key)
        assert stored is not None and stored.deleted, key
    assert_replica_matches_server(manager, server.engine, _team_a(server))


def test_rep_is_told_who_deleted_the_customer_and_nothing_is_refused(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep, _manager, call_id = _away_then_deleted(server, device)
    acc1 = server.world.accounts["acc1"]
    summary = rep.sync()
    [notice] = summary.deleted_customers
    assert notice.account_id == acc1
    assert notice.deleted_by == server.user("manager1")
    assert notice.who == "manager1"  # the name from the server's directory
    assert notice.account_name
    assert set(notice.records) == {
        ("contact", server.world.contacts["acc1"]),
        ("activity", call_id),
    }
    assert summary.newly_deleted_customers == [acc1]
    assert "customers deleted while you had work on them 1" in summary.line()
    # The call is held, not pushed into a refusal: no sync issue, still in the outbox.
    assert summary.issues == 0 and rep.issues() == []
    assert rep.outbox() == 2
    assert ("activity", call_id) not in server_records(server.engine)
    # The client service says the same; a second sync keeps the notice, learns nothing new.
    assert [n.account_id for n in resolving.deleted_customers(rep.replica)] == [acc1]
    again = rep.sync()
    assert [n.account_id for n in again.deleted_customers] == [acc1]
    assert again.newly_deleted_customers == [] and again.issues == 0


def test_keep_it_deleted_adopts_the_tombstone_without_a_push(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep, _manager, _call_id = _away_then_deleted(server, device)
    contact = server.world.contacts["acc1"]
    rep.sync()
    [conflict] = rep.conflicts()
    assert (conflict.entity, conflict.record_id, conflict.kind) == ("contact", contact, "delete")
    on_server = server_records(server.engine)[("contact", contact)]
    rep.resolve("contact", contact, delete_choice=DeleteChoice.KEEP_DELETED)
    stored = rep.get("contact", contact)
    assert stored is not None and stored.deleted
    assert stored.version.to_dict() == on_server["version"]
    summary = rep.sync()
    # Before the fix a deletion was pushed and refused by role: a false sync issue, every time.
    assert summary.issues == 0 and summary.pushed == 0 and rep.issues() == []
    assert server_records(server.engine)[("contact", contact)] == on_server


@pytest.mark.parametrize(
    ("user", "deleted", "edited_field"),
    [("rep1", "account", "notes"), ("desk1", "contact", "title")],
)
def test_keep_it_deleted_is_no_false_issue_for_a_role_that_may_not_delete(
    server: ServerWorld, device: DeviceFactory, user: str, deleted: str, edited_field: str
) -> None:
    """A rep may not delete an account, the desk nothing: before the fix, "Keep it deleted"
    pushed a deletion of their own, refused by role, and the sync issue came back each time."""
    record_id = (
        server.world.accounts["acc1"] if deleted == "account" else server.world.contacts["acc1"]
    )
    mine, manager = device(user, "mine"), device("manager1", "manager")
    mine.sync()
    manager.sync()
    mine.edit(deleted, record_id, **{edited_field: "edited while away"})
    manager.delete(deleted, record_id)
    manager.sync()
    mine.sync()
    [conflict] = mine.conflicts()
    assert (conflict.record_id, conflict.kind) == (record_id, "delete")
    if deleted == "account":  # restoring it is not a rep's call: said at once, not refused later
        with pytest.raises(ResolutionError, match="manager or an administrator"):
            resolving.resolve_conflict(
                mine.replica, conflict, _who(mine, "rep"), {}, delete_choice=DeleteChoice.RESTORE
            )
        assert len(mine.conflicts()) == 1
    mine.resolve(deleted, record_id, delete_choice=DeleteChoice.KEEP_DELETED)
    for _ in range(2):  # and it stays clean
        summary = mine.sync()
        assert (summary.issues, summary.conflicts, summary.pushed) == (0, 0, 0)
        assert summary.deleted_customers == []
    stored = mine.get(deleted, record_id)
    assert stored is not None and stored.deleted
    assert mine.outbox() == 0


def test_restoring_the_account_restores_its_children_and_sends_the_held_call(
    server: ServerWorld, device: DeviceFactory
) -> None:
    world = server.world
    acc1, contact, opportunity = (
        world.accounts["acc1"],
        world.contacts["acc1"],
        world.opportunities["acc1"],
    )
    rep, manager = device("rep1", "rep"), device("manager1", "manager")
    rep.sync()
    manager.sync()
    # A child deleted on its own before the account stays deleted when the account comes back.
    manager.delete("opportunity", opportunity)
    manager.sync()
    rep.sync()
    rep.edit("contact", contact, title="met on the train")
    call_id = rep.save(_call(acc1, "offline call")).meta.id
    manager.delete("account", acc1)
    manager.sync()
    assert rep.sync().deleted_customers  # held, waiting

    with pytest.raises(ResolutionError):  # the manager holds no work on it: nothing to decide
        resolving.restore_deleted_customer(manager.replica, acc1, _who(manager, "manager"))
    stored = manager.get("account", acc1)
    assert stored is not None and stored.deleted
    record = stored.to_record()
    record.meta.deleted = False
    manager.save(record)
    assert manager.sync().issues == 0

    on_server = server_records(server.engine)
    assert not on_server[("account", acc1)]["deleted"]
    assert not on_server[("contact", contact)]["deleted"]
    assert on_server[("opportunity", opportunity)]["deleted"]  # deleted on its own before
    # The rep's next sync sees the account live again: the notice closes, the call goes.
    summary = rep.sync()
    assert summary.deleted_customers == [] and summary.issues == 0
    rep.sync()
    on_server = server_records(server.engine)
    assert on_server[("activity", call_id)]["deleted"] is False
    assert on_server[("contact", contact)]["data"]["title"] == "met on the train"
    assert rep.conflicts() == [] and rep.outbox() == 0
    manager.sync()
    for dev, scope in ((rep, {acc1}), (manager, _team_a(server))):
        assert_replica_matches_server(dev, server.engine, scope)


def test_a_manager_with_held_work_restores_the_customer_through_the_service(
    server: ServerWorld, device: DeviceFactory
) -> None:
    acc1 = server.world.accounts["acc1"]
    manager, admin = device("manager1", "manager"), device("admin", "admin")
    manager.sync()
    admin.sync()
    call_id = manager.save(_call(acc1, "manager's call")).meta.id
    admin.delete("account", acc1)
    admin.sync()
    [notice] = manager.sync().deleted_customers
    assert notice.deleted_by == server.user("admin")
    rep_who = Identity(manager.replica_id, manager.user_id, "manager1", "rep")
    with pytest.raises(ResolutionError):  # the role decides who may restore
        resolving.restore_deleted_customer(manager.replica, acc1, rep_who)
    written = resolving.restore_deleted_customer(manager.replica, acc1, _who(manager, "manager"))
    assert written.changes.touches_account(acc1)
    summary = manager.sync()
    assert summary.issues == 0 and summary.deleted_customers == []
    on_server = server_records(server.engine)
    assert not on_server[("account", acc1)]["deleted"]
    assert not on_server[("contact", server.world.contacts["acc1"])]["deleted"]
    assert on_server[("activity", call_id)]["deleted"] is False
    manager.sync()
    assert_replica_matches_server(manager, server.engine, _team_a(server))


def test_the_rep_exports_the_held_work_and_sync_is_clean(
    server: ServerWorld, device: DeviceFactory, tmp_path: Path
) -> None:
    rep, _manager, call_id = _away_then_deleted(server, device)
    acc1, contact = server.world.accounts["acc1"], server.world.contacts["acc1"]
    rep.sync()
    with pytest.raises(ResolutionError):  # a rep may not restore a customer
        resolving.restore_deleted_customer(rep.replica, acc1, _who(rep, "rep"))
    path = tmp_path / "export" / "work.json"
    written = resolving.export_deleted_customer_work(rep.replica, acc1, path)
    assert written.value == 2
    exported = {(row["entity"], row["record_id"]): row for row in json.loads(path.read_text())}
    assert exported[("activity", call_id)]["data"]["summary"] == "offline call"
    assert exported[("contact", contact)]["data"]["title"] == "met on the train"
    assert {row["deleted_by"] for row in exported.values()} == {"manager1"}
    # The replica now holds the server's side: the call the server never had is gone.
    assert rep.get("activity", call_id) is None
    stored = rep.get("contact", contact)
    assert stored is not None and stored.deleted
    assert rep.conflicts() == [] and rep.outbox() == 0
    summary = rep.sync()
    assert (summary.conflicts, summary.issues, summary.deleted_customers) == (0, 0, [])
    assert_replica_matches_server(rep, server.engine, {acc1})


def test_a_rep_cannot_undelete_an_account_over_http(
    server: ServerWorld, device: DeviceFactory
) -> None:
    acc1 = server.world.accounts["acc1"]
    manager = device("manager1", "manager")
    manager.sync()
    manager.delete("account", acc1)
    manager.sync()
    world = server.world
    current = server_records(server.engine)[("account", acc1)]
    version = dict(current["version"])
    [result] = world.push(
        "rep1",
        {
            "change_id": "restore-by-rep",
            "entity": "account",
            "record_id": acc1,
            "base_version": current["version"],
            "new_version": {**version, world.replicas["rep1"]: 1},
            "changed_fields": [],
            "deleted": False,
            "data": current["data"],
        },
    )
    assert result["status"] == "rejected"
    assert "restore" in result["reason"]
    assert server_records(server.engine)[("account", acc1)]["deleted"]


def test_no_notice_without_unsynced_work(server: ServerWorld, device: DeviceFactory) -> None:
    rep, manager = device("rep1", "rep"), device("manager1", "manager")
    rep.sync()
    manager.sync()
    acc1 = server.world.accounts["acc1"]
    manager.delete("account", acc1)
    manager.sync()
    summary = rep.sync()
    assert summary.deleted_customers == [] and summary.conflicts == 0 and summary.issues == 0
    with rep.replica.engine.connect() as conn:
        live = [r for r in store.read_records(conn, "contact") if r.data["account_id"] == acc1]
    assert live == []
    assert_replica_matches_server(rep, server.engine, {acc1})
