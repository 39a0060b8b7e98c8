"""SQLCipher connections and the SQLAlchemy engine over them.

Every connection is made here: the key is its *first* statement, then ``temp_store = MEMORY``
(temporary tables and sort files never reach the disk in plaintext), and for writable connections
``journal_mode = WAL``, ``foreign_keys = ON``, ``synchronous`` and ``cache_size``.

The engine is ``create_engine("sqlite://", creator=…, module=sqlcipher3.dbapi2)``: the
``sqlite+pysqlcipher`` dialect would send an empty key before ours when given a ``creator``.

Transactions: connections run with ``isolation_level=None`` (the DB-API module never opens
transactions by itself, so PRAGMAs such as ``journal_mode`` take effect) and a ``begin`` event
emits ``BEGIN`` whenever SQLAlchemy starts a transaction — the recipe from SQLAlchemy's pysqlite
notes ("Serializable isolation / Savepoints / Transactional DDL"). So ``engine.begin()`` and
``Connection.begin_nested()`` (SAVEPOINT) behave as documented, DDL included. Do not use the
``isolation_level`` execution option on this engine; it would switch implicit transactions back on.

Write transactions of the application go through :func:`writer` (``BEGIN IMMEDIATE``): the
window's replica worker and the sync thread each hold a connection, and a deferred transaction
that reads, then writes, fails at once with "database is locked" when the other connection
committed in between (SQLite cannot upgrade a stale read snapshot, and does not wait). Taking
the write lock when the transaction starts makes the second writer wait (``busy_timeout``) and
then see the first one's commit. Reads stay deferred and never wait for a writer (WAL).

Errors of the file itself are translated in one place, :func:`replica_error` (the engine's
``handle_error`` event): SQLCipher answers a page whose HMAC fails with SQLITE_CORRUPT
("database disk image is malformed") whenever any statement reads it, and that becomes
:class:`DamagedReplica`; a full disk or a read-only folder becomes :class:`ReplicaUnwritable`.
Both carry a plain sentence without the statement or its parameters (which hold customer data),
and the transaction that met them is rolled back: nothing is written after the damage is seen.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

import sqlcipher3.dbapi2 as dbapi2
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import QueuePool

from desktop_crm.storage.errors import DamagedReplica, ReplicaError, ReplicaUnwritable
from desktop_crm.storage.keys import KeySource

log = logging.getLogger(__name__)

OpenMode = Literal["ro", "rw", "rwc"]


_SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")


def _as_is(value: None) -> None:
    return value


# Binding a parameter whose type is not exactly int, float, str or bytes asks the module's
# adapter registry, and this module (sqlcipher3 2.6) then looks for ``__adapt__`` and
# ``__conform__`` by raising and clearing AttributeError twice: ≈ 0.9 µs a value, for every
# bool and None, which made up about a third of the bulk loader's instructions. A registered
# adapter is one dictionary lookup and call; what is bound stays the same (a bool binds as the
# integer it is, None as NULL). Process-wide: every connection of the module gains.
dbapi2.register_adapter(bool, int)
dbapi2.register_adapter(type(None), _as_is)


@dataclasses.dataclass(frozen=True)
class EngineSettings:
    """Connection tuning; the defaults suit the desktop client."""

    #: ``PRAGMA cache_size``: negative = KiB (-65536 = 64 MiB per connection, allocated lazily).
    cache_size: int = -65536
    #: ``PRAGMA synchronous``: FULL keeps the last commit across a power cut; NORMAL is faster
    #: in WAL mode and still never corrupts the file.
    synchronous: str = "FULL"
    #: Seconds a statement waits for another connection's lock before failing.
    busy_timeout: float = 5.0
    #: Statement that opens a transaction ("BEGIN" or "BEGIN IMMEDIATE").
    begin: str = "BEGIN"
    pool_size: int = 5
    max_overflow: int = 5
    echo: bool = False

    def __post_init__(self) -> None:
        if self.synchronous.upper() not in _SYNCHRONOUS_LEVELS:
            raise ValueError(f"unknown synchronous setting {self.synchronous!r}")
        if self.begin.upper() not in ("BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE"):
            raise ValueError(f"unknown begin statement {self.begin!r}")


DEFAULT_SETTINGS = EngineSettings()

#: Execution option naming the statement that opens a transaction on this connection.
BEGIN_OPTION = "desktop_crm_begin"
_BEGIN_STATEMENTS = ("BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE")
#: Execution option: the ``PRAGMA synchronous`` a transaction commits with (the engine's
#: setting when absent). Set on the connection before its ``BEGIN``, and set back by the next
#: transaction that does not ask for it.
SYNCHRONOUS_OPTION = "desktop_crm_synchronous"
_SYNCHRONOUS_INFO = "desktop_crm_synchronous"


#: SQLite primary result codes (the low byte of ``sqlite_errorcode``) that mean the file's
#: contents are damaged: SQLITE_CORRUPT (also SQLCipher's answer to a failed page HMAC) and
#: SQLITE_NOTADB.
_DAMAGED_CODES = frozenset({11, 26})
#: Codes that mean the file or its folder refused a read or write, with the reason in words.
_UNWRITABLE_CODES = {
    3: "permission denied",  # SQLITE_PERM
    8: "the file or its folder is read-only",  # SQLITE_READONLY
    10: "a disk input/output error",  # SQLITE_IOERR
    13: "the disk is full",  # SQLITE_FULL
    14: "the file or its folder cannot be opened for writing",  # SQLITE_CANTOPEN
}


def replica_error(error: BaseException, path: Path) -> ReplicaError | None:
    """The plain error for a DB-API ``error`` that is about the replica file itself (damage,
    full disk, read-only folder), or None for any other error (busy, a bug in a statement)."""
    if not isinstance(error, dbapi2.DatabaseError):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _DAMAGED_CODES:
        return DamagedReplica(
            f"The local data file {path} is damaged ({error}). Nothing more was written to it; "
            "it has been left as it is. Rebuild it from the server (your unsynced work is "
            "exported first) or restore it from a backup.",
            path,
        )
    if primary in _UNWRITABLE_CODES:
        return ReplicaUnwritable(
            f"The local data file {path} cannot be written: {_UNWRITABLE_CODES[primary]}. "
            "Nothing was lost; free some space or make the folder writable, then try again.",
            path,
        )
    return None


def _cause_of_rollback(error: BaseException) -> ReplicaError | None:
    """The replica error a failed rollback happened while handling, if any.

    After SQLITE_FULL or SQLITE_CORRUPT SQLite may roll the whole transaction back itself (its
    documented behaviour), so the ``ROLLBACK TO SAVEPOINT`` that follows fails with "no such
    savepoint"; the error worth reporting is the one that caused it."""
    seen = 0
    cause = error.__context__
    while cause is not None and seen < 5:
        if isinstance(cause, ReplicaError):
            return cause
        cause, seen = cause.__context__, seen + 1
    return None


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock when they start."""
    return engine.execution_options(**{BEGIN_OPTION: "BEGIN IMMEDIATE"})


def replayable_writer(engine: Engine) -> Engine:
    """:func:`writer` for transactions whose loss in a power cut is harmless because they are
    repeated anyway (the sync engine's: a pulled page with its cursor, push answers): they
    commit with ``synchronous = NORMAL``, without waiting for an fsync.

    In WAL mode SQLite checksums the log's frames in a chain and recovery stops at the first
    bad one, so a power cut can only lose a *suffix* of the commits since the last fsync, never
    an earlier commit (a user's edit, committed with the engine's FULL, fsyncs the log up to
    itself), and never corrupts the file. Losing a suffix of sync commits is what a kill -9 at
    an earlier moment does: the next sync pulls the page again and pushes the changes again
    (the server answers ``already_applied``)."""
    return engine.execution_options(
        **{BEGIN_OPTION: "BEGIN IMMEDIATE", SYNCHRONOUS_OPTION: "NORMAL"}
    )


def sqlite_uri(path: Path, mode: OpenMode, *, immutable: bool = False) -> str:
    params: dict[str, str] = {"mode": mode}
    if immutable:
        params["immutable"] = "1"
    return Path(path).resolve().as_uri() + "?" + urlencode(params)


def connect(
    path: Path,
    key: KeySource,
    *,
    mode: OpenMode = "rw",
    immutable: bool = False,
    settings: EngineSettings = DEFAULT_SETTINGS,
) -> dbapi2.Connection:
    """A configured SQLCipher DB-API connection in autocommit mode.

    Read-only connections (``mode="ro"``) only get the key and ``temp_store``; they change
    nothing in the file. ``immutable=True`` additionally makes SQLite create no ``-wal``/``-shm``
    files (only valid while no ``-wal`` file exists). The key is not checked here: the first
    statement that reads the file fails with ``file is not a database`` if it is wrong.
    """
    conn = dbapi2.connect(
        sqlite_uri(path, mode, immutable=immutable),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=settings.busy_timeout,
    )
    try:
        conn.execute(key.pragma())  # must be the first statement on the connection
        conn.execute("PRAGMA temp_store = MEMORY")
        if mode != "ro":
            journal = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if journal is None or str(journal[0]).lower() != "wal":
                log.warning("WAL journal mode refused for %s (got %r)", path, journal)
            conn.execute("PRAGMA foreign_keys = ON")
            # Freed cells and pages are zeroed, so an erased person's text is gone from the
            # file, not only unlinked (storage/erasure.py).
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute(f"PRAGMA synchronous = {settings.synchronous.upper()}")
            conn.execute(f"PRAGMA cache_size = {int(settings.cache_size)}")
    except BaseException:
        conn.close()
        raise
    return conn


def create_replica_engine(
    path: Path,
    key: KeySource,
    settings: EngineSettings = DEFAULT_SETTINGS,
    *,
    mode: Literal["rw", "rwc"] = "rw",
) -> Engine:
    """An SQLAlchemy engine whose every pooled connection comes from :func:`connect`."""
    path = Path(path)

    def creator() -> dbapi2.Connection:
        return connect(path, key, mode=mode, settings=settings)

    engine = create_engine(
        "sqlite://",
        creator=creator,
        module=dbapi2,
        poolclass=QueuePool,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        echo=settings.echo,
    )
    begin_statement = settings.begin.upper()
    default_synchronous = settings.synchronous.upper()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        statement = str(options.get(BEGIN_OPTION, begin_statement))
        if statement.upper() not in _BEGIN_STATEMENTS:
            raise ValueError(f"unknown begin statement {statement!r}")
        synchronous = str(options.get(SYNCHRONOUS_OPTION, default_synchronous)).upper()
        info = conn.connection.info
        if info.get(_SYNCHRONOUS_INFO, default_synchronous) != synchronous:
            if synchronous not in _SYNCHRONOUS_LEVELS:
                raise ValueError(f"unknown synchronous setting {synchronous!r}")
            conn.exec_driver_sql(f"PRAGMA synchronous = {synchronous}")
            info[_SYNCHRONOUS_INFO] = synchronous
        conn.exec_driver_sql(statement)

    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> None:
        translated = replica_error(context.original_exception, path) or _cause_of_rollback(
            context.original_exception
        )
        if translated is not None:
            # Raised instead of SQLAlchemy's error, whose text quotes the statement and its
            # parameters; the original stays chained for the log.
            raise translated from context.original_exception

    return engine
