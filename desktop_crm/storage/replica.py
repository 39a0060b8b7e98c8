"""Creating and opening the encrypted replica.

Opening never changes anything before every check has passed, so a failure leaves the file and
its ``-wal`` byte-identical and creates no new files:

1. plain file checks: missing, empty, too short, plaintext SQLite header, text;
2. the key: from the caller, or as the key record says (keychain entry / passphrase);
3. a *read-only* connection (``mode=ro``, and ``immutable=1`` when there is no ``-wal``, so SQLite
   creates no ``-wal``/``-shm`` either) reads ``sqlite_master``: this is where a wrong key shows;
4. the schema revision in ``alembic_version`` must be one this program knows (else NewerSchema);
5. ``PRAGMA cipher_integrity_check`` checks the HMAC of every page (DamagedReplica), optional;
6. only then the read-write engine is made and Alembic upgrades to head in one transaction.

Telling a wrong key from a damaged file: SQLCipher answers both with "file is not a database"
when page 1 fails its HMAC check. The heuristic, in order: a file whose size is not a multiple of
512 bytes or whose first page has no NUL byte and decodes as UTF-8 is "not a database"; if page 1
fails but the key matches the key check value in the key record, page 1 is damaged; otherwise
the key is wrong (which also covers a random file of a plausible size — it is reported as "wrong
key, or not a replica"). Once page 1 opens, any later failure (bad HMAC on another page,
"malformed") means the file is damaged.

Creation writes a temporary file next to the target, migrates it, closes it and links it into
place without overwriting; a key is minted only when neither the file nor its key record exists.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import secrets
from pathlib import Path
from types import TracebackType

import sqlcipher3.dbapi2 as dbapi2
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from desktop_crm.storage import migrations
from desktop_crm.storage.engine import (
    DEFAULT_SETTINGS,
    EngineSettings,
    connect,
    create_replica_engine,
)
from desktop_crm.storage.errors import (
    DamagedReplica,
    KeyMissing,
    MigrationFailed,
    NewerSchema,
    NotADatabase,
    PassphraseRequired,
    PlaintextDatabase,
    ReplicaError,
    ReplicaExists,
    ReplicaNotFound,
    WrongKey,
)
from desktop_crm.storage.keys import (
    Keychain,
    KeyInfo,
    KeyMode,
    KeySource,
    Passphrase,
    RawKey,
    keyinfo_path,
    read_keyinfo,
    write_keyinfo,
)

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
_MIN_SIZE = 512
_AUX_SUFFIXES = ("-wal", "-shm", "-journal")

KeyArg = KeySource | Keychain | None


class Replica:
    """An open replica: an SQLAlchemy engine over the encrypted file."""

    def __init__(self, path: Path, engine: Engine, key_info: KeyInfo | None) -> None:
        self.path = path
        self.engine = engine
        self.key_info = key_info

    @property
    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return migrations.current_revision(conn)

    def integrity_check(self) -> list[str]:
        """Problems reported by ``PRAGMA integrity_check`` and ``cipher_integrity_check``.

        An empty list means the file is sound.
        """
        problems: list[str] = []
        with self.engine.connect() as conn:
            problems += [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
            try:
                rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            except DBAPIError as exc:
                rows = [str(exc.orig)]
            problems += [r for r in rows if r != "ok"]
        return problems

    def close(self) -> None:
        """Close every pooled connection (the last one checkpoints and removes the ``-wal``)."""
        self.engine.dispose()

    def __enter__(self) -> Replica:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Replica({str(self.path)!r})"


# Opening ------------------------------------------------------------------------------------


def open_replica(
    path: Path | str,
    key: KeyArg = None,
    *,
    settings: EngineSettings = DEFAULT_SETTINGS,
    upgrade: bool = True,
    verify_pages: bool = True,
) -> Replica:
    """Open an existing replica and upgrade its schema to the newest revision.

    ``key``: None to use what the key record says (the OS keychain), a :class:`Keychain` to use
    a particular one, or an explicit :class:`RawKey` / :class:`Passphrase`.
    ``verify_pages`` checks every page's HMAC before anything is written (reads the whole file).
    Raises a :class:`ReplicaError` subclass, leaving the files untouched, when it cannot.
    """
    path = Path(path)
    check_file(path)
    info = read_keyinfo(path)
    source = _resolve_key(path, info, key)
    revision = _verify(path, source, info, settings, verify_pages=verify_pages)
    engine = create_replica_engine(path, source, settings)
    try:
        if upgrade and revision != migrations.head_revision():
            migrate(engine, path=path)
    except BaseException:
        engine.dispose()
        raise
    return Replica(path, engine, info)


def check_file(path: Path) -> None:
    """Checks that need only the file's size and first bytes."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReplicaNotFound(f"There is no local data file at {path}.", path) from None
    if not path.is_file():
        raise NotADatabase(f"The path {path} is not a file.", path)
    if st.st_size == 0:
        raise NotADatabase(f"The local data file {path} is empty; it is not a database.", path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ReplicaError(
            f"The local data file {path} cannot be read ({exc.strerror}).", path
        ) from exc
    if head.startswith(SQLITE_HEADER):
        raise PlaintextDatabase(
            f"The file {path} is an ordinary, unencrypted SQLite database, not an encrypted "
            "replica of this program. It has not been opened or changed.",
            path,
        )
    if st.st_size < _MIN_SIZE or st.st_size % _MIN_SIZE:
        raise NotADatabase(
            f"The file {path} is not a database of this program (its size, {st.st_size} bytes, "
            "is not whole database pages). It may be another kind of file, or cut short.",
            path,
        )
    if _looks_like_text(head):
        raise NotADatabase(
            f"The file {path} is a text file, not a database of this program.",
            path,
        )


def _looks_like_text(head: bytes) -> bool:
    # An encrypted page is random bytes: 4 KiB of them without a single NUL that also decode as
    # UTF-8 essentially never happens.
    if b"\x00" in head:
        return False
    try:
        # final=False: a character cut in half at the end of the sample is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _resolve_key(path: Path, info: KeyInfo | None, key: KeyArg) -> KeySource:
    if isinstance(key, RawKey | Passphrase):
        return key
    if info is None:
        raise KeyMissing(
            f"The local data file {path} has no key record ({keyinfo_path(path).name}), so "
            "the key that opens it cannot be found. The file has been left untouched.",
            path,
        )
    if info.mode is KeyMode.KEYCHAIN:
        keychain = key if key is not None else Keychain()
        return keychain.load_key(info, path)
    if info.mode is KeyMode.PASSPHRASE:
        raise PassphraseRequired(
            f"The local data file {path} is protected by a passphrase; enter it to open the file.",
            path,
        )
    raise KeyMissing(
        f"The local data file {path} was created with a key supplied by the program that made "
        "it; that key must be given to open it.",
        path,
    )


def _aux(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _verify(
    path: Path,
    key: KeySource,
    info: KeyInfo | None,
    settings: EngineSettings,
    *,
    verify_pages: bool,
) -> str | None:
    """Key, schema revision and page checks on a read-only connection. Returns the revision."""
    wal, shm = _aux(path, "-wal"), _aux(path, "-shm")
    hot_wal = wal.exists()
    shm_existed = shm.exists()
    ok = False
    try:
        # Without a -wal everything is in the main file; immutable=1 then makes SQLite create
        # no -wal/-shm. With a -wal (unclean shutdown, or another process has it open) it must
        # be read, and SQLite may create a -shm, which is removed again if the checks fail.
        try:
            conn = connect(path, key, mode="ro", immutable=not hot_wal, settings=settings)
        except dbapi2.Error as exc:
            raise ReplicaError(
                f"The local data file {path} cannot be opened ({exc}).", path
            ) from exc
        try:
            revision = _check_contents(conn, path, key, info, verify_pages=verify_pages)
        finally:
            conn.close()
        ok = True
        return revision
    finally:
        if not ok and hot_wal and not shm_existed:
            with contextlib.suppress(OSError):
                shm.unlink()


def _check_contents(
    conn: dbapi2.Connection,
    path: Path,
    key: KeySource,
    info: KeyInfo | None,
    *,
    verify_pages: bool,
) -> str | None:
    try:
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master")}
    except dbapi2.DatabaseError as exc:
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        if "not a database" not in str(exc):
            raise _damaged(path, str(exc)) from exc
        if (
            info is not None
            and info.key_check is not None
            and isinstance(key, RawKey)
            and key.check_value() == info.key_check
        ):
            raise _damaged(path, "its first page cannot be decrypted with the right key") from exc
        what = "passphrase" if isinstance(key, Passphrase) else "key"
        raise WrongKey(
            f"The {what} does not open the local data file {path}: it is the wrong {what}, or "
            "the file is not a replica of this program. The file has been left untouched.",
            path,
        ) from exc
    try:
        revisions: list[str] = []
        if "alembic_version" in tables:
            revisions = [str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")]
        elif tables:
            raise NotADatabase(
                f"The file {path} is an encrypted database, but not a replica of this program.",
                path,
            )
        unknown = [r for r in revisions if r not in migrations.known_revisions()]
        if unknown:
            raise NewerSchema(
                f"The local data file {path} was written by a newer version of this program "
                f"(schema revision {unknown[0]!r}). Install the newer version to open it; the "
                "file has been left untouched.",
                path,
            )
        if verify_pages:
            problems = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
            if problems:
                raise _damaged(path, "; ".join(problems[:3]))
    except dbapi2.DatabaseError as exc:
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        raise _damaged(path, str(exc)) from exc
    return revisions[0] if revisions else None


def _is_busy(exc: dbapi2.DatabaseError) -> bool:
    message = str(exc).lower()
    return isinstance(exc, dbapi2.OperationalError) and ("locked" in message or "busy" in message)


def _busy(path: Path, exc: dbapi2.DatabaseError) -> ReplicaError:
    return ReplicaError(
        f"The local data file {path} is in use by another program ({exc}); close it and try again.",
        path,
    )


def _damaged(path: Path, detail: str) -> DamagedReplica:
    return DamagedReplica(
        f"The local data file {path} is damaged ({detail}). It has been left untouched; "
        "restore it from a backup or sync a fresh copy from the server.",
        path,
    )


# Migrations -------------------------------------------------------------------------------


def migrate(engine: Engine, revision: str = "head", *, path: Path | None = None) -> None:
    """Upgrade to ``revision`` in one transaction, with foreign keys off and checked after.

    Foreign keys are off because batch migrations rebuild tables (dropping a parent with
    ``ON DELETE CASCADE`` children would empty them); ``PRAGMA foreign_key_check`` runs before
    the commit, as SQLite's documentation for schema changes recommends.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if driver is None:  # pragma: no cover
            raise RuntimeError("no DB-API connection")
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                migrations.upgrade(conn, revision)
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise MigrationFailed(
                        "Upgrading the local data file left broken references "
                        f"({len(bad)} rows, first in table {bad[0][0]!r}); nothing was changed.",
                        path,
                    )
        except SQLAlchemyError as exc:
            raise MigrationFailed(
                f"Upgrading the local data file failed ({exc.__class__.__name__}: "
                f"{getattr(exc, 'orig', exc)}); nothing was changed.",
                path,
            ) from exc
        finally:
            driver.execute("PRAGMA foreign_keys = ON")


# Creation ---------------------------------------------------------------------------------


def create_replica(
    path: Path | str,
    key: KeyArg = None,
    *,
    settings: EngineSettings = DEFAULT_SETTINGS,
    revision: str = "head",
) -> Replica:
    """Create a new, empty replica at ``path`` (migrated to ``revision``) and open it.

    ``key``: None or a :class:`Keychain` to mint a random key into the OS keychain (raises
    :class:`PassphraseRequired` if there is no usable keychain), a :class:`Passphrase` from the
    user, or a :class:`RawKey` the caller keeps (tests, benchmarks). Never overwrites: raises
    :class:`ReplicaExists` if the file, its ``-wal`` or its key record is already there.
    """
    path = Path(path)
    _refuse_existing(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    minted: tuple[Keychain, str] | None = None
    source: KeySource
    if isinstance(key, RawKey):
        source, info = key, KeyInfo.new(KeyMode.EXTERNAL, key=key)
    elif isinstance(key, Passphrase):
        source, info = key, KeyInfo.new(KeyMode.PASSPHRASE)
    else:
        keychain = key if key is not None else Keychain()
        info = KeyInfo.new(KeyMode.KEYCHAIN, backend=keychain.backend_name)
        source = keychain.store_new_key(info.key_id, path)
        info = KeyInfo(
            mode=info.mode,
            key_id=info.key_id,
            created_at=info.created_at,
            backend=info.backend,
            key_check=source.check_value(),
        )
        minted = (keychain, info.key_id)

    tmp = path.with_name(f".{path.name}.creating-{secrets.token_hex(4)}")
    keyinfo_written = False
    linked = False
    try:
        engine = create_replica_engine(tmp, source, settings, mode="rwc")
        try:
            migrate(engine, revision, path=path)
        finally:
            engine.dispose()
        try:
            write_keyinfo(path, info)
        except FileExistsError:
            raise ReplicaExists(
                f"A key record for {path} appeared while it was being created; nothing was "
                "overwritten.",
                path,
            ) from None
        keyinfo_written = True
        _link_no_replace(tmp, path)
        linked = True
    finally:
        for p in (tmp, *(_aux(tmp, s) for s in _AUX_SUFFIXES)):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        if not linked:
            if keyinfo_written:
                with contextlib.suppress(FileNotFoundError):
                    keyinfo_path(path).unlink()
            if minted is not None:
                minted[0].delete_key(minted[1])
    return open_replica(
        path, source, settings=settings, upgrade=revision == "head", verify_pages=False
    )


def _refuse_existing(path: Path) -> None:
    for p in (path, *(_aux(path, s) for s in _AUX_SUFFIXES)):
        if p.exists():
            raise ReplicaExists(
                f"The file {p} already exists; a new local data file is not created over it.", path
            )
    if keyinfo_path(path).exists():
        raise ReplicaExists(
            f"The key record {keyinfo_path(path)} already exists although the data file does "
            "not; a new key is not created over it. Restore the data file or move the key "
            "record away.",
            path,
        )


def _link_no_replace(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except FileExistsError:
        raise ReplicaExists(
            f"The file {dst} appeared while it was being created; nothing was overwritten.", dst
        ) from None
    except OSError:
        # Filesystems without hard links: rename (the existence check above makes the window
        # in which another process could create dst tiny).
        if dst.exists():
            raise ReplicaExists(
                f"The file {dst} appeared while it was being created; nothing was overwritten.", dst
            ) from None
        os.replace(src, dst)


__all__ = [
    "Replica",
    "ReplicaError",
    "check_file",
    "create_replica",
    "migrate",
    "open_replica",
]
