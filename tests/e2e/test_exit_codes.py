"""Every failure of ``desktop-crm sync`` / ``lookup`` / ``open`` exits with its documented code
and one line on stderr without customer data (issue 14, items 7 and 8), through the real CLI
process against a real server.

Faults the test machine cannot make for real (tests run as root, so a read-only folder does not
stop them; no small disk to fill) are made by a seam in the child process: the program runs
with one function replaced (``run_cli_with``), and everything else is the real path. A full
disk inside SQLite is SQLite's own SQLITE_FULL, reached by capping the file's page count.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_crm.client import cli
from desktop_crm.client.error_log import ERROR_LOG
from desktop_crm.storage.errors import DamagedReplica
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from tests.e2e.conftest import (
    BOTH_DATABASES,
    PASSPHRASE,
    ClientProfile,
    E2EServer,
    child_env,
    run_cli,
)
from tests.storage.conftest import dir_snapshot

#: Names of customers the seeded server holds: none may appear on stderr.
CUSTOMER_WORDS = ("Customer acc1", "Contact of acc1", "secret notes")


def run_cli_with(seam: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``desktop-crm *args`` in a child process that first runs ``seam`` (Python code that
    replaces one function to make a fault happen)."""
    code = (
        textwrap.dedent(seam)
        + "\nimport sys\nfrom desktop_crm.app import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """The exit code, one ``desktop-crm:`` line on stderr (log warnings aside) naming
    ``words``, no traceback and no customer data."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("desktop-crm:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in CUSTOMER_WORDS:
        assert word not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def synced(e2e_server: E2EServer, tmp_path: Path) -> Path:
    """A profile of rep1 with 40 more accounts, synced once by the CLI."""
    e2e_server.seed_accounts("rep1", 40)
    profile = tmp_path / "profile"
    done = run_cli(*_sync_args(e2e_server, profile), "--server", e2e_server.url, "--user", "rep1")
    assert done.returncode == cli.EXIT_OK, done.stderr
    return profile


def _sync_args(e2e_server: E2EServer, profile: Path) -> list[str]:
    return ["sync", "--profile", str(profile), "--password-file",
            str(e2e_server.password_file("rep1"))]  # fmt: skip


def _flip16(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _accounts(profile: Path) -> int:
    with open_replica(profile / "replica.db", Passphrase(PASSPHRASE)) as replica:
        with replica.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM accounts")).scalar_one())


# Settings and URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "",
        "{not json",
        "[1, 2]",
        '{"server_url": 5}',
        '{"username": ["rep1"]}',
        '{"sync_interval_seconds": "soon"}',
        '{"sync_interval_seconds": true}',
    ],
    ids=["empty", "garbage", "array", "url-number", "user-list", "interval-text", "interval-bool"],
)
def test_unusable_settings_exit_2_and_stay(
    e2e_server: E2EServer, synced: Path, content: str
) -> None:
    settings = synced / "settings.json"
    settings.write_text(content, encoding="utf-8")
    before = dir_snapshot(synced)
    result = run_cli(*_sync_args(e2e_server, synced))
    assert_one_line(result, cli.EXIT_USAGE, "settings file", "settings.json")
    looked = run_cli("lookup", "1234", "--profile", str(synced))
    assert_one_line(looked, cli.EXIT_USAGE, "settings.json")
    assert dir_snapshot(synced) == before  # nothing rewritten or lost


def test_unusable_settings_stop_the_window_with_code_2(synced: Path) -> None:
    (synced / "settings.json").write_text("{", encoding="utf-8")
    result = run_cli(
        "open", "tel:+8613800138000", "--profile", str(synced),
        "--instance-name", f"exit-codes-{uuid.uuid4().hex[:8]}", "--exit-after", "0",
        env={"QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert_one_line(result, cli.EXIT_USAGE, "settings.json")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/crm", "127.0.0.1:8765", "http://"])
