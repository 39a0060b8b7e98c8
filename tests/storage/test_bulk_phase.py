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


def _name_map(conn: Connection) -> dict[tuple[str, str], int]:
    return {
        (str(e), str(r)): int(f)
        for e, r, f in conn.exec_driver_sql(
            "SELECT entity, record_id, fts_rowid FROM name_index_rows"
        )
    }


def _name_map_expected(conn: Connection) -> dict[tuple[str, str], int]:
    """What the map must hold: every live account and contact, to its one full-text row."""
    rows = conn.exec_driver_sql("SELECT entity, record_id, rowid FROM name_index").all()
    live = {
        (str(e), str(i))
        for e, i in conn.exec_driver_sql(
            "SELECT 'account', id FROM accounts WHERE deleted = 0"
            " UNION ALL SELECT 'contact', id FROM contacts WHERE deleted = 0"
        )
    }
    assert len(rows) == len(live) and {(str(e), str(r)) for e, r, _ in rows} == live
    return {(str(e), str(r)): int(f) for e, r, f in rows}


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
            assert set(bulk_phase.pending(conn)) == {
                *bulk_phase.DEFERRED_INDEXES,
                "name_index_rows",
            }
            # The name map is filled at the end: the load left out the bulk-inserted records.
            assert _name_map(conn) == {}
            # The phone statements name their index: it is missing, yet they answer.
            assert "INDEXED BY" in EXACT_PHONE_SQL and "INDEXED BY" in SUFFIX_PHONE_SQL
        picked = _picked(3, records)
        queries = _queries(picked)
        during = _answers(replica.engine, queries)
        duplicates_during = _duplicates(replica.engine, picked)

        assert bulk_phase.finish(replica.writer) == len(bulk_phase.DEFERRED_INDEXES) + 1
        assert bulk_phase.finish(replica.writer) == 0  # nothing left: one read, no write
        with replica.engine.connect() as conn:
            assert _name_map(conn) == _name_map_expected(conn) != {}
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
            assert _schema(conn) == before  # the phase's triggers gone as well
            assert _name_map(conn) == _name_map_expected(conn) != {}
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
        assert bulk_phase.finish(replica.writer) == len(bulk_phase.DEFERRED_INDEXES)
        with replica.engine.connect() as conn:
            assert set(bulk_phase.DEFERRED_INDEXES) <= _indexes(conn)
    finally:
        replica.close()


def _hits(engine: Engine, query: str) -> set[tuple[str, str | None]]:
    with engine.connect() as conn:
        return {(h.account_id, h.contact_id) for h in search(conn, query)}


def test_renames_and_deletes_during_the_bulk_phase_keep_the_name_index_right(
    tmp_path: Path,
) -> None:
    """The bulk load leaves the name map for the phase's end; a record renamed or deleted in
    the meantime (a re-sent record, an edit) still loses its old full-text row."""
    replica = create_replica(tmp_path / "replica.db", RawKey.generate())
    try:
        with replica.writer.begin() as conn:
            bulk_phase.begin(conn)
        records = list(demo_data.generate(seed=11, accounts=60, now=NOW))
        with replica.writer.begin() as conn:
            bulk_load.bulk_apply(conn, records)
        contacts = [r for r in records if isinstance(r, Contact) and not r.meta.deleted]
        renamed, removed = contacts[0], contacts[1]
        account = next(r for r in records if not isinstance(r, Contact) and not r.meta.deleted)
        with replica.writer.begin() as conn:
            assert bulk_phase.maps_names_later(conn)
            conn.exec_driver_sql(
                "UPDATE contacts SET name = 'Zqxwv Renamed' WHERE id = ?", (renamed.meta.id,)
            )
            conn.exec_driver_sql("DELETE FROM contacts WHERE id = ?", (removed.meta.id,))
            conn.exec_driver_sql(
                "UPDATE accounts SET name = 'Jkvbn Renamed Ltd' WHERE id = ?", (account.meta.id,)
            )
            # Written again unchanged (a record sent twice): nothing to map, no scan.
            conn.exec_driver_sql(
                "UPDATE contacts SET name = name, deleted = deleted WHERE id = ?",
                (contacts[3].meta.id,),
            )
        with replica.engine.connect() as conn:
            # Each change mapped its record on the way (and only those records).
            assert set(_name_map(conn)) == {
                ("contact", renamed.meta.id),
                ("account", account.meta.id),
            }
            assert len(conn.exec_driver_sql("SELECT rowid FROM name_index").all()) == len(
                _name_map_expected(conn)
            )
        assert _hits(replica.engine, "Zqxwv") == {(renamed.account_id, renamed.meta.id)}
        assert ("contact", renamed.meta.id) not in {
            ("contact", c) for _, c in _hits(replica.engine, renamed.name)
        }
        assert all(c != removed.meta.id for _, c in _hits(replica.engine, removed.name))
        assert (account.meta.id, None) in _hits(replica.engine, "Jkvbn")

        bulk_phase.finish(replica.writer)
        with replica.engine.connect() as conn:
            assert _name_map(conn) == _name_map_expected(conn)
            assert not {
                str(r[0])
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                )
            } & set(bulk_phase.NAME_ROWS_TRIGGERS)
        # After the phase, the ordinary triggers find the records through the filled map.
        other = contacts[2]
        with replica.writer.begin() as conn:
            conn.exec_driver_sql("DELETE FROM contacts WHERE id = ?", (other.meta.id,))
        with replica.engine.connect() as conn:
            assert _name_map(conn) == _name_map_expected(conn)
        assert replica.integrity_check() == []
    finally:
        replica.close()


def test_contacts_sent_again_during_the_bulk_phase_build_the_phone_index_first(
    tmp_path: Path,
) -> None:
    """A re-sent contact's phones are replaced by contact id: the load builds that deferred
    index then (once) rather than scanning the phone rows for each contact."""
    replica = create_replica(tmp_path / "replica.db", RawKey.generate())
    try:
        with replica.writer.begin() as conn:
            bulk_phase.begin(conn)
        records = list(demo_data.generate(seed=13, accounts=40, now=NOW))
        with replica.writer.begin() as conn:
            bulk_load.bulk_apply(conn, records)
        with replica.engine.connect() as conn:
            assert "ix_contact_phones_contact_id" in bulk_phase.pending(conn)
            phones = conn.exec_driver_sql(
                "SELECT contact_id, position, e164 FROM contact_phones ORDER BY 1, 2"
            ).all()
        with replica.writer.begin() as conn:
            bulk_load.bulk_apply(conn, [r for r in records if isinstance(r, Contact)])
        with replica.engine.connect() as conn:
            assert "ix_contact_phones_contact_id" not in bulk_phase.pending(conn)
            assert "ix_contact_phones_contact_id" in _indexes(conn)
            again = conn.exec_driver_sql(
                "SELECT contact_id, position, e164 FROM contact_phones ORDER BY 1, 2"
            ).all()
        assert again == phones and phones
        # finish() builds the rest and does not trip over the one already built.
        assert bulk_phase.finish(replica.writer) == len(bulk_phase.DEFERRED_INDEXES)
        with replica.engine.connect() as conn:
            assert _name_map(conn) == _name_map_expected(conn)
        assert replica.integrity_check() == []
    finally:
        replica.close()
