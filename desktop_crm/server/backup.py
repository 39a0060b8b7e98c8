"""``desktop-crm-server backup --to FILE`` and ``restore --from FILE``.

SQLite: SQLite's online backup API copies the database page by page under one read
transaction, so the copy is consistent while the server keeps serving (writers wait for it,
readers do not). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean`` (for
point-in-time recovery use the database's own WAL archiving, then ``admin new-epoch``).

A restore takes the database back in time, so the change-log numbers clients hold may name
changes it no longer has. It gives the server a new **epoch** (``server_state``), which every
cursor carries from then on (:func:`desktop_crm.server.feed.cursor_text`): a client presenting
a cursor from another epoch is told to take a fresh snapshot, and pushes its unsynced edits
first. The restore is recorded in the audit trail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import Engine, delete, insert
from sqlalchemy.engine import URL, make_url

from desktop_crm.server import audit, db
from desktop_crm.server import models as m
from desktop_crm.server.feed import EPOCH_KEY

#: Who the audit trail names for a backup or restore from the command line.
ACTOR = "server"
#: The first bytes of a SQLite database file.
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why (nothing was changed)."""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    epoch: str
    revision: str | None


def backup(url: str, target: Path) -> None:
    """Copy the database at ``url`` to ``target`` (a new file, owner-only)."""
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name (nothing was written)")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        if _is_sqlite(url):
            _sqlite_copy(_sqlite_path(url), partial)
        else:
            _run(pg_dump_command(url, partial))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: str, source: Path) -> RestoreResult:
    """Replace the database at ``url`` with the backup ``source``, bring its schema up to
    date and start a new epoch. Stop the server first."""
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    if _is_sqlite(url):
        _check_sqlite_backup(source)
        _sqlite_copy(source, _sqlite_path(url))
    else:
        _run(pg_restore_command(url, source))
    engine = db.make_engine(url)
    try:
        db.migrate(engine)
        epoch = new_epoch(engine, {"from": source.name})
        return RestoreResult(epoch, db.current_revision(engine))
    finally:
        engine.dispose()


def new_epoch(engine: Engine, detail: dict[str, object]) -> str:
    """Start a new epoch (after a restore, or after the database was put back by other means,
    such as PostgreSQL's point-in-time recovery): clients resnapshot at their next pull."""
    epoch = secrets.token_hex(8)
    with engine.connect() as conn, db.write_transaction(conn):
        conn.execute(delete(m.server_state).where(m.server_state.c.key == EPOCH_KEY))
        conn.execute(insert(m.server_state).values(key=EPOCH_KEY, value=epoch))
        audit.event(conn, ACTOR, None, "server.restore", {**detail, "epoch": epoch})
    return epoch


# SQLite ------------------------------------------------------------------------------------------


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("backup and restore need a SQLite database file")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup from ``source`` into ``target`` (created owner-only)."""
    if not source.is_file():
        raise BackupError(f"no database file {source}")
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, db.PRIVATE_FILE_MODE))
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # all pages in one step: one consistent read of the source
        finally:
            dst.close()
    finally:
        src.close()


def _check_sqlite_backup(source: Path) -> None:
    with source.open("rb") as file:
        if file.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise BackupError(f"{source} is not a SQLite backup of this server")
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "records", "change_log"} <= tables:
            raise BackupError(f"{source} is not a backup of this server's database")
        if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{source} is damaged (SQLite's quick check failed)")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} cannot be read: {exc}") from None
    finally:
        conn.close()


# PostgreSQL -------------------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, str | None]:
    """The libpq connection URI for a SQLAlchemy PostgreSQL URL, and the schema its
    ``search_path`` option names (dump and restore that schema only), if any."""
    parsed: URL = make_url(url)
    schema = None
    for option in parse_qs(f"o={parsed.query.get('options', '')}").get("o", []):
        for part in str(option).split():
            if part.startswith("-csearch_path="):
                schema = part.partition("=")[2].split(",")[0].strip('"')
    plain = parsed.set(drivername="postgresql")
    return plain.render_as_string(hide_password=False), schema


def pg_dump_command(url: str, target: Path) -> list[str]:
    dsn, schema = _libpq(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    if schema:
        command.append(f"--schema={schema}")
    return [*command, f"--dbname={dsn}"]


def pg_restore_command(url: str, source: Path) -> list[str]:
    dsn, schema = _libpq(url)
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    if schema:
        command.append(f"--schema={schema}")
    return [*command, f"--dbname={dsn}", str(source)]


def _run(command: Sequence[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)")
    result = subprocess.run(list(command), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # The message names the tool and its own words; the URL (and password) stay out.
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")