def test_a_server_url_that_is_not_http_exits_2(
    e2e_server: E2EServer, tmp_path: Path, url: str
) -> None:
    profile = tmp_path / "new"
    result = run_cli(*_sync_args(e2e_server, profile), "--server", url, "--user", "rep1")
    assert_one_line(result, cli.EXIT_USAGE, "not an http")
    assert not profile.exists()  # refused before anything was created


def test_an_ftp_url_in_the_settings_exits_2(e2e_server: E2EServer, synced: Path) -> None:
    settings = synced / "settings.json"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(e2e_server.url, "ftp://127.0.0.1"),
        encoding="utf-8",
    )
    result = run_cli(*_sync_args(e2e_server, synced))
    assert_one_line(result, cli.EXIT_USAGE, "server_url", "ftp://127.0.0.1")


# Files that cannot be written -------------------------------------------------------------------

#: The profile's settings cannot be replaced: ``errno`` is filled in per test.
_REFUSE_SETTINGS = """
import os
def _refuse(src, dst, *args, **kwargs):
    raise OSError({errno}, os.strerror({errno}), str(dst))
os.replace = _refuse
"""

#: Every replica connection is capped at the pages it has: SQLite answers SQLITE_FULL.
_FULL_REPLICA = """
import desktop_crm.storage.engine as engine
_connect = engine.connect
def _capped(path, key, **kwargs):
    conn = _connect(path, key, **kwargs)
    if kwargs.get("mode", "rw") != "ro":
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
    return conn
engine.connect = _capped
"""

#: The replica opens read-only, as in a read-only folder: SQLite answers SQLITE_READONLY.
_READ_ONLY_REPLICA = """
import desktop_crm.storage.engine as engine
_uri = engine.sqlite_uri
engine.sqlite_uri = lambda path, mode, immutable=False: _uri(path, "ro", immutable=immutable)
"""


@pytest.mark.parametrize(
    ("seam", "words"),
    [
        (_REFUSE_SETTINGS.format(errno="errno.ENOSPC"), "No space left on device"),
        (_REFUSE_SETTINGS.format(errno="errno.EROFS"), "Read-only file system"),
        (_FULL_REPLICA, "the disk is full"),
        (_READ_ONLY_REPLICA, "read-only"),
    ],
    ids=["settings-disk-full", "settings-read-only", "replica-disk-full", "replica-read-only"],
)
@BOTH_DATABASES
def test_a_file_that_cannot_be_written_exits_8_and_loses_nothing(
    e2e_server: E2EServer, synced: Path, seam: str, words: str
) -> None:
    before = _accounts(synced)
    e2e_server.seed_accounts("rep1", 30, seed=2)  # a pull that must grow the file
    refused = run_cli_with("import errno\n" + seam, *_sync_args(e2e_server, synced))
    assert_one_line(refused, cli.EXIT_FILES, words)
    assert _accounts(synced) == before  # the refused sync kept what was there
    done = run_cli(*_sync_args(e2e_server, synced))  # space freed: the next sync completes
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert _accounts(synced) == before + 30


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes into read-only folders; the seams above make the same faults",
)
def test_a_real_read_only_profile_folder_exits_8(e2e_server: E2EServer, synced: Path) -> None:
    mode = synced.stat().st_mode
    synced.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run_cli(*_sync_args(e2e_server, synced))
    finally:
        synced.chmod(mode)
    assert_one_line(result, cli.EXIT_FILES)


# Damage -------------------------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_damaged_page_sync_never_reads_exits_5_and_leaves_the_file(
    e2e_server: E2EServer, synced: Path
) -> None:
    # The last page holds account rows; a pull that brings nothing never reads it, and its
    # damage went unseen (exit 0, and the sync wrote its bookkeeping to the file).
    replica = synced / "replica.db"
    _flip16(replica, replica.stat().st_size - 4096 + 1000)
    before = dir_snapshot(synced)
    result = run_cli(*_sync_args(e2e_server, synced))
    assert_one_line(result, cli.EXIT_REPLICA, "damaged", str(replica))
    assert dir_snapshot(synced) == before


