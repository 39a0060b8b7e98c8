"""Creating and opening the encrypted replica.

Opening never changes anything before every check has passed, so a failure leaves the file and
its ``-wal`` byte-identical and creates no new files:

1. plain file checks: missing, empty, too short, plaintext SQLite header, text;
2. the key: from the caller, or as the key record says (keychain entry / passphrase);
3. a *read-only* connection (``mode=ro``, and ``immutable=1`` when there is no ``-wal``, so SQLite
   creates no ``-wal``/``-shm`` either) reads ``sqlite_master``: this is where a wrong key shows;
4. the schema revision in ``alembic_version`` must be one this program knows (else NewerSchema);
5. ``PRAGMA cipher_integrity_check`` checks the HMAC of every page (DamagedReplica) when the
   full page check is due (below);
6. only then the read-write engine is made and Alembic upgrades to head in one transaction;
7. last, the open marker is written and, after a full page check, its date is recorded.

The full page check reads the whole file (~8 ms per MB), so it runs only when it is due.
SQLCipher checks the HMAC of every page a session reads anyway, so damage in pages that are used
still surfaces as an error; the full check is about pages nobody reads. It is due when:

- the previous session did not end cleanly: its open marker ``<replica>.open`` (written after a
  successful open, removed by :meth:`Replica.close`) is still there, or a ``-wal`` was left;
- no full check vouches for the file: never checked, or the last check is older than
  ``verify_every`` (default :data:`FULL_CHECK_PERIOD`) or dated in the future.

``verify_pages=True`` forces the check and ``False`` skips it; skipping a check that was due
forgets the date of the last one, so the next ordinary open checks. The date lives inside the
database (``sync_state`` key :data:`VERIFIED_AT_KEY`, written only after the open succeeded), so
it travels with the file and a failed open writes nothing; the marker needs no key to be seen.

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
import dataclasses
import json
import logging
import os
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import sqlcipher3.dbapi2 as dbapi2
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from desktop_crm.storage import bulk_phase, revisions
from desktop_crm.storage.engine import (
    DEFAULT_SETTINGS,
    EngineSettings,
    connect,
    create_replica_engine,
    writer,
)
from desktop_crm.storage.errors import (
    DamagedReplica,
    KeyMissing,
    MigrationFailed,
    NewerSchema,
    NotADatabase,
    PassphraseRequired,
    PlaintextDatabase,
    ReplicaBusy,
    ReplicaError,
    ReplicaExists,
    ReplicaNotFound,
    WrongKey,
)
from desktop_crm.storage.keys import (
    SALT_BYTES,
    DerivedKey,
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

#: How long a full page check vouches for a cleanly closed replica.
FULL_CHECK_PERIOD = timedelta(days=7)
#: Suffix of the open marker: present while a session has the replica open (or after a crash).
OPEN_MARKER_SUFFIX = ".open"
#: ``sync_state`` key holding when every page was last checked (ISO 8601, UTC).
VERIFIED_AT_KEY = "replica.pages_verified_at"
# A clock that moved back a little (NTP) does not make a check "dated in the future".
_CLOCK_SLACK = timedelta(minutes=5)

KeyArg = KeySource | Keychain | None


@dataclasses.dataclass(frozen=True)
class PageCheck:
    """What opening did about the full page check (``PRAGMA cipher_integrity_check``)."""

    #: Why the check was due on this open (the policy's reason), or None if it was not.
    due: str | None
    #: Every page's HMAC was checked on this open (because it was due, or was asked for).
    ran: bool
    #: When the last full check that still vouches for the file was made (None: none does).
    verified_at: datetime | None


class Replica:
    """An open replica: an SQLAlchemy engine over the encrypted file."""

    def __init__(
        self,
        path: Path,
        engine: Engine,
        key_info: KeyInfo | None,
        *,
        page_check: PageCheck | None = None,
        session: str | None = None,
    ) -> None:
        self.path = path
        #: Reads (``engine.connect()``) and one-off work; see :meth:`writing` for edits.
        self.engine = engine
        #: The same engine for write transactions that take the lock when they start, so two
        #: threads' writers queue instead of failing (:func:`desktop_crm.storage.engine.writer`).
        self.writer = writer(engine)
        self.key_info = key_info
        #: What opening did about the full page check (None: made without open_replica).
        self.page_check = page_check
        self._session = session  # token in the open marker this replica wrote

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction (committed at the end of the block, rolled back on error).

        Raises :class:`ReplicaBusy` when another connection kept the write lock longer than
        the busy timeout (a very long sync page): nothing was written, try again.
        """
        try:
            with self.writer.begin() as conn:
                yield conn
        except OperationalError as exc:
            if isinstance(exc.orig, dbapi2.DatabaseError) and _is_busy(exc.orig):
                raise ReplicaBusy(
                    "The local data file is busy (a sync is writing to it); nothing was saved. "
                    "Try again in a moment.",
                    self.path,
                ) from exc
            raise

    @property
    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return revisions.current_revision(conn)

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
            except DamagedReplica as exc:  # the engine's translation of a damaged page
                rows = [str(exc.__cause__ or exc)]
            problems += [r for r in rows if r != "ok"]
        return problems

    def verify_pages(self) -> list[str]:
        """Check every page's HMAC now (``PRAGMA cipher_integrity_check``, reads the whole file).

        An empty list means every page is sound; that is recorded like a full check at open, so
        the next opens need not repeat it (e.g. run this on the worker while the user is idle).
        SQLCipher reads the main file directly (``-wal`` frames are checked when read): run it
        while nothing writes, as a checkpoint at the same time can make it report a sound page.
        """
        with self.engine.connect() as conn:
            problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check")]
        if not problems:
            _record_verified(self.engine, self.path, _utcnow())
        return problems

    def close(self) -> None:
        """Close every pooled connection (the last one checkpoints and removes the ``-wal``),
        then remove the open marker: the session ended cleanly."""
        self.engine.dispose()
        session, self._session = self._session, None
        if session is not None:
            _remove_marker(self.path, session)

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
    verify_pages: bool | None = None,
    verify_every: timedelta = FULL_CHECK_PERIOD,
) -> Replica:
    """Open an existing replica and upgrade its schema to the newest revision.

    ``key``: None to use what the key record says (the OS keychain), a :class:`Keychain` to use
    a particular one, or an explicit :class:`RawKey` / :class:`Passphrase`.
    ``verify_pages``: None checks every page's HMAC (reads the whole file) only when that is due
    (never checked, last check older than ``verify_every``, previous session not ended cleanly);
    True always checks, False never does. The check runs before anything is written.
    Raises a :class:`ReplicaError` subclass, leaving the files untouched, when it cannot.
    """
    path = Path(path)
    check_file(path)
    info = read_keyinfo(path)
    source = _derived_once(path, _resolve_key(path, info, key))
    unclean = _marker_path(path).exists()
    checked = _verify(
        path,
        source,
        info,
        settings,
        policy=_Policy(force=verify_pages, every=verify_every, unclean=unclean, now=_utcnow()),
    )
    engine = create_replica_engine(path, source, settings)
    try:
        if upgrade and checked.bulk_phase_left:
            # A first sync stopped in its bulk phase (killed): build the indexes it deferred,
            # at the revision that noted them, before any migration touches them. (Seen on
            # the read-only check: an open with nothing to do still opens no write connection.)
            bulk_phase.finish(writer(engine))
        if upgrade and checked.revision != revisions.head_revision():
            migrate(engine, path=path)
    except BaseException:
        engine.dispose()
        raise
    # Every check has passed: from here on, what is written is bookkeeping, never a failure.
    session = _write_marker(path)
    page_check = checked.page_check
    if page_check.ran and page_check.verified_at is not None:
        _record_verified(engine, path, page_check.verified_at)
    elif checked.stored_verified_at is not None and page_check.verified_at is None:
        _record_verified(engine, path, None)  # a due check was skipped: the next open checks
    return Replica(path, engine, info, page_check=page_check, session=session)


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


