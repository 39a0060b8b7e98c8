"""Engines, transactions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, RootTransaction, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: Transaction-level advisory lock key held while change-log sequence numbers are handed out
#: on PostgreSQL: sequence numbers then become visible in order, so a pull cursor never skips
#: a change that commits late. (SQLite serializes writers anyway.)
CHANGE_LOG_LOCK = 0x43524D31  # "CRM1"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


#: The server's files hold password hashes and every customer's data: owner-only on POSIX.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> None:
    """Create a directory for the server's files owner-only (0700 on POSIX). An existing one
    keeps its mode (an administrator may have set it up on purpose); its files are 0600."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (0644 under the usual
    umask), and tighten an existing one and its ``-wal``/``-shm``. SQLite gives the ``-wal``
    and ``-shm`` files the database file's mode, so they follow."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite reports the missing folder
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
        return
    except FileExistsError:
        pass
    if os.name != "posix":
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o077:
                file.chmod(mode & PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine set up for this server's access pattern on either database."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        if ":memory:" not in url and "poolclass" not in kwargs:
            # Pooled: opening a file and running the PRAGMAs per request costs more than the
            # request's queries. Requests run on up to 40 threads, so allow as many connections.
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", 40)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, issue BEGIN, so SAVEPOINTs work and writers can
    take the write lock up front (``BEGIN IMMEDIATE``) instead of failing to upgrade a read."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("write", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait for, and fail on, the write lock
        else:
            # A deferred BEGIN takes no lock and cannot fail on one: skip the statement
            # machinery (it costs more than the read-only requests' queries).
            conn.connection.dbapi_connection.execute("BEGIN")  # type: ignore[union-attr]


@contextlib.contextmanager
def write_transaction(conn: Connection) -> Iterator[Connection]:
    """A read-write transaction that hands out change-log sequence numbers.

    SQLite: ``BEGIN IMMEDIATE`` (wait for the write lock rather than fail to upgrade later).
    PostgreSQL: an advisory lock so change-log entries commit in sequence order.
    """
    if conn.in_transaction():
        conn.rollback()
    conn.execution_options(write=True)
    try:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
            yield conn
    finally:
        conn.execution_options(write=False)


@contextlib.contextmanager
def short_write(conn: Connection) -> Iterator[RootTransaction]:
    """A read-write transaction that hands out no change-log sequence numbers (sign-in
    bookkeeping): ``BEGIN IMMEDIATE`` on SQLite, no advisory lock on PostgreSQL."""
    if conn.in_transaction():
        conn.rollback()
    conn.execution_options(write=True)
    try:
        with conn.begin() as transaction:
            yield transaction
    finally:
        conn.execution_options(write=False)


def _alembic_config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent)."""
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    with _dummy_config() as config:
        return ScriptDirectory.from_config(config).get_current_head()


@contextlib.contextmanager
def _dummy_config() -> Iterator[Config]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    yield config
