"""The incremental round trip alone: ``python -m bench --only roundtrip``.

The round trip of :mod:`bench.sync_bench` (100 edits pulled + 100 pushed in one ``sync_once()``
against a ``desktop-crm-server serve`` process on loopback), without its first sync of a large
scope, repeated :data:`TRIPS` times, with the CPU seconds of the client (this process) and of
the server per round trip beside the wall time: on a shared machine the CPU figures are the
steadier ones. Objects alive before the round trips are frozen out of garbage collection, as
the application does once its window is up.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
from pathlib import Path

from bench.server_process import running_server
from bench.sync_bench import ROUND_TRIP_ACCOUNTS, _seed, round_trips
from bench.table import Table
from desktop_crm.server import db

TRIPS = 21


def run(out_dir: Path | None = None) -> Table:
    table = Table(
        "Sync: incremental round trip, 100 changes each way (loopback)",
        ["metric", "value", "unit"],
    )
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        folder = Path(tmp)
        url = db.sqlite_url(folder / "server.db")
        _seed(url, 1)  # the round trip's user gets ROUND_TRIP_ACCOUNTS accounts
        with running_server(url) as server:
            gc.collect()
            gc.freeze()
            try:
                trips = round_trips(server.base, folder, TRIPS, server.cpu_seconds)
            finally:
                gc.unfreeze()
    client_ms = statistics.mean(trips.client_cpu) * 1000
    server_ms = statistics.mean(trips.server_cpu) * 1000
    table.add("round trip, median", trips.median_ms(), "ms")
    table.add("round trip, best", trips.best_ms(), "ms")
    table.add("client CPU per round trip, mean", client_ms, "ms")
    table.add("server CPU per round trip, mean", server_ms, "ms")
    table.add("idle sync, median", statistics.median(trips.idle) * 1000, "ms")
    table.figure("sync.roundtrip.median_ms", trips.median_ms())
    table.figure("sync.roundtrip.best_ms", trips.best_ms())
    table.figure("sync.roundtrip.client_cpu_ms", client_ms)
    table.figure("sync.roundtrip.server_cpu_ms", server_ms)
    table.notes.append(
        f"{TRIPS} round trips on a scope of {ROUND_TRIP_ACCOUNTS} accounts; server CPU from "
        "/proc in clock ticks (10 ms), so read its mean over the round trips."
    )
    return table


if __name__ == "__main__":
    print(run().render())