def _derived_once(path: Path, source: KeySource) -> KeySource:
    """A passphrase becomes the key it derives for this file (its salt): the check's connection
    and every pooled one then skip SQLCipher's KDF, which each would run again."""
    if not isinstance(source, Passphrase):
        return source
    try:
        with open(path, "rb") as fh:
            salt = fh.read(SALT_BYTES)
    except OSError as exc:
        raise ReplicaError(
            f"The local data file {path} cannot be read ({exc.strerror}).", path
        ) from exc
    return source.derive(salt)


def resolve_key(path: Path, key: KeyArg = None) -> KeySource:
    """The key that opens ``path``, as :func:`open_replica` finds it (key record, keychain)."""
    return _resolve_key(path, read_keyinfo(path), key)


def _resolve_key(path: Path, info: KeyInfo | None, key: KeyArg) -> KeySource:
    if isinstance(key, RawKey | Passphrase | DerivedKey):
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


@dataclasses.dataclass(frozen=True)
class _Policy:
    """When the full page check runs: ``force`` (verify_pages) or, if None, when it is due."""

    force: bool | None
    every: timedelta
    unclean: bool  # an earlier session's open marker is still there
    now: datetime

    def due(self, *, hot_wal: bool, verified_at: datetime | None) -> str | None:
        if self.unclean:
            return "the previous session did not end cleanly"
        if hot_wal:
            return "a -wal file was left behind (a session did not end cleanly, or is still open)"
        if verified_at is None:
            return "no full page check is recorded"
        if verified_at > self.now + _CLOCK_SLACK:
            return f"the last full page check is dated in the future ({verified_at:%Y-%m-%d})"
        if self.now - verified_at >= self.every:
            return f"the last full page check was on {verified_at:%Y-%m-%d}"
        return None


