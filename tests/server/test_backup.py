"""``desktop-crm-server backup`` and ``restore`` on SQLite (online backup while writing) and
PostgreSQL (pg_dump / pg_restore, run for real), the new epoch, and bad input."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from desktop_crm.server import audit, backup, db
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from desktop_crm.server.settings import Settings
from tests.server.conftest import World, change


def _count(engine: Engine, table: str = "records") -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(m.metadata.tables[table])) or 0)


def _title(engine: Engine, contact_id: str) -> str | None:
    with engine.connect() as conn:
        data = conn.scalar(select(m.records.c.data).where(m.records.c.id == contact_id))
    return json.loads(data).get("title") if data else None


def _edit_title(world: World, user: str, key: str, title: str, n: int) -> None:
    contact = world.contacts[key]
    replica = world.replicas[user]
    [result] = world.push(
        user,
        change(
            "contact",
            contact,
            {"title": title},
            base={"server": 1, replica: n - 1} if n > 1 else {"server": 1},
            new={"server": 1, replica: n},
        ),
    )
    assert result["status"] == "applied", result


def test_backup_and_restore_round_trip_with_a_new_epoch(
    world: World, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("sqlite") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    url = ["--database", settings.database_url]
    _edit_title(world, "rep1", "acc1", "in the backup", 1)
    before = world.pull_all("rep1")["cursor"]
    target = tmp_path / "server.backup"
    assert main(["backup", "--to", str(target), *url]) == 0
    assert target.stat().st_mode & 0o077 == 0 or not settings.database_url.startswith("sqlite")
    _edit_title(world, "rep1", "acc1", "after the backup", 2)
    assert _title(engine, world.contacts["acc1"]) == "after the backup"
    engine.dispose()  # the server is stopped for a restore
    assert main(["restore", "--from", str(target), *url]) == 0
    assert _title(engine, world.contacts["acc1"]) == "in the backup"
    with engine.connect() as conn:
        epoch = conn.scalar(select(m.server_state.c.value).where(m.server_state.c.key == "epoch"))
        assert epoch and audit.verify(conn).ok
        restored = audit.list_entries(conn, audit.AuditFilter(action="server"))
    assert restored[0]["action"] == "server.restore"
    # A cursor from before the restore asks for a fresh snapshot, whose cursor has the epoch.
    page = world.pull("rep1", before)
    assert page["resync_required"]
    _records, cursor = world.snapshot("rep1")
    assert cursor.endswith("." + epoch)
    after = world.pull("rep1", cursor)
    assert not after["resync_required"] and after["cursor"] == cursor
    assert world.pull("rep1", cursor.partition(".")[0])["resync_required"]  # no epoch: older
    # After a recovery by other means, a new epoch by hand.
    assert _new_epoch_by_hand(settings) == 0
    assert world.pull("rep1", cursor)["resync_required"]
    for bad in ("5.nothex", "5.", f"{cursor}x"):
        answer = world.client.get("/sync/pull", params={"cursor": bad}, headers=world.h("rep1"))
        assert answer.status_code == 400, bad


def _new_epoch_by_hand(settings: Settings) -> int:
    return main(["admin", "new-epoch", "--database", settings.database_url])


def test_sqlite_backup_is_consistent_while_writing(
    world: World, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the online backup API is SQLite's")
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        n = 1
        try:
            while not stop.is_set():
                _edit_title(world, "rep2", "acc2", f"edit {n}", n)
                n += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(3):
            backup.backup(settings.database_url, tmp_path / f"copy{n}.db")
    finally:
        stop.set()
        writer.join()
    assert not errors
    for n in range(3):
        copy = tmp_path / f"copy{n}.db"
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        copy_engine = db.make_engine(db.sqlite_url(copy))
        with copy_engine.connect() as c:
            assert audit.verify(c).ok  # every entry's record write is in the same copy
        copy_engine.dispose()


def test_bad_input_changes_nothing(
    world: World,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = ["--database", settings.database_url]
    records = _count(engine)
    assert main(["restore", "--from", str(tmp_path / "missing.db"), *url]) == 2
    assert "no backup file" in capsys.readouterr().err
    existing = tmp_path / "taken"
    existing.write_text("keep me", encoding="utf-8")
    assert main(["backup", "--to", str(existing), *url]) == 2
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert main(["backup", "--to", str(tmp_path / "no" / "such" / "dir.db"), *url]) == 2
    if settings.database_url.startswith("sqlite"):
        assert main(["restore", "--from", str(existing), *url]) == 2
        assert "not a SQLite backup" in capsys.readouterr().err
        other = tmp_path / "other.db"
        sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
        assert main(["restore", "--from", str(other), *url]) == 2
        assert "not a backup of this server" in capsys.readouterr().err
    else:
        assert main(["restore", "--from", str(existing), *url]) == 2
        assert "pg_restore failed" in capsys.readouterr().err
    assert _count(engine) == records


def test_postgres_commands_name_the_schema_and_keep_the_password_out_of_errors() -> None:
    url = "postgresql+psycopg://crm:s3cret@db.example:5432/crm?options=-csearch_path%3Dtenant1"
    dump = backup.pg_dump_command(url, Path("/backups/crm.dump"))
    assert dump[:4] == ["pg_dump", "--format=custom", "--no-owner", "--file=/backups/crm.dump"]
    assert "--schema=tenant1" in dump
    assert dump[-1].startswith("--dbname=postgresql://crm:s3cret@db.example:5432/crm")
    restore = backup.pg_restore_command(url, Path("/backups/crm.dump"))
    assert restore[:5] == [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
    ]
    assert restore[-1] == "/backups/crm.dump"
    plain = backup.pg_dump_command("postgresql+psycopg://crm@db/crm", Path("x"))
    assert not any(part.startswith("--schema") for part in plain)