def test_a_damaged_page_met_by_lookup_exits_5(e2e_server: E2EServer, synced: Path) -> None:
    replica = synced / "replica.db"
    pages = replica.stat().st_size // 4096
    for page in range(2, pages):  # every page but the first: whatever lookup reads is damaged
        _flip16(replica, page * 4096 + 1000)
    before = dir_snapshot(synced)
    result = run_cli("lookup", "Customer", "--profile", str(synced))
    assert_one_line(result, cli.EXIT_REPLICA, "damaged")
    assert dir_snapshot(synced) == before


# lookup and internal errors -------------------------------------------------------------------


def test_lookup_found_is_0_and_no_match_is_9(synced: Path) -> None:
    with open_replica(synced / "replica.db", Passphrase(PASSPHRASE)) as replica:
        with replica.engine.connect() as conn:
            raw = conn.execute(text("SELECT raw FROM contact_phones LIMIT 1")).scalar_one()
    found = run_cli("lookup", str(raw), "--profile", str(synced))
    assert found.returncode == cli.EXIT_OK, found.stderr
    assert found.stdout.strip()
    missing = run_cli("lookup", "+1 202 555 0199 77", "--profile", str(synced))
    assert missing.returncode == cli.EXIT_NO_MATCH, (missing.stdout, missing.stderr)
    assert "No customer has the number" in missing.stdout
    assert missing.stderr == ""


_CRASH_IN_SEARCH = """
import desktop_crm.client.reading as reading
def _crash(*args, **kwargs):
    raise RuntimeError("Customer acc1: secret notes")  # a bug whose message quotes data
reading.search = _crash
"""


def test_an_unexpected_error_exits_7_with_the_traceback_in_the_log(synced: Path) -> None:
    result = run_cli_with(_CRASH_IN_SEARCH, "lookup", "1234", "--profile", str(synced))
    log = synced / ERROR_LOG
    assert_one_line(result, cli.EXIT_INTERNAL, "internal error (RuntimeError)", str(log))
    logged = log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "secret notes" in logged
    assert log.stat().st_mode & 0o077 == 0  # the log may hold customer data: owner only


@BOTH_DATABASES
def test_damage_met_during_a_sync_stops_it_before_it_writes(
    e2e_server: E2EServer, profiles: list[ClientProfile], tmp_path: Path
) -> None:
    a, b = (ClientProfile(tmp_path / name, e2e_server.url, "rep1") for name in ("a", "b"))
    profiles += [a, b]
    for p in profiles:
        p.open().sync_once()
    a.close()
    replica = a.folder / "replica.db"
    _flip16(replica, (_accounts_root(replica) - 1) * 4096 + 1000)
    account = e2e_server.world.accounts["acc1"]
    b.edit("account", account, name="Renamed elsewhere")
    assert b.engine is not None and b.engine.sync_once().issues == 0

    engine = a.open()  # no full page check is due: the open does not see the damage
    assert a.replica is not None and a.replica.page_check is not None
    assert not a.replica.page_check.ran
    files = dir_snapshot(a.folder)
    with pytest.raises(DamagedReplica) as info:
        engine.sync_once()  # the pulled account is written over the damaged table
    assert "damaged" in str(info.value) and "Renamed" not in str(info.value)
    # The page's transaction was rolled back: the data file is as it was and no frame reached
    # its -wal (SQLite's index, -shm, and an empty -wal come with any connection).
    after = dir_snapshot(a.folder)
    assert after["replica.db"] == files["replica.db"]
    assert not (a.folder / "replica.db-wal").exists() or (
        (a.folder / "replica.db-wal").stat().st_size == 0
    )
    assert {k for k in after if not k.startswith("replica.db-")} == {
        k for k in files if not k.startswith("replica.db-")
    }


def _accounts_root(replica: Path) -> int:
    with open_replica(replica, Passphrase(PASSPHRASE)) as opened, opened.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'")
            ).scalar_one()
        )
