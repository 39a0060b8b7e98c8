"""The idle pull's one read, made on the event loop instead of through the thread pool.

An idle pull reads one row (:data:`routes.sync.CALLER_AND_OPENING`: the caller's device and
user and the feed's opening) and, in the common case, nothing else. Sent through the thread
pool, that read cost more than the read itself: two thread switches, and a convoy on the GIL
(the sqlite3 module and psycopg release it around every call, and each time the worker thread
waits for the event loop to give it back); under a burst of clients the pool also grew,
thread by thread and connection by connection (docs/benchmarks.md, issue 12, "The empty pull
on the event loop"). Here the statement, compiled once, runs on a connection of its own:

- SQLite: on the loop itself (a read of a few index pages, tens of microseconds), in
  autocommit mode: the one statement is its own read transaction, so it sees one snapshot,
  as the route's transaction does. ``busy_timeout`` is 0 on this connection: a read that
  would have to wait for a lock (rare under WAL) is not waited for on the loop; the pull
  takes the thread pool then.
- PostgreSQL: on a psycopg :class:`~psycopg.AsyncConnection` in autocommit (one statement,
  one snapshot under READ COMMITTED, as the route has it), so the loop serves other clients
  while the database answers.

:meth:`IdleReader.read` returns None whenever the read could not be made (no connection yet
on this loop, a lock, a dropped connection): the caller then does what it did before, the
whole pull on the thread pool. A failed connection is dropped and made again on a later pull.
Nothing is cached: every pull reads the device and user as they are now, so revoking a
device, disabling a user or changing a password takes effect on the next pull, as before.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
from typing import Any, NamedTuple

from anyio import to_thread
from sqlalchemy import Engine

from desktop_crm.server.routes.sync import CALLER_AND_OPENING

log = logging.getLogger(__name__)

_NAMES = [str(column.key) for column in CALLER_AND_OPENING.selected_columns]
#: The row as :func:`auth.principal_of` and :func:`feed.pull_without_records` read it.
IdleRow: type[tuple[Any, ...]] = collections.namedtuple("IdleRow", _NAMES)  # type: ignore[misc]


class _LoopConnection(NamedTuple):
    loop: asyncio.AbstractEventLoop
    #: A psycopg.AsyncConnection: it runs one statement at a time (its own lock); the rows
    #: come with the statement's answer, so fetching them waits for nothing.
    connection: Any


class IdleReader:
    """:data:`CALLER_AND_OPENING` for one engine, outside SQLAlchemy (one per app)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        compiled = CALLER_AND_OPENING.compile(dialect=engine.dialect)
        self._sql = compiled.string
        #: Every parameter's value but the caller's (the statement's constants).
        self._constants = compiled.construct_params({"user_id": "", "device_id": ""})
        #: Positional parameter names (SQLite's ``?``); None for named ones (psycopg).
        self._order = compiled.positiontup
        self._postgres = engine.dialect.name == "postgresql"
        self._sqlite: Any = None  # a sqlite3.Connection once made
        self._sqlite_lock = threading.Lock()  # used from one loop at a time, never waited on
        self._pg: _LoopConnection | None = None
        self._pg_connecting: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    async def read(self, user_id: str, device_id: str) -> tuple[Any, ...] | None:
        """The row for this caller (an :data:`IdleRow`), or None if it could not be read
        here (then read it the usual way)."""
        params = {**self._constants, "user_id": user_id, "device_id": device_id}
        try:
            if self._postgres:
                row = await self._read_postgres(params)
            else:
                row = await self._read_sqlite(params)
        except Exception:  # noqa: BLE001 - the usual way reads it (and reports any failure)
            log.debug("idle read failed; the thread pool reads it", exc_info=True)
            return None
        return None if row is None else IdleRow(*row)

    # SQLite -------------------------------------------------------------------------------

    async def _read_sqlite(self, params: dict[str, Any]) -> tuple[Any, ...] | None:
        if self._sqlite is None:
            await to_thread.run_sync(self._connect_sqlite)
        if not self._sqlite_lock.acquire(blocking=False):
            return None  # another loop is reading (tests run several): not waited for
        try:
            connection = self._sqlite
            if connection is None:
                return None
            assert self._order is not None
            try:
                # fetchall: the statement runs to its end, so its read transaction ends too.
                rows = connection.execute(self._sql, [params[n] for n in self._order]).fetchall()
            except Exception:
                self._sqlite = None
                connection.close()
                raise
        finally:
            self._sqlite_lock.release()
        return rows[0] if len(rows) == 1 else None

    def _connect_sqlite(self) -> None:
        with self._sqlite_lock:
            if self._sqlite is not None:
                return
            # Through the engine, so the connection is set up as every other (WAL, no
            # implicit BEGIN: autocommit), then taken out of the pool for good.
            pooled = self._engine.raw_connection()
            pooled.detach()
            connection = pooled.dbapi_connection
            assert connection is not None
            connection.execute("PRAGMA busy_timeout=0")  # never wait for a lock on the loop
            self._sqlite = connection

    # PostgreSQL ---------------------------------------------------------------------------

    async def _read_postgres(self, params: dict[str, Any]) -> tuple[Any, ...] | None:
        loop = asyncio.get_running_loop()
        current = self._pg
        if current is None or current.loop is not loop:
            current = await self._connect_postgres(loop)
        try:
            cursor = await current.connection.execute(self._sql, params)
            rows = await cursor.fetchall()
        except Exception:
            if self._pg is current:
                self._pg = None
            await _close_quietly(current.connection)
            raise
        return rows[0] if len(rows) == 1 else None

    async def _connect_postgres(self, loop: asyncio.AbstractEventLoop) -> _LoopConnection:
        if self._pg_connecting is None or self._pg_connecting[0] is not loop:
            self._pg_connecting = (loop, asyncio.Lock())
        async with self._pg_connecting[1]:
            current = self._pg
            if current is not None and current.loop is loop:
                return current
            import psycopg

            _args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
            connection = await psycopg.AsyncConnection.connect(**kwargs, autocommit=True)
            self._pg = _LoopConnection(loop, connection)
            return self._pg

    async def aclose(self) -> None:
        """Close this reader's connections (at shutdown)."""
        with self._sqlite_lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
        current, self._pg = self._pg, None
        if current is not None and current.loop is asyncio.get_running_loop():
            await _close_quietly(current.connection)


async def _close_quietly(connection: Any) -> None:
    try:
        await connection.close()
    except Exception:  # noqa: BLE001 - it is being dropped anyway
        log.debug("closing the idle read's connection failed", exc_info=True)
