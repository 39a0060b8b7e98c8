"""Sync benchmark: the client's first sync into the encrypted replica, and an incremental
round trip, against a real ``desktop-crm-server serve`` process on loopback.

    python -m bench --only sync                 # quick: 2k accounts, 6k contacts, 20k activities
    python -m bench --only sync --sizes 100000  # full: 100k / 300k / 1M

``sizes`` are account counts; each account has 3 contacts and 10 activities.

- first sync: ``SyncEngine.sync_once()`` into a fresh SQLCipher replica (raw key) — snapshot
  pages over HTTP (gzip), parsing, and the bulk loader; records/s, wall time, and the client
  process's peak RSS (``ru_maxrss``, which includes the interpreter and libraries). Objects
  alive before it are frozen out of garbage collection first, as the application does once its
  window is up (``app.py``); without that, each full collection during the sync also walks
  every module of this process (the server's included), about 0.1 s per first sync here.
- round trip: a second device of another user pushed 100 edits; this device has 100 local
  edits of its own; one ``sync_once()`` pulls those 100 and pushes these 100 (median of 7).
"""

from __future__ import annotations

import gc
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.server_process import running_server
from bench.table import Table
from desktop_crm.domain import demo_data
from desktop_crm.domain.records import SyncedRecord
from desktop_crm.protocol.messages import MAX_SNAPSHOT_PAGE, LoginRequest, Role
from desktop_crm.server import bulk, db, directory
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica
from desktop_crm.sync.engine import SyncEngine
from desktop_crm.sync.http_client import SyncClient

QUICK_SIZES = (2_000,)
ROUND_TRIP_ACCOUNTS = 300
ROUND_TRIPS = 7


def _records(seed: int, accounts: int, owner: str) -> Iterator[SyncedRecord]:
    """Each account with 3 contacts and 10 activities."""
    return demo_data.generate(
        seed=seed,
        accounts=accounts,
        owner_ids=[owner],
        contacts_per_account=(3, 3),
        opportunities_per_account=(0, 0),
        activities_per_account=(10, 10),
    )


def _seed(url: str, accounts: int) -> int:
    engine = db.make_engine(url)
    db.migrate(engine)
    with engine.connect() as conn, db.write_transaction(conn):
        big = directory.create_user(conn, "big", "pw", Role.REP, "bench")
        small = directory.create_user(conn, "small", "pw", Role.REP, "bench")
        count = bulk.load_records(conn, _records(1, accounts, big), "b")
        bulk.load_records(conn, _records(2, ROUND_TRIP_ACCOUNTS, small), "b")
    engine.dispose()
    return count


def _device(base: str, user: str, folder: Path, name: str) -> tuple[SyncEngine, SyncClient, str]:
    client = SyncClient(base, timeout=httpx.Timeout(300.0, connect=5.0))
    login = client.login(LoginRequest(username=user, password="pw", device_name=name))
    replica = create_replica(folder / f"{name}.db", RawKey.generate())
    engine = SyncEngine(
        replica.engine,
        client,
        login.replica_id,
        user_id=login.user_id,
        snapshot_limit=MAX_SNAPSHOT_PAGE,
    )
    return engine, client, login.replica_id


def _edit_contacts(engine: SyncEngine, replica_id: str, offset: int, n: int, tag: str) -> None:
    db_engine = engine._db  # noqa: SLF001 - the benchmark edits the replica directly
    with db_engine.begin() as conn:
        contacts = store.contacts.list(conn, limit=n, offset=offset)
        for contact in contacts:
            contact.title = f"{tag} {time.perf_counter_ns()}"
            store.save_local(conn, contact, replica_id, "")


@dataclass(slots=True)
class RoundTrips:
    """Per round trip: wall seconds, the client's CPU seconds (this process), the server's."""

    wall: list[float] = field(default_factory=list)
    client_cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    #: Wall seconds of syncs with nothing to do, after the round trips.
    idle: list[float] = field(default_factory=list)

    def median_ms(self) -> float:
        return statistics.median(self.wall) * 1000

    def best_ms(self) -> float:
        return min(self.wall) * 1000


