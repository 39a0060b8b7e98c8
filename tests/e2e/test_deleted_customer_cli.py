"""``desktop-crm sync`` when a manager deleted a customer while the rep's laptop was away
(issue 14, item 11): the exit code and message tell the rep, "Keep it deleted" leaves no false
sync issue behind, and once the held work is exported the sync is clean (exit 0)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx

from desktop_crm.client import resolving
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Activity
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import Replica, open_replica
from desktop_crm.sync.resolution import DeleteChoice
from tests.e2e.conftest import BOTH_DATABASES, PASSPHRASE, E2EServer, run_cli
from tests.sync.harness import server_records


def _open(profile: Path) -> tuple[Replica, Identity]:
    settings = json.loads((profile / "settings.json").read_text(encoding="utf-8"))
    who = Identity(settings["replica_id"], settings["user_id"], settings["username"], "rep")
    return open_replica(profile / "replica.db", Passphrase(PASSPHRASE)), who


def _delete_account_as_manager(e2e_server: E2EServer, account_id: str) -> None:
    world = e2e_server.world
    headers = {"Authorization": f"Bearer {world.tokens['manager1']}"}
    with httpx.Client(base_url=e2e_server.url, headers=headers) as http:
        current = http.get(f"/records/account/{account_id}").json()
        version = {**current["version"], world.replicas["manager1"]: 1}
        answer = http.post(
            "/sync/push",
            json={
                "changes": [
                    {
                        "change_id": "manager-deletes-acc1",
                        "entity": "account",
                        "record_id": account_id,
                        "base_version": current["version"],
                        "new_version": version,
                        "changed_fields": [],
                        "deleted": True,
                        "data": current["data"],
                    }
                ]
            },
        )
    assert answer.status_code == 200 and answer.json()["results"][0]["status"] == "applied"


@BOTH_DATABASES
def test_cli_after_a_customer_was_deleted_meanwhile(e2e_server: E2EServer, tmp_path: Path) -> None:
    world = e2e_server.world
    acc1, contact = world.accounts["acc1"], world.contacts["acc1"]
    profile = tmp_path / "rep-profile"
    password = e2e_server.password_file("rep1")
    first = run_cli(
        "sync", "--profile", str(profile), "--server", e2e_server.url, "--user", "rep1",
        "--password-file", str(password),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr

    # Away: the rep edits the contact and logs a call; the manager deletes the customer.
    replica, who = _open(profile)
    try:
        with replica.engine.begin() as conn:
            stored = store.read_record(conn, "contact", contact)
            assert stored is not None
            record = stored.to_record()
            record.title = "met on the train"  # type: ignore[attr-defined]
            store.save_local(conn, record, who.replica_id, who.user_id)
            call = Activity(
                account_id=acc1,
                kind="call",
                summary="offline call",
                start_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            )
            store.save_local(conn, call, who.replica_id, who.user_id)
    finally:
        replica.close()
    _delete_account_as_manager(e2e_server, acc1)

    told = run_cli("sync", "--profile", str(profile), "--password-file", str(password))
    assert told.returncode == 1, (told.stdout, told.stderr)
    assert "was deleted by manager1" in told.stdout
    assert "sync issues 0" in told.stdout
    on_server = server_records(e2e_server.engine)
    assert on_server[("contact", contact)]["deleted"]  # the deletion took the children
    assert ("activity", call.meta.id) not in on_server  # held back, not refused

    # "Keep it deleted" on the contact: the server's tombstone, nothing pushed.
    replica, who = _open(profile)
    try:
        [conflict] = resolving.open_conflicts(replica)
        resolving.resolve_conflict(
            replica, conflict.conflict, who, {}, delete_choice=DeleteChoice.KEEP_DELETED
        )
    finally:
        replica.close()
    kept = run_cli("sync", "--profile", str(profile), "--password-file", str(password))
    assert kept.returncode == 1, (kept.stdout, kept.stderr)  # the call still waits
    assert "sync issues 0" in kept.stdout and "conflicts 0" in kept.stdout
    assert "pushed 0" in kept.stdout

    replica, who = _open(profile)
    try:
        exported = resolving.export_deleted_customer_work(replica, acc1, tmp_path / "work.csv")
    finally:
        replica.close()
    assert exported.value == 1
    assert "offline call" in (tmp_path / "work.csv").read_text(encoding="utf-8-sig")
    clean = run_cli("sync", "--profile", str(profile), "--password-file", str(password))
    assert clean.returncode == 0, (clean.stdout, clean.stderr)
    assert "was deleted" not in clean.stdout
