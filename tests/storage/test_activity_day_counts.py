"""``activity_day_counts`` (replica revision 0013) stays exactly the live activities counted per
UTC day and author whatever writes them, and the activity report read through it equals a plain
count over the activities for any period."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Activity, RecordMeta
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage import reports as sql
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica

MIDNIGHT = datetime(2026, 3, 30, tzinfo=UTC)  # a month's end falls inside the days below
AUTHORS = ("rep-a", "rep-b", "")
WRITES = ("bulk", "remote", "remote_tombstone", "local", "local_delete", "purge", "sql_update")

#: Every example shares the test's replica: the counts must hold whatever came before.
_ONE_REPLICA = [HealthCheck.function_scoped_fixture]

_write = st.tuples(
    st.sampled_from(WRITES),
    st.integers(0, 5),  # which activity
    st.integers(0, 4 * 24 * 60 - 1),  # minutes after MIDNIGHT: four days, edges included
    st.sampled_from(AUTHORS),
)


def _kept(conn: Connection) -> Counter[tuple[str, str]]:
    rows = conn.execute(text("SELECT day, author_id, count FROM activity_day_counts"))
    return Counter({(r[0], r[1]): r[2] for r in rows})


def _counted(conn: Connection) -> Counter[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT substr(start_at, 1, 10), author_id, count(*) FROM activities "
            "WHERE deleted = 0 GROUP BY 1, 2"
        )
    )
    return Counter({(r[0], r[1]): r[2] for r in rows})


def _activity(n: int, minutes: int, author: str, version: int) -> Activity:
    meta = RecordMeta(id=f"act-{n}", version=VersionVector({"server": version}))
    start = MIDNIGHT + timedelta(minutes=minutes)
    return Activity(account_id="acc", kind="call", start_at=start, author_id=author, meta=meta)


def _apply(conn: Connection, write: tuple[str, int, int, str], version: int) -> None:
    kind, n, minutes, author = write
    record = _activity(n, minutes, author, version)
    if kind == "bulk":
        bulk_load.bulk_apply(conn, [record])
    elif kind in ("remote", "remote_tombstone"):
        record.meta.deleted = kind == "remote_tombstone"
        store.apply_remote(conn, StoredRecord.from_record(record))
    elif kind == "local":
        stored = store.read_record(conn, "activity", record.meta.id)
        if stored is not None:
            record.meta = dataclasses.replace(stored.meta(), deleted=False)
        store.save_local(conn, record, "device-1", author or "me")
    elif kind == "local_delete":
        store.delete_local(conn, "activity", record.meta.id, "device-1", "me")
    elif kind == "purge":
        store.purge_record(conn, "activity", record.meta.id)
    else:  # a plain UPDATE, as the sync's batched writes make
        conn.execute(
            text("UPDATE activities SET start_at = :s, author_id = :a WHERE id = :id"),
            {"s": store.time_text(record.start_at), "a": author, "id": record.meta.id},
        )


@settings(max_examples=60, deadline=None, suppress_health_check=_ONE_REPLICA)
@given(writes=st.lists(_write, max_size=25))
def test_counts_follow_every_write_path(replica: Replica, writes: list) -> None:
    with replica.engine.begin() as conn:
        conn.execute(text("DELETE FROM activities"))
        conn.execute(text("DELETE FROM outbox"))
        conn.execute(text("DELETE FROM base_copies"))
        assert _kept(conn) == Counter()
    for version, write in enumerate(writes, start=1):
        with replica.engine.begin() as conn:
            _apply(conn, write, version)
    with replica.engine.connect() as conn:
        kept = _kept(conn)
        assert kept == _counted(conn)
        assert all(count > 0 for count in kept.values())


def test_a_rolled_back_write_leaves_the_counts_as_they_were(replica: Replica) -> None:
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, [_activity(1, 60, "rep-a", 1)])
    with replica.engine.connect() as conn:
        try:
            with conn.begin():
                store.apply_remote(conn, StoredRecord.from_record(_activity(1, 3000, "rep-b", 2)))
                assert _kept(conn) == Counter({("2026-04-01", "rep-b"): 1})
                raise RuntimeError("the page failed")
        except RuntimeError:
            pass
    with replica.engine.connect() as conn:
        assert _kept(conn) == Counter({("2026-03-30", "rep-a"): 1})


@settings(max_examples=80, deadline=None, suppress_health_check=_ONE_REPLICA)
@given(
    start=st.integers(-2 * 24 * 60, 6 * 24 * 60),
    length=st.integers(0, 5 * 24 * 60),
    owner=st.sampled_from([None, *AUTHORS]),
)
def test_activities_per_day_equals_a_plain_count(
    replica: Replica, start: int, length: int, owner: str | None
) -> None:
    with replica.engine.begin() as conn:
        if not conn.execute(text("SELECT count(*) FROM activities")).scalar_one():
            records = list(demo_data.generate(seed=3, accounts=40, owner_ids=AUTHORS[:2],
                                              now=MIDNIGHT + timedelta(days=3)))
            # Some exactly at midnight and on the period edges' minutes, and a tombstone.
            records += [_activity(n, m, "rep-a", 1) for n, m in enumerate((0, 1440, 2880, 1439))]
            records.append(dataclasses.replace(_activity(9, 100, "rep-b", 1)))
            records[-1].meta.deleted = True
            bulk_load.bulk_apply(conn, records)
    since = MIDNIGHT + timedelta(minutes=start)
    until = since + timedelta(minutes=length)
    with replica.engine.connect() as conn:
        got: Counter[tuple[str, str]] = Counter()
        for author, day, count in sql.activities_per_day(conn, since, until, owner):
            got[(author, day)] += count
        rows = conn.execute(
            text(
                "SELECT author_id, substr(start_at, 1, 10), count(*) FROM activities "
                "WHERE deleted = 0 AND start_at >= :s AND start_at < :e "
                "AND (:o IS NULL OR author_id = :o) GROUP BY 1, 2"
            ),
            {"s": sql.time_text(since), "e": sql.time_text(until), "o": owner},
        )
        assert got == Counter({(r[0], r[1]): r[2] for r in rows})


def test_a_bulk_load_counts_its_activities_without_the_trigger_and_keeps_it(
    replica: Replica,
) -> None:
    records = list(demo_data.generate(seed=5, accounts=60, owner_ids=AUTHORS, now=MIDNIGHT))
    fresh = [r for r in records if isinstance(r, Activity)]
    assert len(fresh) >= 100
    for record in fresh[::7]:
        record.meta.deleted = True  # tombstones arrive in a snapshot too
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, records, batch_size=50)
        assert _kept(conn) == _counted(conn)
        triggers = conn.execute(
            text("SELECT name FROM sqlite_master WHERE name LIKE 'activity_day_counts_%'")
        )
        assert set(triggers.scalars()) == {f"activity_day_counts_a{x}" for x in "idu"}
    # Again, moved and some restored: records the replica holds take the one-by-one path.
    for n, record in enumerate(fresh[::3]):
        record.start_at += timedelta(hours=n)
        record.author_id = AUTHORS[n % 3]
        record.meta.deleted = n % 2 == 0
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, [*fresh[::3], _activity(99, 5, "rep-b", 1)])
        assert _kept(conn) == _counted(conn)
