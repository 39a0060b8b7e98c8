"""The batched local view (``desktop_crm.sync.local_batch``) leaves the replica exactly as the
one-record-at-a-time store functions do, whatever mix of writes a page brings."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.local_batch import Key, LocalBatch

TABLES = (
    "accounts",
    "contacts",
    "opportunities",
    "activities",
    "activity_day_counts",
    "contact_phones",
    "account_status_log",
    "account_former_names",
    "opportunity_stage_history",
    "name_index",
    "name_index_rows",
    "outbox",
    "base_copies",
)
AUTOINCREMENT = (
    "contact_phones",
    "account_status_log",
    "account_former_names",
    "opportunity_stage_history",
)


def dump(rep: Replica) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with rep.engine.connect() as conn:
        for table in TABLES:
            rows: list[tuple[Any, ...]]
            if table == "outbox":  # not the sequence number nor the creation time
                sql = "SELECT change_id, record_id FROM outbox"
            else:
                sql = f"SELECT * FROM {table}"
            rows = [tuple(r) for r in conn.exec_driver_sql(sql).all()]
            if table in AUTOINCREMENT:
                rows = [r[1:] for r in rows]
            elif table == "name_index_rows":
                rows = [r[:2] for r in rows]  # the FTS rowid depends on insertion history
            out[table] = sorted(rows, key=repr)
    return out


def _mutate(rng: random.Random, record: StoredRecord, n: int) -> StoredRecord:
    data = dict(record.data)
    entity = record.entity
    roll = rng.random()
    if entity is Entity.ACCOUNT:
        if roll < 0.3:
            data["name"] = f"{data['name']} {n}"
        elif roll < 0.5:
            data["status"] = rng.choice(["prospect", "customer", "dormant"])
        else:
            data["notes"] = f"note {n}"
            data["tags"] = [f"t{n}", "x"] if rng.random() < 0.5 else []
    elif entity is Entity.CONTACT:
        if roll < 0.3:
            data["phones"] = [{"raw": f"138 0013 {n:04d}", "kind": "mobile", "primary": True}]
        elif roll < 0.4:
            data["name"] = f"{data['name']}{n}"
        else:
            data["title"] = f"title {n}"
            data["emails"] = [f"a{n}@example.com"]
    elif entity is Entity.OPPORTUNITY:
        if roll < 0.4:
            data["stage"] = rng.choice(["lead", "qualified", "proposal", "won"])
        else:
            data["amount"] = f"{n}.50"
    else:
        data["summary"] = f"summary {n}"
        data["follow_up_done"] = not data.get("follow_up_done")
    deleted = record.deleted
    if rng.random() < 0.08:
        deleted = not deleted
    return dataclasses.replace(
        record,
        version=record.version.bump("server"),
        deleted=deleted,
        updated_at=record.updated_at + timedelta(minutes=n),
        updated_by=f"user{n % 3}",
        data=data,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_writes_match_the_store(replica_factory: Callable[..., Replica], seed: int) -> None:
    rng = random.Random(seed)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    records = [
        StoredRecord.from_record(r)
        for r in demo_data.generate(seed=seed, accounts=12, activities_per_account=(0, 3), now=now)
    ]
    present, arriving = records[: len(records) // 2], records[len(records) // 2 :]
    single, batched = replica_factory("single.db"), replica_factory("batched.db")
    for rep in (single, batched):
        with rep.engine.begin() as conn:
            bulk_load.bulk_apply(conn, present)
            for record in present[::5]:
                book.set_base_copy(
                    conn, record.entity.value, record.id, record.version, False, record.data
                )
                book.add_outbox_entry(
                    conn,
                    change_id=f"c-{record.id}",
                    entity=record.entity.value,
                    record_id=record.id,
                    base_version=record.version,
                    new_version=record.version.bump("r"),
                    changed_fields=["notes"],
                    deleted=False,
                    data=record.data,
                )

    # A page: new records, updates (some twice), base copies set and dropped, outbox entries done.
    latest = {(r.entity.value, r.id): r for r in present}
    ops: list[tuple[str, Any]] = []
    for record in arriving:
        ops.append(("apply", record))
        latest[(record.entity.value, record.id)] = record
    for n in range(len(records)):
        key = rng.choice(sorted(latest))
        roll = rng.random()
        if roll < 0.6:
            latest[key] = _mutate(rng, latest[key], n)
            ops.append(("apply", latest[key]))
        elif roll < 0.75:
            record = latest[key]
            ops.append(("set_base", (key, record.version, record.deleted, record.data)))
        elif roll < 0.9:
            ops.append(("drop_base", key))
        elif roll < 0.97:
            ops.append(("done", (key, f"c-{key[1]}")))
        else:
            ops.append(("flush", None))

    with single.engine.begin() as conn:
        for op, arg in ops:
            if op == "apply":
                store.apply_remote(conn, arg)
            elif op == "set_base":
                (entity, record_id), version, deleted, data = arg
                book.set_base_copy(conn, entity, record_id, version, deleted, data)
            elif op == "drop_base":
                book.delete_base_copy(conn, *arg)
            elif op == "done":
                book.remove_outbox_entries(conn, [arg[1]])
    with batched.engine.begin() as conn:
        keys: list[Key] = [(r.entity.value, r.id) for r in records]
        batch = LocalBatch(conn, keys[::2])  # the rest is loaded on first use
        for op, arg in ops:
            if op == "apply":
                batch.apply_remote(arg)
                assert batch.record((arg.entity.value, arg.id)) == arg
            elif op == "set_base":
                key, version, deleted, data = arg
                batch.set_base_copy(key, version, deleted, data)
                assert batch.base_copy(key) == book.BaseCopy(version, deleted, data)
            elif op == "drop_base":
                batch.delete_base_copy(arg)
                assert batch.base_copy(arg) is None
            elif op == "done":
                batch.remove_outbox_entry(*arg)
                assert not batch.still_queued(*arg)
            else:
                batch.flush()
        batch.flush()
    assert dump(batched) == dump(single)


def test_reads_match_the_store(replica_factory: Callable[..., Replica]) -> None:
    rep = replica_factory()
    now = datetime(2025, 6, 1, tzinfo=UTC)
    records = [StoredRecord.from_record(r) for r in demo_data.generate(seed=5, accounts=5, now=now)]
    with rep.engine.begin() as conn:
        bulk_load.bulk_apply(conn, records)
        first = records[1]
        book.set_base_copy(conn, first.entity.value, first.id, first.version, False, first.data)
        for n in range(3):
            book.add_outbox_entry(
                conn,
                change_id=f"c{n}",
                entity=first.entity.value,
                record_id=first.id,
                base_version=VersionVector({"server": 1}),
                new_version=VersionVector({"server": 1, "r": n + 1}),
                changed_fields=["title", "name"],
                deleted=n == 2,
                data={"n": n, "ü": "ö"},
            )
        book.put_conflict(
            conn,
            entity=first.entity.value,
            record_id=first.id,
            kind="fields",
            fields=["title"],
            base=None,
            mine={},
            theirs={},
            mine_version=VersionVector(),
            theirs_version=VersionVector(),
        )
    with rep.engine.connect() as conn:
        keys = [(r.entity.value, r.id) for r in records] + [("contact", "missing")]
        batch = LocalBatch(conn, keys)
        for entity, record_id in keys:
            key = (entity, record_id)
            assert batch.record(key) == store.read_record(conn, entity, record_id)
            assert batch.pending(key) == book.outbox_for_record(conn, entity, record_id)
            assert batch.base_copy(key) == book.get_base_copy(conn, entity, record_id)
            assert batch.in_conflict(key) == (
                book.get_conflict(conn, entity, record_id) is not None
            )
        assert [e.change_id for e in batch.pending((first.entity.value, first.id))] == [
            "c0",
            "c1",
            "c2",
        ]
