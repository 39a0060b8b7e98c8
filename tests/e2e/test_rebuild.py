"""Rebuilding a damaged replica from the server (issue 14, item 8): the unsynced work is
exported, the damaged files are set aside untouched, and the same device's fresh first sync
over HTTP brings back everything the server holds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import text

from desktop_crm.client.rebuild import set_aside_damaged
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from tests.e2e.conftest import BOTH_DATABASES, PASSPHRASE, ClientProfile, E2EServer
from tests.sync.harness import assert_replica_matches_server


def _flip16(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _damage_accounts(replica: Path) -> None:
    with open_replica(replica, Passphrase(PASSPHRASE)) as opened, opened.engine.connect() as conn:
        root = int(
            conn.execute(
                text("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'")
            ).scalar_one()
        )
    _flip16(replica, (root - 1) * 4096 + 1000)


@BOTH_DATABASES
def test_rebuild_exports_unsynced_work_and_syncs_afresh(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    world = e2e_server.world
    laptop = ClientProfile(tmp_path / "laptop", e2e_server.url, "rep1")
    profiles.append(laptop)
    laptop.open().sync_once()
    device = laptop.profile.load_settings().device_id
    laptop.edit("contact", world.contacts["acc1"], title="Edited on the damaged laptop")
    laptop.close()
    replica = laptop.folder / "replica.db"
    _damage_accounts(replica)
    damaged_sha = hashlib.sha256(replica.read_bytes()).hexdigest()

    aside = set_aside_damaged(laptop.profile, PASSPHRASE)

    assert not laptop.profile.exists()
    assert aside.unreadable == [] and aside.exported["outbox"] == 1
    exported = json.loads(aside.export.read_text(encoding="utf-8"))
    assert "Edited on the damaged laptop" in json.dumps(exported["tables"]["outbox"])
    assert aside.export.stat().st_mode & 0o077 == 0
    moved = aside.folder / "replica.db"
    assert hashlib.sha256(moved.read_bytes()).hexdigest() == damaged_sha  # left as it was
    assert (aside.folder / "replica.db.keyinfo.json").exists()

    # The same device signs in again and makes a fresh first sync.
    summary = laptop.open().sync_once()
    assert summary.conflicts == 0 and summary.issues == 0
    assert laptop.profile.load_settings().device_id == device
    assert laptop.replica is not None
    assert_replica_matches_server(laptop.replica, e2e_server.engine, {world.accounts["acc1"]})
    assert laptop.replica.integrity_check() == []
