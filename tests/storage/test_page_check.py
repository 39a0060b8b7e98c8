"""The occasional full page check: when opening reads every page, and what it leaves behind.

Every test proves whether the full check ran without timing it: a page that opening itself never
reads (the last one, account rows) is damaged, so an open that does not check every page succeeds
and one that does raises DamagedReplica — leaving the directory byte-identical.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_crm.storage.engine import connect
from desktop_crm.storage.errors import DamagedReplica, WrongKey
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import (
    OPEN_MARKER_SUFFIX,
    VERIFIED_AT_KEY,
    Replica,
    create_replica,
    open_replica,
)
from tests.storage.conftest import TEMPLATE_KEY, dir_snapshot
from tests.storage.test_replica_open import _expect_untouched, _fill, _flip


def _marker(path: Path) -> Path:
    return path.with_name(path.name + OPEN_MARKER_SUFFIX)


def _stamp(path: Path) -> str | None:
    """The recorded date of the last full check, read without changing anything."""
    conn = connect(path, TEMPLATE_KEY, mode="ro", immutable=True)
    try:
        row = conn.execute(
            "SELECT value FROM sync_state WHERE key = ?", (VERIFIED_AT_KEY,)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def _set_stamp(path: Path, value: str | None) -> None:
    conn = connect(path, TEMPLATE_KEY, mode="rw")
    try:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (VERIFIED_AT_KEY,))
        if value is not None:
            conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, ?)", (VERIFIED_AT_KEY, value)
            )
    finally:
        conn.close()


def _damage_unread_page(path: Path) -> None:
    size = path.stat().st_size
    assert size >= 8 * 4096
    _flip(path, size - 4096 + 1000)  # the last page: account rows, never read by opening


@pytest.fixture
def closed(replica: Replica) -> Path:
    """A replica with some accounts, checked and cleanly closed."""
    _fill(replica)
    replica.close()
    assert _stamp(replica.path) is not None
    assert not _marker(replica.path).exists()
    return replica.path


_CRASH = r"""
import os, sys
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import open_replica
rep = open_replica(sys.argv[1], RawKey.from_hex(sys.argv[2]))
if sys.argv[3] == "write":
    with rep.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO tags(name, color) VALUES ('crash', 'red')")
