"""Where the client's CPU goes in a first sync, per stage and per thread (issue 12).

    python -m bench.sync_split --accounts 10000

Seeds a server with ``accounts`` accounts (3 contacts and 10 activities each, as
``bench.sync_bench``), runs one first sync into a fresh encrypted replica, and prints the
CPU seconds (``time.thread_time``, so each thread's own) and wall seconds of each stage:

- HTTP: request, receive and gunzip (``SyncClient._send``; httpx decompresses as it reads);
- decode: the page's JSON to replica records (``fast_wire.plain_snapshot``);
- store: rows and SQLite inserts (``bulk_load.bulk_apply``), and inside it the time in the
  driver's ``executemany`` and ``execute`` (binding values with the GIL held, ``sqlite3_step``
  without it);
- commit: the page's transaction commit (WAL write, page encryption, fsync).

Measured by wrapping those functions for the run (a benchmark-only patch): a stage's wall time
includes waiting for the GIL and for a core, so the gap between its wall and CPU seconds is
contention (other threads, other processes), not work.
"""

from __future__ import annotations

import argparse
import collections
import functools
import gc
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.server_process import running_server
from bench.sync_bench import _device, _seed
from desktop_crm.server import db
from desktop_crm.storage import bulk_load
from desktop_crm.sync import http_client

STAGES: tuple[tuple[str, Any, str], ...] = (
    ("HTTP request, receive, gunzip", http_client.SyncClient, "_send"),
    ("decode: JSON to records", http_client, "plain_snapshot"),
    ("store: rows and SQLite inserts", bulk_load, "bulk_apply"),
)


class Split:
    def __init__(self) -> None:
        self.cpu: dict[tuple[str, str], float] = collections.defaultdict(float)
        self.wall: dict[tuple[str, str], float] = collections.defaultdict(float)

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                key = (stage, threading.current_thread().name.split("_")[0])
                self.cpu[key] += time.thread_time() - cpu
                self.wall[key] += time.perf_counter() - wall

        return wrapper


@contextmanager
def _patched(split: Split) -> Iterator[None]:
    from sqlalchemy.engine.base import RootTransaction
    from sqlalchemy.engine.default import DefaultDialect

    targets: list[tuple[str, Any, str]] = [
        *STAGES,
        ("commit: WAL write, encryption, fsync", RootTransaction, "commit"),
        # Inside the store stage: the driver's calls (binding, sqlite3_step), all statements.
        ("  of which executemany (driver)", DefaultDialect, "do_executemany"),
        ("  of which execute (driver)", DefaultDialect, "do_execute"),
    ]
    targets = [t for t in targets if hasattr(t[1], t[2])]  # an older tree lacks a stage
    saved = [(owner, name, getattr(owner, name)) for _, owner, name in targets]
    for stage, owner, name in targets:
        setattr(owner, name, split.timed(stage, getattr(owner, name)))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def run(accounts: int) -> str:
    split = Split()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = db.sqlite_url(folder / "server.db")
        total = _seed(url, accounts)
        with running_server(url) as server, _patched(split):
            engine, client, _ = _device(server.base, "big", folder, "first")
            gc.collect()
            gc.freeze()  # as sync_bench (and the application once its window is up)
            try:
                server_cpu = server.cpu_seconds()
                wall, cpu = time.perf_counter(), time.process_time()
                engine.sync_once()
                wall = time.perf_counter() - wall
                cpu = time.process_time() - cpu
                server_cpu = server.cpu_seconds() - server_cpu
            finally:
                gc.unfreeze()
            client.close()
    lines = [
        f"{total:,} records: {total / wall:,.0f} rec/s, wall {wall:.2f} s; client CPU {cpu:.2f} s "
        f"({cpu / total * 1e6:.1f} µs/record, {cpu / wall:.0%} of one core); "
        f"server CPU {server_cpu:.2f} s",
        "| stage | thread | CPU s | µs/record | wall s |",
        "|---|---|---|---|---|",
    ]
    for (stage, thread), seconds in sorted(split.cpu.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.02:
            lines.append(
                f"| {stage} | {thread} | {seconds:.2f} | {seconds / total * 1e6:.1f} "
                f"| {split.wall[(stage, thread)]:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    print(run(parser.parse_args().accounts))


if __name__ == "__main__":
    main()