def round_trips(
    base: str, folder: Path, count: int, server_cpu: Callable[[], float]
) -> RoundTrips:
    """``count`` round trips of the user "small" (seeded by :func:`_seed`): another device
    pushes 100 edits, this one has 100 of its own; one ``sync_once()`` pulls those and pushes
    these (and pulls the echoes of its previous push). Then as many syncs with nothing to do.
    CPU: ``time.process_time`` here, ``server_cpu()`` there."""
    mine, mine_client, mine_rid = _device(base, "small", folder, "mine")
    other, other_client, other_rid = _device(base, "small", folder, "other")
    mine.sync_once()
    other.sync_once()
    trips = RoundTrips()
    for i in range(count):
        _edit_contacts(other, other_rid, 100, 100, f"other {i}")
        other.sync_once()
        _edit_contacts(mine, mine_rid, 0, 100, f"mine {i}")
        started, cpu = time.perf_counter(), (time.process_time(), server_cpu())
        result = mine.sync_once()
        trips.wall.append(time.perf_counter() - started)
        trips.client_cpu.append(time.process_time() - cpu[0])
        trips.server_cpu.append(server_cpu() - cpu[1])
        assert result.pushed == 100 and result.pulled >= 100, result
        assert result.conflicts == 0
    mine.sync_once()  # the echoes of the last push
    for _ in range(count):
        started = time.perf_counter()
        idle = mine.sync_once()
        trips.idle.append(time.perf_counter() - started)
        assert idle.pulled == idle.pushed == 0, idle
    mine_client.close()
    other_client.close()
    return trips


def run(sizes: tuple[int, ...] | None = None, out_dir: Path | None = None) -> Table:
    sizes = sizes or QUICK_SIZES
    table = Table(
        "Sync: first sync into the encrypted replica, incremental round trip (loopback)",
        ["accounts", "records", "metric", "value", "unit"],
    )
    for accounts in sizes:
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
            folder = Path(tmp)
            url = db.sqlite_url(folder / "server.db")
            started = time.perf_counter()
            total = _seed(url, accounts)
            seed_s = time.perf_counter() - started
            with running_server(url) as server:
                base = server.base
                engine, client, _replica_id = _device(base, "big", folder, "first")
                rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                gc.collect()
                gc.freeze()
                try:
                    started = time.perf_counter()
                    cpu = time.process_time(), server.cpu_seconds()
                    summary = engine.sync_once()
                    wall = time.perf_counter() - started
                    client_cpu = time.process_time() - cpu[0]
                    server_cpu = server.cpu_seconds() - cpu[1]
                finally:
                    gc.unfreeze()
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                client.close()
                assert summary.pulled == total, (summary.pulled, total)
                table.add(accounts, total, "first sync", total / wall, "records/s")
                table.figure("sync.first.records_per_s", total / wall, accounts)
                table.figure("sync.first.wall_s", wall, accounts)
                table.figure("sync.first.peak_rss_mib", rss / 1024, accounts)
                table.add(accounts, total, "first sync wall time", wall, "s")
                # CPU seconds: steadier than wall time when other jobs share the cores.
                table.add(accounts, total, "first sync CPU, client", client_cpu, "s")
                table.add(accounts, total, "first sync CPU, server", server_cpu, "s")
                table.figure("sync.first.cpu_s", client_cpu + server_cpu, accounts)
                table.add(accounts, total, "client peak RSS", rss / 1024, "MiB")
                table.add(accounts, total, "client RSS growth", (rss - rss_before) / 1024, "MiB")
                table.add(accounts, total, "server seed (bulk load)", seed_s, "s")
                file_mb = (folder / "first.db").stat().st_size / 2**20
                table.add(accounts, total, "replica file", file_mb, "MiB")

                # Round trip on a small scope: 100 edits each way.
                trips = round_trips(base, folder, ROUND_TRIPS, server.cpu_seconds)
                median, best = trips.median_ms(), trips.best_ms()
                table.add(accounts, 200, "round trip 100+100, median", median, "ms")
                table.add(accounts, 200, "round trip 100+100, best", best, "ms")
                table.figure("sync.incremental.median_ms", median, accounts)
                table.figure("sync.incremental.best_ms", best, accounts)
    table.notes.append(
        "Server: desktop-crm-server serve (SQLite) in its own process; client in this process."
    )
    table.notes.append("Targets: first sync >= 20,000 records/s; round trip < 300 ms.")
    return table


if __name__ == "__main__":
    print(run().render())
