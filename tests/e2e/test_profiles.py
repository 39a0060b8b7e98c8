"""Several installations, each in its own profile folder, against a real uvicorn on loopback;
and ``desktop-crm sync`` as a subprocess with its exit codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop_crm.domain.records import Activity
from desktop_crm.server import directory
from desktop_crm.server.db import write_transaction
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from desktop_crm.sync.resolution import Choice, resolve_conflict
from tests.e2e.conftest import (
    BOTH_DATABASES,
    PASSPHRASE,
    ClientProfile,
    E2EServer,
    free_port,
    run_cli,
)
from tests.sync.harness import assert_replica_matches_server, server_records


@BOTH_DATABASES
def test_three_profiles_converge_over_loopback(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    a, b, c = (
        ClientProfile(tmp_path / name, e2e_server.url, user)
        for name, user in (("a", "rep1"), ("b", "rep1"), ("c", "manager1"))
    )
    profiles += [a, b, c]
    for p in profiles:
        p.open(snapshot_limit=2).sync_once()
    contact, opportunity = world.contacts["acc1"], world.opportunities["acc1"]
    acc1 = world.accounts["acc1"]
    a.edit("contact", contact, title="from a", notes="a's notes")
    b.edit("contact", contact, title="from b")
    c.edit("opportunity", opportunity, name="Renamed by the manager")
    assert b.replica is not None and b.engine is not None
    with b.replica.engine.begin() as conn:
        store.save_local(
            conn,
            Activity(
                account_id=acc1,
                kind="meeting",
                start_at=datetime(2026, 4, 1, 10, tzinfo=UTC),
                summary="on site",
            ),
            b.engine.replica_id,
            world.users["rep1"],
        )
    for p in (a, b, c):
        assert p.engine is not None
        p.engine.sync_once()
    # b saw a's title first: one conflict, on b only.
    assert b.engine is not None and b.replica is not None
    with b.replica.engine.begin() as conn:
        resolve_conflict(
            conn, "contact", contact, replica_id=b.engine.replica_id, choices={"title": Choice.MINE}
        )
    for _ in range(2):
        for p in (a, b, c):
            assert p.engine is not None
            summary = p.engine.sync_once()
            assert summary.conflicts == 0 and summary.issues == 0
    on_server = server_records(e2e_server.engine)
    assert on_server[("contact", contact)]["data"]["title"] == "from b"
    assert on_server[("contact", contact)]["data"]["notes"] == "a's notes"
    assert on_server[("opportunity", opportunity)]["data"]["name"] == "Renamed by the manager"
    for p, scope in ((a, {acc1}), (b, {acc1}), (c, {acc1, world.accounts["acc2"]})):
        assert p.replica is not None
        assert_replica_matches_server(p.replica, e2e_server.engine, scope)
        assert p.replica.integrity_check() == []
    # Each profile remembers its own device and replica id.
    ids = {p.profile.load_settings().replica_id for p in (a, b, c)}
    assert len(ids) == 3


def test_cli_sync_exit_codes(e2e_server: E2EServer, tmp_path: Path) -> None:
    profile = tmp_path / "cli-profile"
    good = e2e_server.password_file("rep1")
    bad = e2e_server.password_file("rep1-wrong", "not the password")
    common = ["sync", "--profile", str(profile)]

    done = run_cli(
        *common, "--server", e2e_server.url, "--user", "rep1", "--password-file", str(good)
    )
    assert done.returncode == 0, done.stderr
    assert "Synced: pulled 3" in done.stdout
    # Server and user are remembered; a second run works without them.
    again = run_cli(*common, "--password-file", str(good))
    assert again.returncode == 0, again.stderr

    wrong = run_cli(*common, "--password-file", str(bad))
    assert wrong.returncode == 4, (wrong.stdout, wrong.stderr)
    assert "sign-in refused" in wrong.stderr

    down = run_cli(
        *common, "--server", f"http://127.0.0.1:{free_port()}", "--password-file", str(good)
    )
    assert down.returncode == 3, (down.stdout, down.stderr)
    assert "Nothing was lost" in down.stderr

    # A conflict waiting for a person: exit 1. Another installation changes the same field.
    replica = open_replica(profile / "replica.db", Passphrase(PASSPHRASE))
    try:
        settings_file = (profile / "settings.json").read_text(encoding="utf-8")
        assert '"replica_id"' in settings_file
        import json

        settings = json.loads(settings_file)
        contact = e2e_server.world.contacts["acc1"]
        with replica.engine.begin() as conn:
            stored = store.read_record(conn, "contact", contact)
            assert stored is not None
            record = stored.to_record()
            record.title = "from the CLI profile"  # type: ignore[attr-defined]
            store.save_local(conn, record, settings["replica_id"], settings["user_id"])
    finally:
        replica.close()
    import httpx

    with httpx.Client(base_url=e2e_server.url) as http:
        token = http.post("/auth/login", json={"username": "rep1", "password": "pw-rep1"}).json()
        current = http.get(
            f"/records/contact/{contact}",
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        data = {**current["data"], "title": "from elsewhere"}
        version = {**current["version"], token["replica_id"]: 1}
        result = http.post(
            "/sync/push",
            json={
                "changes": [
                    {
                        "change_id": "e2e-other-edit",
                        "entity": "contact",
                        "record_id": contact,
                        "base_version": current["version"],
                        "new_version": version,
                        "changed_fields": ["title"],
                        "data": data,
                    }
                ]
            },
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert result["results"][0]["status"] == "applied"
    attention = run_cli(*common, "--password-file", str(good))
    assert attention.returncode == 1, (attention.stdout, attention.stderr)
    assert "conflicts 1" in attention.stdout

    # A revoked device is a refused sign-in too.
    with e2e_server.engine.connect() as conn, write_transaction(conn):
        directory.revoke_device(conn, settings["device_id"], "test")
    revoked = run_cli(*common, "--password-file", str(good))
    assert revoked.returncode == 4, (revoked.stdout, revoked.stderr)