@dataclasses.dataclass(frozen=True)
class _Checked:
    revision: str | None
    page_check: PageCheck
    stored_verified_at: datetime | None  # the date found in the file before this open
    #: A first sync's bulk phase was left unfinished (killed): indexes to build on open.
    bulk_phase_left: bool = False


def _verify(
    path: Path,
    key: KeySource,
    info: KeyInfo | None,
    settings: EngineSettings,
    *,
    policy: _Policy,
) -> _Checked:
    """Key, schema revision and page checks on a read-only connection."""
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
            checked = _check_contents(conn, path, key, info, policy=policy, hot_wal=hot_wal)
        finally:
            conn.close()
        ok = True
        return checked
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
    policy: _Policy,
    hot_wal: bool,
) -> _Checked:
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
        what = "passphrase" if isinstance(key, Passphrase | DerivedKey) else "key"
        raise WrongKey(
            f"The {what} does not open the local data file {path}: it is the wrong {what}, or "
            "the file is not a replica of this program. The file has been left untouched.",
            path,
        ) from exc
    try:
        stored_revisions: list[str] = []
        if "alembic_version" in tables:
            stored_revisions = [
                str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")
            ]
        elif tables:
            raise NotADatabase(
                f"The file {path} is an encrypted database, but not a replica of this program.",
                path,
            )
        unknown = [r for r in stored_revisions if r not in revisions.known_revisions()]
        if unknown:
            raise NewerSchema(
                f"The local data file {path} was written by a newer version of this program "
                f"(schema revision {unknown[0]!r}). Install the newer version to open it; the "
                "file has been left untouched.",
                path,
            )
        stored = _read_verified_at(conn) if "sync_state" in tables else None
        bulk_phase_left = "sync_state" in tables and _bulk_phase_left(conn)
        due = policy.due(hot_wal=hot_wal, verified_at=stored)
        run = due is not None if policy.force is None else policy.force
        verified_at = stored if due is None else None
        if run:
            started = time.perf_counter()
            problems = [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]
            if problems:
                raise _damaged(path, "; ".join(problems[:3]))
            verified_at = policy.now
            log.info(
                "checked every page of %s in %.0f ms (%s)",
                path,
                (time.perf_counter() - started) * 1000,
                due or "asked for",
            )
        elif due is not None:
            log.warning("full page check of %s skipped although due (%s)", path, due)
    except dbapi2.DatabaseError as exc:
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        raise _damaged(path, str(exc)) from exc
    return _Checked(
        revision=stored_revisions[0] if stored_revisions else None,
        page_check=PageCheck(due=due, ran=run, verified_at=verified_at),
        stored_verified_at=stored,
        bulk_phase_left=bulk_phase_left,
    )


