"""The bulk phase of a first sync (storage/bulk_phase.py): the deferred indexes are dropped,
searches stay correct without them, and they come back exactly as they were — after the load,
and on the next open when the process was killed in between."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from desktop_crm.domain import demo_data
from desktop_crm.domain.records import Contact
from desktop_crm.storage import bulk_load, bulk_phase
from desktop_crm.storage.duplicates import similar_contacts
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica, open_replica
from desktop_crm.storage.search import EXACT_PHONE_SQL, SUFFIX_PHONE_SQL, search

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def _schema(conn: Connection) -> list[tuple[str, str, str]]:
    return [
        (str(t), str(n), str(s))
        for t, n, s in conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        )
    ]


def _indexes(conn: Connection) -> set[str]:
    return {
        str(r[0])
        for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
    }


def _picked(seed: int, records: Sequence[object]) -> list[Contact]:
    rng = random.Random(seed)
    return rng.sample([r for r in records if isinstance(r, Contact) and r.phones], 25)


def _queries(picked: list[Contact]) -> list[str]:
    """What people type: full numbers, last digits, name substrings, two-character names."""
    out = [c.phones[-1].raw for c in picked]
    out += [c.phones[0].e164[-4:] for c in picked[:10]]
    out += [c.name[:2] for c in picked[:10]] + [c.name[-3:] for c in picked[10:20]]
    return out


def _duplicates(engine: Engine, picked: list[Contact]) -> list[list[tuple[str, float]]]:
    """The duplicate check of a new contact (it looks phones up by the same statement)."""
    with engine.connect() as conn:
        return [
            [(s.id, s.score) for s in similar_contacts(conn, c.name, [c.phones[0].e164])]
            for c in picked[:8]
        ]


def _answers(engine: Engine, queries: list[str]) -> list[list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return [
            [(h.kind, h.account_id, h.contact_id, h.phone_e164, h.phone_match) for h in hits]
            for hits in (search(conn, q) for q in queries)
        ]


def test_searches_during_the_bulk_phase_match_the_built_indexes(tmp_path: Path) -> None:
    replica = create_replica(tmp_path / "replica.db", RawKey.generate())
    try:
        with replica.engine.connect() as conn:
            before = _schema(conn)
        with replica.writer.begin() as conn:
            assert bulk_phase.begin(conn) == len(bulk_phase.DEFERRED_INDEXES)
        records = list(demo_data.generate(seed=5, accounts=120, now=NOW))
        with replica.writer.begin() as conn:
            bulk_load.bulk_apply(conn, records)
        with replica.engine.connect() as conn:
            assert not _indexes(conn) & set(bulk_phase.DEFERRED_INDEXES)
            assert set(bulk_phase.pending(conn)) == set(bulk_phase.DEFERRED_INDEXES)
            # The phone statements name their index: it is missing, yet they answer.
            assert "INDEXED BY" in EXACT_PHONE_SQL and "INDEXED BY" in SUFFIX_PHONE_SQL
        picked = _picked(3, records)
        queries = _queries(picked)
        during = _answers(replica.engine, queries)
        duplicates_during = _duplicates(replica.engine, picked)

        assert bulk_phase.finish(replica.writer) == len(bulk_phase.DEFERRED_INDEXES)
        assert bulk_phase.finish(replica.writer) == 0  # nothing left: one read, no write
        with replica.engine.connect() as conn:
            assert _schema(conn) == before  # the same statements, as the migrations wrote them
            assert bulk_phase.pending(conn) == {}
        after = _answers(replica.engine, queries)
        assert during == after
        assert sum(bool(hits) for hits in after) >= len(queries) - 2  # found, not vacuous
        duplicates_after = _duplicates(replica.engine, picked)
        assert duplicates_during == duplicates_after
        assert all(duplicates_after)  # each finds at least itself
        assert replica.integrity_check() == []
    finally:
        replica.close()


def test_a_bulk_phase_killed_before_its_end_is_finished_by_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "replica.db"
    key = RawKey.generate()
    replica = create_replica(path, key)
    with replica.engine.connect() as conn:
        before = _schema(conn)
    with replica.writer.begin() as conn:
        bulk_phase.begin(conn)
    with replica.writer.begin() as conn:
        bulk_load.bulk_apply(conn, demo_data.generate(seed=9, accounts=40, now=NOW))
    # Killed here: nothing more runs; the engine's connections are dropped without a word.
    replica.engine.dispose()

    again = open_replica(path, key)
    try:
        with again.engine.connect() as conn:
            assert bulk_phase.pending(conn) == {}
            assert _schema(conn) == before
        assert again.integrity_check() == []
    finally:
        again.close()


def test_finish_resumes_from_the_indexes_already_built(tmp_path: Path) -> None:
    """Killed between two index builds: the note names only the ones still missing."""
    replica = create_replica(tmp_path / "replica.db", RawKey.generate())
    try:
        with replica.writer.begin() as conn:
            bulk_phase.begin(conn)
            noted = bulk_phase.pending(conn)
            first = min(noted)
            # What finish() commits for its first index, on its own.
            conn.exec_driver_sql(noted.pop(first))
            bulk_phase._note(conn, noted)
        assert bulk_phase.finish(replica.writer) == len(bulk_phase.DEFERRED_INDEXES) - 1
        with replica.engine.connect() as conn:
            assert set(bulk_phase.DEFERRED_INDEXES) <= _indexes(conn)
    finally:
        replica.close()
