"""The idle pull's one read, made on the event loop instead of through the thread pool.

An idle pull reads one row (:data:`routes.sync.CALLER_AND_OPENING`: the caller's device and
user and the feed's opening) and, in the common case, nothing else. Sent through the thread
pool, that read cost more than the read itself: two thread switches, and a convoy on the GIL
(the sqlite3 module and psycopg release it around every call, and each time the worker thread
waits for the event loop to give it back); under a burst of clients the pool also grew,
thread by thread and connection by connection (docs/benchmarks.md, issue 12, "The idle
pull's read on the event loop"). Here the statement, compiled once, runs on a connection of its own:

- SQLite: on the loop itself (a read of a few index pages, tens of microseconds), in
  autocommit mode: the one statement is its own read transaction, so it sees one snapshot,
  as the route's transaction does. ``busy_timeout`` is 0 on this connection: a read that
  would have to wait for a lock (rare under WAL) is not waited for on the loop; the pull
  takes the thread pool then.
- PostgreSQL: on one psycopg :class:`~psycopg.AsyncConnection` per loop (worker) in
  autocommit (one statement, one snapshot under READ COMMITTED, as the route has it), so the
  loop serves other clients while the database answers; the reads that arrive meanwhile go
  out together as the next batch in pipeline mode (one round trip per batch).

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
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine

from desktop_crm.server.routes.sync import CALLER_AND_OPENING

log = logging.getLogger(__name__)

_NAMES = [str(column.key) for column in CALLER_AND_OPENING.selected_columns]
#: The row as :func:`auth.principal_of` and :func:`feed.pull_without_records` read it.
IdleRow: type[tuple[Any, ...]] = collections.namedtuple("IdleRow", _NAMES)  # type: ignore[misc]


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
        database = engine.url.database or ""
        #: An in-memory SQLite database lives in its connection: another one would be empty.
        self._off = not self._postgres and (
            database in ("", ":memory:") or "mode=memory" in database
        )
        self._sqlite: Any = None  # a sqlite3.Connection once made
        self._sqlite_lock = threading.Lock()  # used from one loop at a time, never waited on
        self._pg: _PostgresReads | None = None

    async def warm(self) -> None:
        """Open this loop's connection now (at a worker's start-up), not on the first pull:
        otherwise the first burst of clients after a start finds it being opened and every
        pull of that burst takes the thread pool, growing it thread by thread. A failure is
        only logged: the first pulls then open it, as without this."""
        if self._off:
            return
        try:
            if self._postgres:
                pool = self._pg
                if pool is None or pool.loop is not asyncio.get_running_loop():
                    pool = self._pg = _PostgresReads(asyncio.get_running_loop(), self._engine)
                await pool.open()
            elif self._sqlite is None:
                await to_thread.run_sync(self._connect_sqlite)
        except Exception:  # noqa: BLE001 - a pull opens it later, or takes the thread pool
            log.warning("could not open the idle read's connection at start-up", exc_info=True)

    async def read(self, user_id: str, device_id: str) -> tuple[Any, ...] | None:
        """The row for this caller (an :data:`IdleRow`), or None if it could not be read
        here (then read it the usual way)."""
        if self._off:
            return None
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
        pool = self._pg
        if pool is None or pool.loop is not loop:
            # A new loop (tests make one per client): the old loop's connections are its own.
            pool = self._pg = _PostgresReads(loop, self._engine)
        return await pool.read(self._sql, params)

    async def aclose(self) -> None:
        """Close this reader's connections (at shutdown)."""
        with self._sqlite_lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
        pool, self._pg = self._pg, None
        if pool is not None and pool.loop is asyncio.get_running_loop():
            await pool.aclose()


class _PostgresReads:
    """The idle reads of one loop on one autocommit connection, pipelined: the reads that
    arrive while a batch is at the database are sent together as the next batch (psycopg's
    pipeline mode: one flush, no wait between statements; the database runs them back to
    back), so a burst of pulls costs one round trip per batch, not one per pull."""

    def __init__(self, loop: asyncio.AbstractEventLoop, engine: Engine) -> None:
        self.loop = loop
        self._engine = engine
        self._connection: Any = None  # a psycopg.AsyncConnection once opened
        self._opening = False
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[list[Any]]]] = []
        self._sending: asyncio.Task[None] | None = None

    async def read(self, sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
        if self._connection is None:
            if self._opening:
                return None  # being opened for another read: not waited for
            await self.open()
        future: asyncio.Future[list[Any]] = self.loop.create_future()
        self._waiting.append((params, future))
        if self._sending is None:
            self._sending = self.loop.create_task(self._send(sql))
        rows = await future
        return rows[0] if len(rows) == 1 else None

    async def open(self) -> None:
        """Open the connection (if no read has opened it meanwhile)."""
        if self._connection is not None or self._opening:
            return
        # The driver module the engine has loaded (psycopg 3): no import of its own here,
        # so the desktop bundle, which leaves psycopg out, has nothing more to miss.
        driver: Any = self._engine.dialect.loaded_dbapi
        _args, kwargs = self._engine.dialect.create_connect_args(self._engine.url)
        self._opening = True
        try:
            self._connection = await driver.AsyncConnection.connect(**kwargs, autocommit=True)
        finally:
            self._opening = False

    async def _send(self, sql: str) -> None:
        try:
            while self._waiting and self._connection is not None:
                batch, self._waiting = self._waiting, []
                await self._send_batch(self._connection, sql, batch)
        finally:
            self._sending = None
            left, self._waiting = self._waiting, []  # the connection was dropped meanwhile
            for _params, future in left:
                if not future.done():
                    future.set_exception(ConnectionError("the idle read's connection dropped"))

    async def _send_batch(
        self,
        connection: Any,
        sql: str,
        batch: list[tuple[dict[str, Any], asyncio.Future[list[Any]]]],
    ) -> None:
        try:
            cursors = []
            async with connection.pipeline():  # every result has arrived when it ends
                for params, _future in batch:
                    cursors.append(await connection.execute(sql, params))
            for cursor, (_params, future) in zip(cursors, batch, strict=True):
                rows = await cursor.fetchall()
                if not future.done():  # not given up on (a client gone)
                    future.set_result(rows)
        except Exception as exc:  # noqa: BLE001 - each read falls back to the thread pool
            for _params, future in batch:
                if not future.done():
                    future.set_exception(exc)
            self._connection = None
            await _close_quietly(connection)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await _close_quietly(connection)


async def _close_quietly(connection: Any) -> None:
    try:
        await connection.close()
    except Exception:  # noqa: BLE001 - it is being dropped anyway
        log.debug("closing the idle read's connection failed", exc_info=True)
