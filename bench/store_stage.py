"""The first sync's store stage alone: ``bulk_apply`` of decoded snapshot pages (issue 12).

    python -m bench.store_stage --accounts 2000 [--pages pages.pickle] [--profile out.prof]
    valgrind --tool=callgrind python -m bench.store_stage --pages pages.pickle [--skip-store]

Builds ``accounts`` accounts (3 contacts and 10 activities each, as ``bench.sync_bench``) as
snapshot pages of wire JSON, decodes them once with ``fast_wire.plain_snapshot`` (as the
client does), then stores them page by page into a fresh encrypted replica inside a bulk phase,
each page in its own write transaction (as ``SyncEngine._snapshot`` does). Only the store part
is timed (CPU seconds of this thread: ``bulk_apply`` and the commits apart) or profiled
(``--profile``: cProfile of the store stage alone). ``--pages`` keeps the decoded pages in a
pickle (written on the first run, read after), so that under callgrind the instructions of the
store stage are those of a run less those of the same run with ``--skip-store``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pickle
import tempfile
import time
from pathlib import Path

from desktop_crm.domain import demo_data
from desktop_crm.storage import bulk_load, bulk_phase
from desktop_crm.storage.engine import replayable_writer
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.records_store import StoredRecord, time_text, version_text
from desktop_crm.storage.replica import create_replica
from desktop_crm.sync.fast_wire import SnapshotPage, plain_snapshot

PAGE = 5000


def _pages(accounts: int) -> list[SnapshotPage]:
    records = demo_data.generate(
        seed=1,
        accounts=accounts,
        owner_ids=["owner"],
        contacts_per_account=(3, 3),
        opportunities_per_account=(0, 0),
        activities_per_account=(10, 10),
    )
    items = []
    for record in records:
        stored = StoredRecord.from_record(record)
        items.append(
            {
                "entity": stored.entity.value,
                "id": stored.id,
                "version": json.loads(version_text(stored.version)),
                "deleted": stored.deleted,
                "updated_at": time_text(stored.updated_at),
                "updated_by": stored.updated_by,
                "data": stored.data,
                "masked": [],
            }
        )
    pages = []
    for start in range(0, len(items), PAGE):
        body = {"records": items[start : start + PAGE], "next_page": None, "cursor": "c"}
        page = plain_snapshot(json.dumps(body).encode())
        assert page is not None and not page.unreadable
        pages.append(page)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--pages", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--skip-store", action="store_true")
    args = parser.parse_args()
    if args.pages is not None and args.pages.exists():
        pages = pickle.loads(args.pages.read_bytes())
    else:
        pages = _pages(args.accounts)
        if args.pages is not None:
            args.pages.write_bytes(pickle.dumps(pages))
    count = sum(len(p.records) for p in pages)
    with tempfile.TemporaryDirectory() as folder:
        replica = create_replica(Path(folder) / "r.db", RawKey.generate())
        writes = replayable_writer(replica.engine)
        with writes.begin() as conn:
            bulk_phase.begin(conn)
        profiler = cProfile.Profile() if args.profile else None
        store = commit = 0.0
        # As in the application, whose GUI process collects on a timer (ui/gui_gc.py), not
        # automatically: and a collection walking every decoded page held here would be both
        # the benchmark's own cost and a step in the instruction counts.
        gc.disable()
        if profiler:
            profiler.enable()
        for page in pages:
            with writes.begin() as conn:
                started = time.thread_time()
                if not args.skip_store:
                    bulk_load.bulk_apply(conn, page.records)
                stored = time.thread_time()
            store += stored - started
            commit += time.thread_time() - stored
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        gc.enable()
        replica.engine.dispose()
    print(
        f"{count} records: store {store:.3f} s CPU ({store / count * 1e6:.1f} µs/record), "
        f"commit {commit:.3f} s CPU ({commit / count * 1e6:.1f} µs/record)"
    )


if __name__ == "__main__":
    main()