os._exit(3)
"""


def _crash(path: Path, *, write: bool) -> None:
    """A session in another process opens the replica (and writes a row) and dies unclosed."""
    result = subprocess.run(
        [sys.executable, "-c", _CRASH, str(path), TEMPLATE_KEY.hex(), "write" if write else "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr


def test_create_checks_and_records_the_date(tmp_path):
    path = tmp_path / "r.db"
    before = datetime.now(UTC) - timedelta(seconds=1)
    with create_replica(path, TEMPLATE_KEY) as rep:
        assert rep.page_check is not None and rep.page_check.ran
        assert _marker(path).exists()
    stamp = _stamp(path)
    assert stamp is not None and datetime.fromisoformat(stamp) >= before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db", "r.db.keyinfo.json"]


def test_first_open_checks_every_page(closed, tmp_path):
    # A replica written before the date was recorded (or whose date was lost).
    _set_stamp(closed, None)
    _damage_unread_page(closed)
    err = _expect_untouched(tmp_path, DamagedReplica, closed)
    assert "damaged" in str(err)
    assert _stamp(closed) is None  # nothing recorded by the failed open


def test_first_open_records_the_date(closed):
    _set_stamp(closed, None)
    with open_replica(closed) as rep:
        assert rep.page_check is not None
        assert rep.page_check.ran and rep.page_check.due == "no full page check is recorded"
    assert _stamp(closed) is not None
    with open_replica(closed) as rep:
        assert rep.page_check is not None and not rep.page_check.ran


def test_later_open_does_not_check_every_page(closed, tmp_path):
    _damage_unread_page(closed)  # bit rot after the last check
    db_before = closed.read_bytes()
    with open_replica(closed) as rep:
        assert rep.page_check is not None
        assert not rep.page_check.ran and rep.page_check.due is None
        assert rep.page_check.verified_at is not None
        assert rep.verify_pages() != []  # the damage is there; only the open skipped it
    assert closed.read_bytes() == db_before  # a quick open and close writes nothing
    # Asking for the check finds it, and changes nothing.
    _expect_untouched(tmp_path, DamagedReplica, closed, verify_pages=True)


def test_check_is_due_again_after_the_period(closed, tmp_path):
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    _set_stamp(closed, eight_days_ago.isoformat(timespec="seconds"))
    with open_replica(closed) as rep:
        assert rep.page_check is not None and rep.page_check.ran
        assert rep.page_check.due == f"the last full page check was on {eight_days_ago:%Y-%m-%d}"
    assert _stamp(closed) != eight_days_ago.isoformat(timespec="seconds")

    _set_stamp(closed, eight_days_ago.isoformat(timespec="seconds"))
    _damage_unread_page(closed)
    _expect_untouched(tmp_path, DamagedReplica, closed)
    # The period is configurable: a fresh date with a period of zero is expired too.
    _set_stamp(closed, datetime.now(UTC).isoformat(timespec="seconds"))
    _expect_untouched(tmp_path, DamagedReplica, closed, verify_every=timedelta(0))
    with open_replica(closed, verify_every=timedelta(days=1)) as rep:
        assert rep.page_check is not None and not rep.page_check.ran


@pytest.mark.parametrize("stamp", ["2999-01-01T00:00:00+00:00", "yesterday", ""])
def test_implausible_date_makes_the_check_due(closed, tmp_path, stamp):
    _set_stamp(closed, stamp)
    _damage_unread_page(closed)
    _expect_untouched(tmp_path, DamagedReplica, closed)


def test_unclean_shutdown_forces_the_check(closed, tmp_path):
    _crash(closed, write=False)  # opened, nothing written: only the marker shows it
    assert _marker(closed).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "replica.db",
        "replica.db.keyinfo.json",
        "replica.db.open",
    ]
    _damage_unread_page(closed)
    err = _expect_untouched(tmp_path, DamagedReplica, closed)  # the marker stays, too
    assert "damaged" in str(err)
    assert _marker(closed).exists()


def test_unclean_shutdown_check_passes_then_closes_cleanly(closed):
    _crash(closed, write=False)
    with open_replica(closed) as rep:
        assert rep.page_check is not None and rep.page_check.ran
        assert rep.page_check.due == "the previous session did not end cleanly"
    assert not _marker(closed).exists()
    with open_replica(closed) as rep:
        assert rep.page_check is not None and not rep.page_check.ran


def test_left_over_wal_forces_the_check(closed, tmp_path):
    _crash(closed, write=True)
    assert Path(f"{closed}-wal").stat().st_size > 0
    _marker(closed).unlink()  # even without the marker (lost, or an older program crashed)
    _damage_unread_page(closed)
    # The crashed session's -shm (SQLite's rebuildable WAL index, no data) is rebuilt by any
    # reader of the -wal; every other file stays byte-identical and no file appears or goes.
    before = dir_snapshot(tmp_path)
    with pytest.raises(DamagedReplica):
        open_replica(closed)
    after = dir_snapshot(tmp_path)
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if not k.endswith("-shm")} == {
        k: v for k, v in before.items() if not k.endswith("-shm")
    }


def test_left_over_wal_is_read_after_the_check(closed):
    _crash(closed, write=True)
    with open_replica(closed) as rep:
        assert rep.page_check is not None and rep.page_check.ran
        with rep.engine.connect() as conn:
            color = conn.execute(text("SELECT color FROM tags WHERE name = 'crash'")).scalar()
        assert color == "red"
    assert sorted(p.name for p in closed.parent.iterdir()) == [
        "replica.db",
        "replica.db.keyinfo.json",
    ]


def test_failed_open_writes_no_marker(closed, tmp_path):
    _expect_untouched(tmp_path, WrongKey, closed, RawKey.generate())
    assert not _marker(closed).exists()


def test_skipping_a_due_check_forgets_the_date(closed, tmp_path):
    _crash(closed, write=False)
    _damage_unread_page(closed)
    with open_replica(closed, verify_pages=False) as rep:
        assert rep.page_check is not None
        assert not rep.page_check.ran and rep.page_check.due is not None
        assert rep.page_check.verified_at is None
    # The session closed cleanly, but the check it skipped is still owed.
    assert not _marker(closed).exists()
    assert _stamp(closed) is None
    _expect_untouched(tmp_path, DamagedReplica, closed)


def test_skipping_a_check_that_is_not_due_keeps_the_date(closed):
    stamp = _stamp(closed)
    with open_replica(closed, verify_pages=False) as rep:
        assert rep.page_check is not None and rep.page_check.due is None
    assert _stamp(closed) == stamp


def test_verify_pages_records_the_date(closed):
    _set_stamp(closed, None)
    with open_replica(closed, verify_pages=False) as rep:
        assert rep.verify_pages() == []
    with open_replica(closed) as rep:
        assert rep.page_check is not None and not rep.page_check.ran


def test_two_sessions_at_once(closed):
    first = open_replica(closed)
    assert first.page_check is not None and not first.page_check.ran
    token = json.loads(_marker(closed).read_text())["token"]
    # The second open cannot tell a live session from a crashed one: it checks every page.
    second = open_replica(closed)
    assert second.page_check is not None and second.page_check.ran
    assert json.loads(_marker(closed).read_text())["token"] != token
    first.close()
    assert _marker(closed).exists()  # the second session's marker stays while it is open
    second.close()
    assert not _marker(closed).exists()
    first.close()  # closing twice is harmless
    with open_replica(closed) as rep:
        assert rep.page_check is not None and not rep.page_check.ran
    assert dir_snapshot(closed.parent).keys() == {"replica.db", "replica.db.keyinfo.json"}
