"""A server restored to an older backup while two replicas hold unsynced edits: both edits
reach the restored server, nothing is duplicated, and each sync says what happened."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from desktop_crm.domain.records import Activity
from desktop_crm.server import audit, backup
from desktop_crm.server import models as m
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import assert_replica_matches_server, server_records


def _call(account_id: str, summary: str) -> Activity:
    return Activity(
        account_id=account_id,
        kind="call",
        direction="outbound",
        summary=summary,
        start_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )


def test_restore_to_an_older_backup_keeps_both_replicas_unsynced_edits(
    server: ServerWorld, device: DeviceFactory, tmp_path: Path
) -> None:
    world = server.world
    acc1, acc2 = world.accounts["acc1"], world.accounts["acc2"]
    rep1, rep2 = device("rep1"), device("rep2")
    rep1.sync()
    rep2.sync()
    copy = tmp_path / "nightly.backup"
    backup.backup(server.settings.database_url, copy)
    # After the backup: more work reaches the server (and will be lost by the restore), and
    # the cursors of both replicas move past the backup's change-log head.
    rep1.edit("contact", world.contacts["acc1"], title="synced after the backup")
    rep1.sync()
    rep2.save(_call(acc2, "synced after the backup"))
    rep2.sync()
    # Then both work offline.
    rep1.edit("contact", world.contacts["acc1"], title="unsynced on rep1")
    call = rep2.save(_call(acc2, "unsynced on rep2"))
    assert rep1.outbox() == 1 and rep2.outbox() == 1

    backup.restore(server.settings.database_url, copy)
    # Others keep working on the restored server before our two come back: the change-log
    # head passes their old cursors, which only the epoch tells apart.
    for n in range(6):
        server.world.push(
            "rep3",
            {
                "change_id": f"rep3-{n}",
                "entity": "contact",
                "record_id": world.contacts["acc3"],
                "base_version": {"server": 1, "r3": n} if n else {"server": 1},
                "new_version": {"server": 1, "r3": n + 1},
                "changed_fields": ["title"],
                "deleted": False,
                "data": {"title": f"rep3 {n}"},
            },
        )

    first, second = rep1.sync(), rep2.sync()
    assert first.server_restored and second.server_restored
    assert "restored from a backup" in first.line()
    records = server_records(server.engine)
    assert records[("contact", world.contacts["acc1"])]["data"]["title"] == "unsynced on rep1"
    assert records[("activity", call.meta.id)]["data"]["summary"] == "unsynced on rep2"
    with server.engine.connect() as conn:
        summaries = Counter(
            row.data
            for row in conn.execute(
                select(m.records.c.data).where(m.records.c.entity == "activity")
            )
        )
        assert audit.verify(conn).ok
    assert max(summaries.values()) == 1  # nothing twice
    assert rep1.outbox() == 0 and rep2.outbox() == 0
    assert not rep1.conflicts() and not rep2.conflicts()
    assert_replica_matches_server(rep1, server.engine, {acc1})
    assert_replica_matches_server(rep2, server.engine, {acc2})
    # The next syncs are ordinary ones.
    assert not rep1.sync().server_restored and not rep2.sync().resynced
