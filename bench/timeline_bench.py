"""The customer's whole history: one page of the 360° view's timeline
(``client.history.activity_page``, as the lazy model asks for it) on an encrypted replica,
for a customer with a long history among many others.

Data: one customer with N activities (every fifth linked to one of its deals, a quarter of
them e-mails) and 1,000 other customers with 100 activities each. Sizes are N; the default is
100,000 (quick: 20,000). Timed, warm: the first page, the last page (the keyset cursor of the
page before it), a page filtered by kind and by opportunity, and, for comparison, the last page
read with OFFSET (what a page-number model would do).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.chunks import chunks
from bench.table import Table
from desktop_crm.client import history
from desktop_crm.client.history import TimelineFilter
from desktop_crm.domain.records import Account, Activity, Opportunity, SyncedRecord
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage.customer_history import PAGE_SIZE, activity_page
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.schema import activities

QUICK_SIZES = (20_000,)
DEFAULT_SIZES = (100_000,)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OTHERS, OTHER_ACTIVITIES = 1_000, 100
RUNS = 15


def _progress(message: str) -> None:
    print(f"  [timeline] {message}", file=sys.stderr, flush=True)


def _records(size: int, account: Account, deal: Opportunity) -> Iterator[SyncedRecord]:
    yield account
    yield deal
    for n in range(size):
        yield Activity(
            account_id=account.meta.id,
            kind="email" if n % 4 == 0 else "call",
            start_at=NOW - timedelta(minutes=37 * n),
            opportunity_id=deal.meta.id if n % 5 == 0 else None,
            summary=f"activity {n}",
        )
    for o in range(OTHERS):
        other = Account(name=f"Other {o}")
        yield other
        for n in range(OTHER_ACTIVITIES):
            yield Activity(
                account_id=other.meta.id, kind="call", start_at=NOW - timedelta(hours=n * 7 + o)
            )


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    call()
    spent = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def _offset_page(replica: Replica, account_id: str, offset: int) -> list[Activity]:
    with replica.engine.connect() as conn:
        return store.activities.list(
            conn,
            account_id=account_id,
            order_by=[activities.c.start_at.desc(), activities.c.id.desc()],
            limit=PAGE_SIZE,
            offset=offset,
        )


def _measure(table: Table, replica: Replica, size: int, account: Account, deal: Opportunity
             ) -> None:
    a_id = account.meta.id
    with replica.engine.connect() as conn:
        # The cursor of the page before the last: walk the keys once (not timed).
        before_last = activity_page(conn, a_id, limit=max(1, size - PAGE_SIZE)).next
    cases: dict[str, Callable[[], object]] = {
        "first page": lambda: history.activity_page(replica, a_id, TimelineFilter()),
        "last page (keyset)": lambda: history.activity_page(
            replica, a_id, TimelineFilter(), before_last
        ),
        "first page, e-mails only": lambda: history.activity_page(
            replica, a_id, TimelineFilter(kind="email")
        ),
        "first page, one deal's": lambda: history.activity_page(
            replica, a_id, TimelineFilter(opportunity_id=deal.meta.id)
        ),
        "last page with OFFSET (not used)": lambda: _offset_page(
            replica, a_id, size - PAGE_SIZE
        ),
    }
    for name, call in cases.items():
        p50, p95 = _timed(call)
        table.add(size, name, p50, p95)
        _progress(f"{size:,} | {name} | {p50:.2f} | {p95:.2f}")


def run(sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
        ) -> Table:
    sizes = sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)
    work = (out_dir or Path("bench/out")) / "timeline"
    work.mkdir(parents=True, exist_ok=True)
    table = Table(
        "Customer timeline: one page of 50 on an encrypted replica (ms, warm)",
        ["activities of the customer", "page", "p50", "p95"],
    )
    for size in sizes:
        path = work / f"timeline-{size}-{os.getpid()}.db"
        replica = create_replica(path, RawKey.generate())
        try:
            account = Account(name="A long history")
            deal = Opportunity(account_id=account.meta.id, name="The deal")
            started = time.perf_counter()
            with replica.engine.connect() as conn:
                for chunk in chunks(_records(size, account, deal), 20_000):
                    with conn.begin():
                        bulk_load.bulk_apply(conn, chunk)
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            _progress(f"{size:,} activities loaded in {time.perf_counter() - started:.0f} s")
            _measure(table, replica, size, account, deal)
        finally:
            replica.engine.dispose()
            for leftover in path.parent.glob(path.name + "*"):
                leftover.unlink()
    table.notes += [
        f"{RUNS} warm calls each; plus {OTHERS:,} other customers with {OTHER_ACTIVITIES} "
        "activities each. A page is read through the keyset cursor (start time, id).",
    ]
    return table
