"""A first sync defers the random-order indexes and builds them after its last page
(storage/bulk_phase.py); stopped half-way, it builds them at once, and a re-snapshot of a
replica in use never drops them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from desktop_crm.domain.records import Activity
from desktop_crm.storage import bulk_phase
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.sync import engine as engine_module
from desktop_crm.sync.http_client import Offline
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, assert_replica_matches_server

DEFERRED = set(bulk_phase.DEFERRED_INDEXES)


def _indexes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {
            str(r[0])
            for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        }


def _pending(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return bulk_phase.pending(conn)


def _name_map_complete(engine: Engine) -> bool:
    """The name map holds every full-text row, as the load would have written it at once."""
    with engine.connect() as conn:
        mapped = conn.exec_driver_sql(
            "SELECT entity, record_id, fts_rowid FROM name_index_rows ORDER BY 1, 2"
        ).all()
        indexed = conn.exec_driver_sql(
            "SELECT entity, record_id, rowid FROM name_index ORDER BY 1, 2"
        ).all()
    return bool(indexed) and mapped == indexed


def _watch_pages(device: Device) -> list[set[str]]:
    """The replica's indexes each time the engine fetches a snapshot page."""
    seen: list[set[str]] = []
    real = device.client.snapshot_page

    def watching(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(_indexes(device.replica.engine))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    device.client.snapshot_page = watching  # type: ignore[method-assign]
    return seen


def _log_calls(server: ServerWorld, device: DeviceFactory, count: int) -> None:
    acc1 = server.world.accounts["acc1"]
    writer = device("rep1", "writer")
    writer.sync()
    for i in range(count):
        writer.save(
            Activity(
                account_id=acc1,
                kind="call",
                direction="outbound",
                summary=f"call {i}",
                start_at=datetime(2026, 3, 1, 9, i, tzinfo=UTC),
            )
        )
    writer.sync()


def test_first_sync_builds_the_deferred_indexes_after_its_last_page(
    server: ServerWorld, device: DeviceFactory
) -> None:
    _log_calls(server, device, 12)
    rep1 = device("rep1", "new", snapshot_limit=4)
    seen = _watch_pages(rep1)
    rep1.sync()
    assert len(seen) >= 3
    # From the second page on (the first is fetched as the phase starts: it may be either),
    # the deferred indexes are absent while pages are stored.
    assert all(not (DEFERRED & indexes) for indexes in seen[1:])
    assert DEFERRED <= _indexes(rep1.replica.engine)
    assert _pending(rep1.replica.engine) == {}
    assert _name_map_complete(rep1.replica.engine)
    assert_replica_matches_server(rep1, server.engine, {server.world.accounts["acc1"]})
    assert rep1.replica.integrity_check() == []


def test_a_first_sync_stopped_half_way_builds_the_indexes_at_once(
    server: ServerWorld, device: DeviceFactory
) -> None:
    _log_calls(server, device, 12)
    rep1 = device("rep1", "new", snapshot_limit=4)
    rep1.transport.plan.extend(["ok", "drop_response"])  # page 1 arrives, page 2's answer lost
    with pytest.raises(Offline):
        rep1.sync()
    assert len(rep1.records()) == 4
    assert DEFERRED <= _indexes(rep1.replica.engine)
    assert _pending(rep1.replica.engine) == {}
    # The next sync defers them again for the rest of the snapshot, and builds them at its end.
    seen = _watch_pages(rep1)
    rep1.sync()
    assert seen and all(not (DEFERRED & indexes) for indexes in seen)
    assert DEFERRED <= _indexes(rep1.replica.engine)
    assert _pending(rep1.replica.engine) == {}
    assert _name_map_complete(rep1.replica.engine)
    assert_replica_matches_server(rep1, server.engine, {server.world.accounts["acc1"]})


def test_a_resnapshot_keeps_the_indexes(server: ServerWorld, device: DeviceFactory) -> None:
    rep1 = device("rep1", "new", snapshot_limit=2)
    rep1.sync()
    # What the engine notes when the server answers ``resync_required`` (_resync).
    with rep1.replica.writer.begin() as conn:
        book.set_state(conn, engine_module.RESYNC_KEY, "0")
        book.set_state(conn, engine_module.RESYNC_PAGES_KEY, "0")
        book.delete_state(conn, engine_module.CURSOR_KEY)
    seen = _watch_pages(rep1)
    rep1.sync()
    assert seen and all(DEFERRED <= indexes for indexes in seen)
    assert _pending(rep1.replica.engine) == {}
