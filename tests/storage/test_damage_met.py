"""Damage met while an open replica is used (issue 14, item 8): SQLCipher fails a page whose
HMAC does not match when any statement reads it; the engine turns that into DamagedReplica in
one place, without the statement or its rows, and the transaction that met it is rolled back.
A full disk becomes ReplicaUnwritable the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_crm.storage.errors import DamagedReplica, ReplicaUnwritable
from desktop_crm.storage.replica import Replica, open_replica
from tests.storage.test_replica_open import _fill


def _flip16(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(replica: Replica) -> Path:
    """A checked, cleanly closed replica whose accounts table's root page was damaged since:
    the next open does not read that page (no full check is due) and succeeds; any statement
    on the accounts does."""
    _fill(replica)
    with replica.engine.connect() as conn:
        root = conn.execute(
            text("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'")
        ).scalar_one()
    replica.close()
    _flip16(replica.path, (root - 1) * 4096 + 1000)
    return replica.path


def _assert_plain(error: DamagedReplica, path: Path) -> None:
    message = str(error)
    assert error.path == path and str(path) in message and "damaged" in message
    assert "\n" not in message and "SELECT" not in message and "Account" not in message


def test_a_read_that_meets_a_damaged_page_raises_damaged_replica(damaged: Path) -> None:
    with open_replica(damaged) as rep:
        assert rep.page_check is not None and not rep.page_check.ran
        with pytest.raises(DamagedReplica) as info, rep.engine.connect() as conn:
            conn.execute(text("SELECT name, notes FROM accounts")).fetchall()
        _assert_plain(info.value, damaged)
    # The damage stays visible to the full check (SQLCipher keeps failing the connection that
    # met it, so this is a new session).
    with open_replica(damaged, verify_pages=False) as rep:
        assert rep.verify_pages() != []


def test_a_write_that_meets_a_damaged_page_is_rolled_back(damaged: Path) -> None:
    before = damaged.read_bytes()
    with open_replica(damaged) as rep:
        with pytest.raises(DamagedReplica), rep.writing() as conn:
            conn.execute(text("INSERT INTO tags(name, color) VALUES ('kept?', 'red')"))
            conn.execute(text("UPDATE accounts SET notes = 'x'"))  # reads the damaged root
    assert damaged.read_bytes() == before  # nothing was written to the file
    with open_replica(damaged) as rep, rep.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tags")).scalar_one() == 0


def test_a_full_disk_raises_replica_unwritable_and_keeps_what_was_stored(
    replica: Replica,
) -> None:
    _fill(replica, accounts=20)
    with replica.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL
        conn.commit()
        with pytest.raises(ReplicaUnwritable) as info, conn.begin():
            conn.execute(
                text("INSERT INTO tags(name, color) VALUES (:name, 'red')"),
                [{"name": f"tag {i} " + "x" * 500} for i in range(200)],
            )
        assert "the disk is full" in str(info.value) and "tag 1" not in str(info.value)
        # Savepoints too (SQLite rolled the whole transaction back itself).
        with pytest.raises(ReplicaUnwritable), conn.begin(), conn.begin_nested():
            conn.execute(
                text("INSERT INTO tags(name, color) VALUES (:name, 'red')"),
                [{"name": f"tag {i} " + "x" * 500} for i in range(200)],
            )
        conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
        conn.commit()
    with replica.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM accounts")).scalar_one() == 20
        assert conn.execute(text("SELECT count(*) FROM tags")).scalar_one() == 0
    assert replica.integrity_check() == []
