"""The Reports tab's numbers over a large replica: ``client.reports.reports`` (funnel and win
rate, weighted forecast, activities per person per week, overdue follow-ups) as the tab calls
it, on an encrypted replica (SQLCipher, opened the way the client opens it).

Data: demo accounts (one contact each: contacts play no part in the reports), 0–3
opportunities and 0–20 activities per account (10 on average, over the year before ``NOW``),
owned by eight people. Sizes are accounts; the default is 100,000 accounts ≈ 1M activities.
Timed: warm calls (the tab recomputes on a data change or a period switch, with the replica's
page cache already warm), p50/p95 per period, for everyone and for one person.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.chunks import chunks
from bench.table import Table, _fmt
from desktop_crm.client import reports
from desktop_crm.client.reports import Period
from desktop_crm.domain import demo_data
from desktop_crm.storage import bulk_load
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica

QUICK_SIZES = (10_000,)
DEFAULT_SIZES = (100_000,)
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
OWNERS = tuple(f"rep-{n}" for n in range(8))
CHUNK = 20_000
RUNS = 9


def _progress(message: str) -> None:
    print(f"  [reports] {message}", file=sys.stderr, flush=True)



def _load(replica: Replica, accounts: int) -> dict[str, int]:
    records = demo_data.generate(
        seed=2025,
        accounts=accounts,
        owner_ids=OWNERS,
        contacts_per_account=(1, 1),
        opportunities_per_account=(0, 3),
        activities_per_account=(0, 20),
        now=NOW,
    )
    counts: dict[str, int] = {}
    with replica.engine.connect() as conn:
        for chunk in chunks(records, CHUNK):
            for record in chunk:
                kind = record.ENTITY.value
                counts[kind] = counts.get(kind, 0) + 1
            with conn.begin():
                bulk_load.bulk_apply(conn, chunk)
    with replica.engine.connect() as conn:
        # As after a first sync has settled: the load's pages back in the file, not the WAL.
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


def _timed(call: Callable[[], object]) -> tuple[float, float, float, float]:
    """Wall p50/p95 and CPU p50/p95 (this process's CPU time, ms): on a loaded machine the
    wall time includes waiting for a core, the CPU time does not."""
    call()  # warm the page cache
    spent, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        spent.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    spent.sort()
    cpu.sort()
    p95 = int(len(spent) * 0.95) - 1
    return statistics.median(spent), spent[p95], statistics.median(cpu), cpu[p95]


def run(sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
        ) -> Table:
    sizes = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    work = (out_dir or Path("bench/out")) / "reports"
    work.mkdir(parents=True, exist_ok=True)
    table = Table(
        "Reports tab: client.reports.reports() on an encrypted replica (ms, warm)",
        ["accounts", "activities", "opportunities", "period", "whose", "p50", "p95", "cpu p50",
         "cpu p95"],
    )
    for size in sizes:
        path = work / f"reports-{size}-{os.getpid()}.db"
        replica = create_replica(path, RawKey.generate())
        try:
            started, started_cpu = time.perf_counter(), time.process_time()
            counts = _load(replica, size)
            loaded = time.perf_counter() - started
            loaded_cpu = time.process_time() - started_cpu
            _progress(f"{size:,} accounts loaded in {loaded:.0f} s")
            table.notes.append(
                f"{size:,} accounts: bulk load {loaded:.0f} s wall, {loaded_cpu:.0f} s CPU"
            )
            for period in (Period.LAST_30_DAYS, Period.LAST_90_DAYS, Period.LAST_12_MONTHS):
                start, end = reports.period_bounds(period, NOW)
                for whose in (None, OWNERS[0]):
                    times = _timed(
                        lambda: reports.reports(replica, start, end, NOW, whose)  # noqa: B023
                    )
                    row = (size, counts.get("activity", 0), counts.get("opportunity", 0),
                           period.value, whose or "everyone", *times)
                    table.add(*row)
                    _progress(" | ".join(_fmt(v) for v in row))
        finally:
            replica.engine.dispose()
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
    table.notes += [
        "p50/p95: wall ms; cpu: this process's CPU ms (the machine may be loaded).",
        f"{RUNS} warm calls each; {len(OWNERS)} people; the funnel reads the stage history, "
        "the forecast the open opportunities, the activity report the period's activities.",
    ]
    return table