def _bulk_phase_left(conn: dbapi2.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sync_state WHERE key = ?", (bulk_phase.BULK_PHASE_KEY,)
    ).fetchone()
    return row is not None


def _read_verified_at(conn: dbapi2.Connection) -> datetime | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (VERIFIED_AT_KEY,)).fetchone()
    if row is None:
        return None
    try:
        value = datetime.fromisoformat(str(row[0]))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _record_verified(engine: Engine, path: Path, when: datetime | None) -> None:
    """Store (or, with None, forget) the date of the last full page check, in the file."""
    try:
        with engine.begin() as conn:
            if when is None:
                conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (VERIFIED_AT_KEY,))
            else:
                conn.exec_driver_sql(
                    "INSERT OR REPLACE INTO sync_state(key, value) VALUES (?, ?)",
                    (VERIFIED_AT_KEY, when.astimezone(UTC).isoformat(timespec="seconds")),
                )
    except (SQLAlchemyError, ReplicaError) as exc:  # ReplicaError: e.g. a full disk
        # Only bookkeeping: the next open checks every page again.
        log.warning("could not record the full page check of %s: %s", path, exc)


def _utcnow() -> datetime:
    return datetime.now(UTC)


# The open marker --------------------------------------------------------------------------


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + OPEN_MARKER_SUFFIX)


def _write_marker(path: Path) -> str | None:
    """Write the open marker (after a successful open); returns its token, None if it failed."""
    token = secrets.token_hex(8)
    record = {
        "format": 1,
        "token": token,
        "pid": os.getpid(),
        "opened_at": _utcnow().isoformat(timespec="seconds"),
    }
    try:
        marker = _marker_path(path)
        descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
    except OSError as exc:
        # Not fatal: a session that writes leaves a -wal if it crashes, which also triggers the
        # full check.
        log.warning("could not write the open marker of %s: %s", path, exc)
        return None
    return token


def _remove_marker(path: Path, token: str) -> None:
    """Remove the open marker if it is still this session's (another open may have replaced it)."""
    marker = _marker_path(path)
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        log.warning("the open marker %s is unreadable (%s); left in place", marker, exc)
        return
    if isinstance(record, dict) and record.get("token") == token:
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()


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
    from desktop_crm.storage import migrations  # Alembic: only when a migration is due

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
    elif isinstance(key, DerivedKey):
        raise ValueError("a replica is created with its passphrase, not a key derived for a file")
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
        # Created owner-only (0600 on POSIX) before SQLCipher opens it: SQLite gives the -wal
        # and -shm files the data file's permissions, so no copy of the data is ever readable
        # by other users.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
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
    # A new file is small: checking it records the date the period counts from.
    return open_replica(
        path, source, settings=settings, upgrade=revision == "head", verify_pages=True
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
    "FULL_CHECK_PERIOD",
    "PageCheck",
    "Replica",
    "ReplicaError",
    "check_file",
    "create_replica",
    "migrate",
    "open_replica",
]
