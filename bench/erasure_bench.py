"""What erasing costs on a replica: ``secure_delete`` on every write, and one erasure.

For each size (accounts of demo data, with their contacts, opportunities and activities,
bulk-loaded into an encrypted replica opened the way the client opens it):

- local edits/s (``records_store.save_local`` of a contact's notes, one transaction each) with
  ``PRAGMA secure_delete`` ON (as the replica runs since issue 13) and OFF (as before);
- one erasure as a sync applies it: ``storage.erasure.erase_locally`` (scrubbing the person's
  texts, the FTS ``optimize``) in its transaction, then ``wipe_leftovers`` (WAL truncate);
  p50 and max over a few people.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, select

from bench.chunks import chunks
from bench.table import Table
from desktop_crm.domain import demo_data
from desktop_crm.domain.erasure import erased_contact_data
from desktop_crm.domain.records import Contact
from desktop_crm.storage import bulk_load, erasure
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.schema import contacts

QUICK_SIZES = (1_000,)
DEFAULT_SIZES = (5_000,)
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
EDITS = 300
ERASURES = 5


def _replica(path: Path, accounts: int) -> Replica:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    replica = create_replica(path, RawKey.generate())
    with replica.engine.connect() as conn:
        for chunk in chunks(demo_data.generate(seed=13, accounts=accounts, now=NOW), 20_000):
            with conn.begin():
                bulk_load.bulk_apply(conn, chunk)
    return replica


def _contact_ids(conn: Connection, n: int) -> list[str]:
    return list(conn.scalars(select(contacts.c.id).order_by(contacts.c.id).limit(n)))


def _edits_per_second(replica: Replica, secure: bool, ids: list[str]) -> float:
    with replica.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
        conn.commit()
        started = time.perf_counter()
        for n, contact_id in enumerate(ids):
            with conn.begin():
                stored = store.read_record(conn, "contact", contact_id)
                assert stored is not None
                record = stored.to_record()
                assert isinstance(record, Contact)
                record.notes = f"edit {n} {'secure' if secure else 'plain'}"
                store.save_local(conn, record, "bench-replica", "bench-user")
        spent = time.perf_counter() - started
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
        conn.commit()
    return len(ids) / spent


def _erasure_seconds(replica: Replica, contact_id: str) -> float:
    started = time.perf_counter()
    with replica.engine.connect() as conn, conn.begin():
        mine = store.read_record(conn, "contact", contact_id)
        assert mine is not None
        erased = StoredRecord(
            entity=mine.entity,
            id=mine.id,
            version=mine.version.bump("server"),
            deleted=False,
            updated_at=NOW,
            updated_by="server",
            data=erased_contact_data(mine.data),
        )
        erasure.erase_locally(conn, [erased])
    erasure.wipe_leftovers(replica.engine)
    return time.perf_counter() - started


def run(
    sizes: tuple[int, ...] | None = None, out_dir: Path | None = None, quick: bool = False
) -> Table:
    folder = out_dir or Path("bench/out")
    table = Table(
        "Erasure on an encrypted replica",
        [
            "accounts",
            "records",
            "edits/s secure_delete ON",
            "edits/s OFF",
            "erasure p50 ms",
            "erasure max ms",
        ],
    )
    for size in sizes or (QUICK_SIZES if quick else DEFAULT_SIZES):
        replica = _replica(folder / f"erasure-{size}.db", size)
        try:
            with replica.engine.connect() as conn:
                ids = _contact_ids(conn, 2 * EDITS + ERASURES)
                records = sum(
                    int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
                    for t in ("accounts", "contacts", "opportunities", "activities")
                )
                conn.commit()
            # Alternate so neither variant gets the warmer cache.
            off = _edits_per_second(replica, False, ids[:EDITS])
            on = _edits_per_second(replica, True, ids[EDITS : 2 * EDITS])
            times = [_erasure_seconds(replica, i) * 1000 for i in ids[2 * EDITS :]]
            table.add(size, records, on, off, statistics.median(times), max(times))
        finally:
            replica.close()
    table.notes.append("edits: one transaction each; erasure includes the WAL truncate")
    return table
