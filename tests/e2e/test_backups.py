"""Backups end to end: the server restored to an older backup under real client profiles over
loopback (SQLite and PostgreSQL), and ``desktop-crm backup`` of a profile that stays
encrypted."""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_crm.domain.records import Activity
from desktop_crm.server import audit
from desktop_crm.server import models as m
from desktop_crm.server.cli import main as server_main
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from tests.e2e.conftest import BOTH_DATABASES, PASSPHRASE, ClientProfile, E2EServer, run_cli
from tests.sync.harness import server_records


def _call(account_id: str, summary: str) -> Activity:
    return Activity(
        account_id=account_id,
        kind="call",
        direction="outbound",
        summary=summary,
        start_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )


def _save(profile: ClientProfile, record: Activity, user_id: str) -> None:
    assert profile.replica is not None and profile.engine is not None
    with profile.replica.engine.begin() as conn:
        store.save_local(conn, record, profile.engine.replica_id, user_id)


@BOTH_DATABASES
def test_restore_to_an_older_backup_under_two_live_clients(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    if "postgresql" in e2e_server.settings.database_url and shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    world = e2e_server.world
    database = ["--database", e2e_server.settings.database_url]
    one = ClientProfile(tmp_path / "one", e2e_server.url, "rep1")
    two = ClientProfile(tmp_path / "two", e2e_server.url, "rep2")
    profiles += [one, two]
    for p in profiles:
        p.open().sync_once()
    copy = tmp_path / "nightly.backup"
    assert server_main(["backup", "--to", str(copy), *database]) == 0  # while serving
    one.edit("contact", world.contacts["acc1"], title="synced after the backup")
    _save(two, _call(world.accounts["acc2"], "synced after the backup"), world.users["rep2"])
    for p in profiles:
        assert p.engine is not None
        p.engine.sync_once()
    one.edit("contact", world.contacts["acc1"], title="unsynced on one")
    unsynced = _call(world.accounts["acc2"], "unsynced on two")
    _save(two, unsynced, world.users["rep2"])

    e2e_server.live.stop()
    e2e_server.engine.dispose()
    assert server_main(["restore", "--from", str(copy), *database]) == 0
    e2e_server.live.start()

    summaries = []
    for p in profiles:
        assert p.engine is not None
        summaries.append(p.engine.sync_once())
    assert all(s.server_restored for s in summaries)
    records = server_records(e2e_server.engine)
    assert records[("contact", world.contacts["acc1"])]["data"]["title"] == "unsynced on one"
    assert records[("activity", unsynced.meta.id)]["data"]["summary"] == "unsynced on two"
    with e2e_server.engine.connect() as conn:
        rows = conn.execute(select(m.records.c.data).where(m.records.c.entity == "activity"))
        assert max(Counter(row.data for row in rows).values()) == 1
        assert audit.verify(conn).ok
    for p in profiles:
        assert p.engine is not None
        again = p.engine.sync_once()
        assert not again.resynced and again.pushed == 0


def test_profile_backup_stays_encrypted_and_opens_with_its_key(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    one = ClientProfile(tmp_path / "one", e2e_server.url, "rep1")
    profiles.append(one)
    one.open().sync_once()
    one.close()
    target = tmp_path / "one-backup.zip"
    done = run_cli("backup", "--profile", str(one.folder), "--to", str(target))
    assert done.returncode == 0, done.stderr
    assert target.stat().st_mode & 0o077 == 0
    restored = tmp_path / "restored"
    restored.mkdir()
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"replica.db", "replica.db.keyinfo.json", "settings.json"} <= names
        raw = archive.read("replica.db")
        archive.extractall(restored)
    assert not raw.startswith(b"SQLite format 3")
    for secret in ("Contact of acc1", "acc1@example.com", "Customer acc1"):
        assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw
    replica = open_replica(restored / "replica.db", Passphrase(PASSPHRASE))
    try:
        with replica.engine.connect() as conn:
            contact = store.read_record(conn, "contact", world.contacts["acc1"])
        assert contact is not None and contact.data["name"] == "Contact of acc1"
    finally:
        replica.close()
    # Bad input: the file exists, no such profile, the wrong passphrase. Nothing is written.
    again = run_cli("backup", "--profile", str(one.folder), "--to", str(target))
    assert again.returncode == 2 and "exists" in again.stderr
    missing = run_cli("backup", "--profile", str(tmp_path / "nobody"), "--to", str(tmp_path / "x"))
    assert missing.returncode == 2 and not (tmp_path / "x").exists()
    wrong = run_cli(
        "backup",
        "--profile",
        str(one.folder),
        "--to",
        str(tmp_path / "y.zip"),
        env={"DESKTOP_CRM_PASSPHRASE": "not the passphrase"},
    )
    assert wrong.returncode == 5 and not (tmp_path / "y.zip").exists()
