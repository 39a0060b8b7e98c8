"""Duplicates end to end: real encrypted replicas, the real server on a loopback port.

Two reps enter the same customer offline, both sync, the scan pairs them, a manager merges;
the replicas converge, and a call logged offline under the merged-away customer lands on the
survivor. A client SIGKILLed while it pulls a large merge finishes correctly afterwards."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_crm.domain.records import Account, Activity, Contact, Entity, Phone
from desktop_crm.server import admin, db, directory
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from tests.e2e.conftest import PASSPHRASE as PASSPHRASE_FOR_TESTS
from tests.e2e.conftest import ClientProfile, E2EServer
from tests.e2e.test_faults import _check_replica, _driver, _kill_after_start
from tests.server.conftest import seed_record
from tests.sync.harness import assert_replica_matches_server, server_records

PHONE = Phone(raw="138 0013 8000", e164="+8613800138000")


def _profile(server: E2EServer, tmp: Path, username: str) -> ClientProfile:
    p = ClientProfile(tmp / username, server.url, username)
    p.open()
    return p


def _enter_offline(p: ClientProfile, name: str, contact: str) -> str:
    """A new customer with one contact, saved in the replica (the outbox) as the dialog does."""
    assert p.replica is not None and p.engine is not None
    user_id = p.profile.load_settings().user_id
    account = Account(name=name, owner_id=user_id)
    person = Contact(account_id=account.meta.id, name=contact, phones=[PHONE])
    with p.replica.engine.begin() as conn:
        store.save_local(conn, account, p.engine.replica_id, user_id)
        store.save_local(conn, person, p.engine.replica_id, user_id)
    return account.meta.id


def _scope(p: ClientProfile) -> set[str]:
    """The accounts a replica holds (its user's scope)."""
    assert p.replica is not None
    with p.replica.engine.connect() as conn:
        return {str(r[0]) for r in conn.exec_driver_sql("SELECT id FROM accounts")}


def _log_call(p: ClientProfile, account_id: str, summary: str) -> str:
    assert p.replica is not None and p.engine is not None
    user_id = p.profile.load_settings().user_id
    call = Activity(
        account_id=account_id,
        kind="call",
        start_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        summary=summary,
    )
    with p.replica.engine.begin() as conn:
        store.save_local(conn, call, p.engine.replica_id, user_id)
    return call.meta.id


def test_two_reps_one_customer_scan_merge_and_an_offline_call_after_it(
    e2e_server: E2EServer, tmp_path: Path, profiles: list[ClientProfile]
) -> None:
    world = e2e_server.world
    rep1, rep2, manager = (_profile(e2e_server, tmp_path, u) for u in ("rep1", "rep2", "manager1"))
    profiles += [rep1, rep2, manager]
    for p in (rep1, rep2, manager):
        assert p.engine is not None
        p.engine.sync_once()
    first = _enter_offline(rep1, "北京某某科技", "王小明")
    second = _enter_offline(rep2, "北京某某科技股份有限公司", "Wang Xiaoming")
    for p in (rep1, rep2, manager):
        assert p.engine is not None
        p.engine.sync_once()

    report = admin.find_duplicates(e2e_server.engine, Entity.ACCOUNT, 80)
    twins = [p for p in report.pairs if {p.id_a, p.id_b} == {first, second}]
    assert twins and set(twins[0].reasons) == {"name", "phone"}
    queue = world.client.get("/duplicates", headers=world.h("manager1")).json()
    assert {first, second} in [{p["id_a"], p["id_b"]} for p in queue]

    # rep2 logs a call under its copy, offline, before hearing of the merge.
    call = _log_call(rep2, second, "after the merge, offline")
    merged = world.client.post(
        "/merges",
        json={"entity": "account", "survivor_id": first, "loser_id": second},
        headers=world.h("manager1"),
    )
    assert merged.status_code == 200, merged.text

    for p in (rep2, rep1, manager):
        assert p.engine is not None
        summary = p.engine.sync_once()
        assert summary.issues == 0 and summary.conflicts == 0, summary.line()
    on_server = server_records(e2e_server.engine)
    assert on_server[("activity", call)]["account_id"] == first, "the call did not land"
    assert on_server[("account", second)]["deleted"]
    # Every replica that sees the survivor holds it with both contacts and the call.
    for p in (rep1, manager):
        assert p.replica is not None
        with p.replica.engine.connect() as conn:
            loser = store.read_record(conn, Entity.ACCOUNT, second)
            assert loser is None or loser.deleted
            landed = store.read_record(conn, Entity.ACTIVITY, call)
            assert landed is not None and landed.data["account_id"] == first
            assert book.outbox_count(conn) == 0
        assert_replica_matches_server(p.replica, e2e_server.engine, _scope(p))
    # rep2 does not see rep1's survivor: the loser is a tombstone there and nothing is left
    # under it (the call is on the server, under the survivor).
    assert rep2.replica is not None
    with rep2.replica.engine.connect() as conn:
        loser = store.read_record(conn, Entity.ACCOUNT, second)
        assert loser is not None and loser.deleted
        assert store.read_record(conn, Entity.ACTIVITY, call) is None
        assert book.outbox_count(conn) == 0 and book.sync_issue_count(conn) == 0
    # A second round changes nothing: the loser never comes back.
    for p in (rep1, rep2, manager):
        assert p.engine is not None
        p.engine.sync_once()
    assert server_records(e2e_server.engine)[("account", second)]["deleted"]


#: Children of the merged-away customer: enough pages that a kill lands mid-pull.
CHILDREN = 300


@pytest.mark.slow
def test_sigkill_during_the_pull_of_a_merge_leaves_a_replica_that_finishes(
    e2e_server: E2EServer, tmp_path: Path
) -> None:
    world = e2e_server.world
    owner = world.users["rep1"]
    survivor = Account(name="Acme Trading Co., Ltd.", owner_id=owner)
    loser = Account(name="ACME TRADING LIMITED", owner_id=owner)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    calls = [
        Activity(
            account_id=loser.meta.id,
            kind="call",
            start_at=start + timedelta(minutes=i),
            summary=f"call {i}",
        )
        for i in range(CHILDREN)
    ]
    with e2e_server.engine.connect() as conn, db.write_transaction(conn):
        for record in (survivor, loser, *calls):
            seed_record(conn, record)
        for account in (survivor, loser):
            directory.set_assignment(conn, account.meta.id, owner, "server")
    profile = tmp_path / "killed"
    first = _driver(profile, e2e_server)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, (out, err)

    admin.merge_records(e2e_server.engine, Entity.ACCOUNT, survivor.meta.id, loser.meta.id, [])
    rng = random.Random(20261202)
    killed = 0
    for _ in range(3):
        proc = _driver(profile, e2e_server, "--pull-limit", "7")
        killed += _kill_after_start(proc, rng.uniform(0.05, 0.6))
        _check_replica(profile)
    finish = _driver(profile, e2e_server, "--pull-limit", "7")
    out, err = finish.communicate(timeout=120)
    assert finish.returncode == 0, (out, err)
    assert killed >= 1, "the kills landed after the runs finished: nothing was tested"

    replica = open_replica(profile / "replica.db", Passphrase(PASSPHRASE_FOR_TESTS))
    try:
        with replica.engine.connect() as conn:
            gone = store.read_record(conn, Entity.ACCOUNT, loser.meta.id)
            assert gone is not None and gone.deleted
            for call in calls:
                moved = store.read_record(conn, Entity.ACTIVITY, call.meta.id)
                assert moved is not None and moved.data["account_id"] == survivor.meta.id
            assert book.outbox_count(conn) == 0 and book.sync_issue_count(conn) == 0
        scope = {survivor.meta.id, loser.meta.id, world.accounts["acc1"]}
        assert_replica_matches_server(replica, e2e_server.engine, scope)
        assert replica.integrity_check() == []
    finally:
        replica.close()
