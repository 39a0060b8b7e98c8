"""The idle pull's read on the event loop (:mod:`desktop_crm.server.idle_read`): each caller
gets its own row, also when many read at once (on PostgreSQL, pipelined in batches)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import create_engine

from desktop_crm.server.idle_read import IdleReader
from tests.server.conftest import World

USERS = ("rep1", "rep2", "rep3", "manager1", "manager2")


def test_concurrent_reads_each_get_their_caller_s_row(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = IdleReader(world.engine)
    batches: list[int] = []
    if reader._postgres:
        from desktop_crm.server import idle_read

        send_batch = idle_read._PostgresReads._send_batch

        async def counting(self: Any, connection: Any, sql: str, batch: list[Any]) -> None:
            batches.append(len(batch))
            await send_batch(self, connection, sql, batch)

        monkeypatch.setattr(idle_read._PostgresReads, "_send_batch", counting)

    async def run() -> list[Any]:
        first = world.users[USERS[0]], world.devices[USERS[0]]
        while await reader.read(*first) is None:  # the connection is opened by a first read
            await asyncio.sleep(0.01)
        callers = [(world.users[u], world.devices[u]) for u in USERS * 8]
        rows = await asyncio.gather(*(reader.read(*caller) for caller in callers))
        await reader.aclose()
        return list(zip(callers, rows, strict=True))

    for (user_id, device_id), row in asyncio.run(run()):
        assert row is not None
        assert (row.id, row.device_id) == (user_id, device_id)  # type: ignore[attr-defined]
        assert row.revoked_at is None and row.active  # type: ignore[attr-defined]
    if reader._postgres:
        assert sum(batches) == 1 + len(USERS) * 8
        assert max(batches) > 1  # the reads that arrived meanwhile went out together


def test_an_unknown_device_reads_as_no_caller(world: World) -> None:
    """The opening is always one row; the caller's columns are NULL for a device or user the
    token names but the database does not have (refused by ``principal_of``)."""
    reader = IdleReader(world.engine)

    async def run() -> Any:
        row = None
        for _ in range(100):
            row = await reader.read(world.users["rep1"], "no-such-device")
            if row is not None:
                break
            await asyncio.sleep(0.01)
        await reader.aclose()
        return row

    row = asyncio.run(run())
    assert row is not None and row.id is None and row.head_seq is not None


def test_an_in_memory_database_is_left_to_the_thread_pool() -> None:
    """Its data lives in one connection: a connection of the reader's own would be empty."""
    reader = IdleReader(create_engine("sqlite://"))
    assert asyncio.run(reader.read("u", "d")) is None


def test_a_warmed_reader_answers_a_first_burst_on_the_loop(world: World) -> None:
    """Opened at start-up (``warm``), the first burst of pulls is read on the loop: none of
    them finds the connection still being opened and falls back to the thread pool."""
    reader = IdleReader(world.engine)
    callers = [(world.users[u], world.devices[u]) for u in USERS * 4]

    async def run() -> list[Any]:
        await reader.warm()
        rows = await asyncio.gather(*(reader.read(*caller) for caller in callers))
        await reader.aclose()
        return list(rows)

    rows = asyncio.run(run())
    assert all(row is not None for row in rows)
    assert [row.id for row in rows] == [user_id for user_id, _device in callers]


def test_the_app_opens_the_idle_read_at_start_up(world: World) -> None:
    reader = world.client.app.state.idle_reader  # type: ignore[attr-defined]
    if reader._postgres:
        assert reader._pg is not None and reader._pg._connection is not None
    else:
        assert reader._sqlite is not None
