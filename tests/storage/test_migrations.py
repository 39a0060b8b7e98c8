"""Alembic revisions: head matches schema.py, the name search works, old replicas upgrade."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from desktop_crm.storage import migrations, queries, schema
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica, migrate, open_replica
from desktop_crm.storage.schema import NAME_INDEX_SHADOW_TABLES, NAME_INDEX_TABLE, metadata
from tests.storage.conftest import dir_snapshot

DATA = Path(__file__).resolve().parent.parent / "data"


def _load_make_script():
    spec = importlib.util.spec_from_file_location("make_replica_v1", DATA / "make_replica_v1.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


V1 = _load_make_script()


def _not_fts(name, type_, parent_names) -> bool:
    if type_ == "table":
        return name not in NAME_INDEX_SHADOW_TABLES and name != "alembic_version"
    return True


def _default_differs(
    context, inspected_column, metadata_column, inspected, metadata_default, rendered
) -> bool:
    # SQLite reflects defaults as SQL text ("'prospect'", "0"); compare without quoting.
    def norm(value) -> str | None:
        return None if value is None else str(value).strip("()'\"")

    return norm(inspected) != norm(rendered)


def _schema_diffs(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": _not_fts,
                "compare_type": True,
                "compare_server_default": _default_differs,
            },
        )
        return compare_metadata(context, metadata)


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return set(rows.scalars())


def _search(engine, query: str) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity, record_id, account_id FROM name_index "
                "WHERE name_index MATCH :q ORDER BY entity, record_id"
            ),
            {"q": f'"{query}"'},
        )
        return [tuple(r) for r in rows]


def test_revisions_are_linear():
    assert migrations.known_revisions() == {f"{n:04d}" for n in range(1, 10)} | {
        "0011", "0012", "0013", "0014"
    }
    assert migrations.head_revision() == "0014"


def test_head_matches_schema_py(replica):
    assert _schema_diffs(replica.engine) == []


def _diff_names(diffs) -> set[tuple[str, str]]:
    # ("add_column"/"remove_column", schema, table, column) name their column last; the others
    # name their object.
    return {(d[0], d[3].name if d[0].endswith("_column") else d[1].name) for d in diffs}


#: What revisions 0003 to 0007 change in the metadata's terms (0002 adds only the FTS5 table).
#: Revision 0013: the activities counted per author and day (its triggers are not in
#: metadata) and the forecast's index.
#: Revision 0014: the account list's covering index.
CHANGES_0014 = {("add_index", "ix_accounts_live_name")}
CHANGES_0013 = {
    ("add_table", "activity_day_counts"),
    ("add_index", "ix_opportunities_forecast"),
} | CHANGES_0014
CHANGES_0012 = {
    ("add_table", "account_system_tags"),
    ("add_index", "ix_account_system_tags_name"),
} | CHANGES_0013
#: Revision 0011: a contact's consent per channel, with date and source, and do-not-contact.
CHANGES_0011 = CHANGES_0012 | {
    ("add_index", "ix_activities_account_start"),
    ("remove_index", "ix_activities_account_start"),
} | {
    ("add_column", name)
    for name in (
        "consent_phone_at",
        "consent_phone_source",
        "consent_email_at",
        "consent_email_source",
        "consent_sms",
        "consent_sms_at",
        "consent_sms_source",
        "do_not_contact",
    )
}
CHANGES_0009 = {
    # The activity feed's time index, widened to (start_at, author_id, deleted).
    ("add_index", "ix_activities_start_at"),
    ("remove_index", "ix_activities_start_at"),
    ("add_index", "ix_stage_history_report"),
    ("add_index", "ix_opportunities_report"),
    ("add_index", "ix_activities_overdue_report"),
} | CHANGES_0011
CHANGES_0008 = {("add_column", "reason")} | CHANGES_0009
CHANGES_0007 = {("add_table", "masked_fields")} | CHANGES_0008
CHANGES_0006 = {
    ("add_column", "from_status"),
    ("add_column", "to_status"),
    ("remove_column", "old_status"),
    ("remove_column", "new_status"),
} | CHANGES_0007
# Before 0005 there is no time index at all, so nothing of it to remove.
CHANGES_0005 = ({("add_index", "ix_activities_start_at")} | CHANGES_0006) - {
    ("remove_index", "ix_activities_start_at")
}
CHANGES_0004 = {
    ("add_column", "contact_name"),
    ("add_column", "account_name"),
    ("add_column", "account_live"),
    ("add_index", "ix_contact_phones_lookup"),
} | CHANGES_0005
CHANGES_0003 = {
    ("add_table", "name_index_rows"),
    ("remove_index", "ix_contact_phones_e164"),
    ("remove_index", "ix_contact_phones_digits_reversed"),
} | CHANGES_0004


def test_revision_0001_lacks_only_the_name_index(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0001") as rep:
        assert rep.schema_revision == "0001"
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0003
        with rep.engine.connect() as conn:
            tables = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
            )
        assert NAME_INDEX_TABLE not in tables
        assert set(metadata.tables) - tables == {
            "name_index_rows",
            "masked_fields",
            "account_system_tags",
            "activity_day_counts",
        }


def test_revision_0002_lacks_only_what_0003_adds(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0002") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0003


def test_revision_0003_lacks_only_what_0004_adds(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0003") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0004 | {
            ("remove_index", "ix_contact_phones_suffix")
        }


def test_name_index_follows_accounts_and_contacts(replica):
    engine = replica.engine
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts(id, name, updated_at) VALUES "
                "('a1', '上海浦东发展有限公司', 'x'), ('a2', 'Gone Ltd', 'x')"
            )
        )
        conn.execute(text("UPDATE accounts SET deleted = 1 WHERE id = 'a2'"))
        conn.execute(
            text(
                "INSERT INTO contacts(id, account_id, name, updated_at) VALUES "
                "('c1', 'a1', '李雷', 'x'), ('c2', 'a1', 'Hanna Meier', 'x')"
            )
        )
    assert _search(engine, "浦东发") == [("account", "a1", "a1")]
    assert _search(engine, "Gone") == []
    assert _search(engine, "meier") == [("contact", "c2", "a1")]  # trigram is case-insensitive

    with engine.begin() as conn:
        conn.execute(text("UPDATE accounts SET name = 'Pudong Development' WHERE id = 'a1'"))
        conn.execute(text("UPDATE contacts SET account_id = 'a9' WHERE id = 'c2'"))
        conn.execute(text("UPDATE accounts SET deleted = 0 WHERE id = 'a2'"))
        conn.execute(text("DELETE FROM contacts WHERE id = 'c1'"))
    assert _search(engine, "浦东发") == []
    assert _search(engine, "pudong") == [("account", "a1", "a1")]
    assert _search(engine, "Meier") == [("contact", "c2", "a9")]
    assert _search(engine, "Gone") == [("account", "a2", "a2")]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM accounts WHERE id = 'a2'"))
        conn.execute(text("UPDATE contacts SET deleted = 1 WHERE id = 'c2'"))
    assert _search(engine, "Gone") == []
    assert _search(engine, "Meier") == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM name_index")).scalar() == 1


def test_downgrade_and_upgrade_again(replica):
    with replica.engine.begin() as conn:
        conn.execute(text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'Acme', 'x')"))
    with replica.engine.begin() as conn:
        migrations.downgrade(conn, "0001")
    assert _triggers(replica.engine) == set()
    assert replica.schema_revision == "0001"
    migrate(replica.engine)
    assert replica.schema_revision == "0014"
    assert len(_triggers(replica.engine)) == 12
    assert _search(replica.engine, "Acme") == [("account", "a1", "a1")]
    assert replica.integrity_check() == []


@pytest.fixture
def v1_copy(tmp_path) -> Path:
    target = tmp_path / "v1.db"
    shutil.copyfile(DATA / "replica_v1.db", target)
    return target


def test_stored_v1_replica_upgrades(v1_copy, tmp_path):
    key = RawKey.from_hex(V1.TEST_KEY_HEX)
    with open_replica(v1_copy, key, upgrade=False) as rep:
        assert rep.schema_revision == "0001"

    with open_replica(v1_copy, key) as rep:
        assert rep.schema_revision == migrations.head_revision()
        assert _schema_diffs(rep.engine) == []
        assert rep.integrity_check() == []
        with rep.engine.connect() as conn:
            accounts = conn.execute(
                text("SELECT id, name, deleted, notes FROM accounts ORDER BY id")
            ).all()
            contacts = conn.execute(
                text("SELECT id, account_id, name, deleted FROM contacts ORDER BY id")
            ).all()
            phones = conn.execute(
                text("SELECT contact_id, raw, e164, digits_reversed FROM contact_phones")
            ).all()
            former = conn.execute(text("SELECT name FROM account_former_names")).scalars().all()
            statuses = conn.execute(
                text(
                    "SELECT account_id, from_status, to_status, changed_at, changed_by "
                    "FROM account_status_log ORDER BY id"
                )
            ).all()
        assert [(a.id, a.name, a.deleted) for a in accounts] == [
            (id_, name, bool(d)) for id_, name, d in V1.ACCOUNTS
        ]
        assert all(a.notes == V1.NOTE for a in accounts)
        assert [tuple(c) for c in contacts] == [(i, a, n, bool(d)) for i, a, n, d in V1.CONTACTS]
        assert sorted(tuple(p) for p in phones) == sorted(
            (c, raw, e164, rev) for c, _a, raw, e164, rev in V1.PHONES
        )
        assert former == ["远望科技"]
        # Revision 0006 renamed the status log's columns; the rows are as they were.
        assert [tuple(s) for s in statuses] == V1.STATUS_LOG

        # The data migration indexed the rows that were already there (live ones only).
        assert _search(rep.engine, "远望星辰") == [("account", "acc-1", "acc-1")]
        assert _search(rep.engine, "王小明") == [("contact", "con-1", "acc-1")]
        assert _search(rep.engine, "sonnenschein") == [("contact", "con-2", "acc-2")]
        assert _search(rep.engine, "Deleted Trading") == []
        assert _search(rep.engine, "Removed") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.db"]


def test_stored_v1_replica_wrong_key_untouched(v1_copy, tmp_path):
    from desktop_crm.storage.errors import WrongKey

    before = dir_snapshot(tmp_path)
    with pytest.raises(WrongKey):
        open_replica(v1_copy, RawKey.generate())
    assert dir_snapshot(tmp_path) == before


# Revision 0003: renames and deletes go by FTS rowid through name_index_rows -------------------


def _trigger_statements(engine, name: str) -> list[str]:
    with engine.connect() as conn:
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
        ).scalar_one()
    body = sql[sql.upper().index("BEGIN") + len("BEGIN") : sql.upper().rindex("END")]
    return [s.strip() for s in body.split(";") if s.strip()]


def _map_is_consistent(conn) -> None:
    """Every FTS row is mapped exactly once, to the record (live) it indexes."""
    fts = conn.execute(text("SELECT rowid, entity, record_id FROM name_index")).all()
    mapped = conn.execute(text("SELECT fts_rowid, entity, record_id FROM name_index_rows")).all()
    assert sorted(map(tuple, fts)) == sorted(map(tuple, mapped))
    live = conn.execute(
        text(
            "SELECT 'account', id FROM accounts WHERE deleted = 0 "
            "UNION ALL SELECT 'contact', id FROM contacts WHERE deleted = 0"
        )
    ).all()
    assert sorted((e, r) for _, e, r in fts) == sorted(map(tuple, live))


@pytest.mark.parametrize("trigger", ["accounts_au", "accounts_ad", "contacts_au", "contacts_ad"])
def test_rename_and_delete_triggers_do_not_scan_the_name_index(replica, trigger):
    """The 0002 triggers' ``DELETE … WHERE entity = ? AND record_id = ?`` scanned the FTS table
    (UNINDEXED columns); every statement of the 0003 triggers is an index lookup."""
    statements = _trigger_statements(replica.engine, f"name_index_{trigger}")
    assert statements
    with replica.engine.connect() as conn:
        for statement in statements:
            bound = statement.replace("old.", ":old_").replace("new.", ":new_")
            params = {
                k: "x" if k.endswith(("id", "name")) else 0
                for k in ("old_id", "new_id", "new_name", "new_account_id", "new_deleted")
            }
            params = {k: v for k, v in params.items() if f":{k}" in bound}
            plan = " | ".join(
                str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + bound), params)
            )
            # "SCAN name_index VIRTUAL TABLE INDEX 0:=" is FTS5's rowid lookup; a plain
            # "INDEX 0:" (no constraint) would be the full scan.
            if statement.startswith("DELETE FROM name_index WHERE"):
                assert "VIRTUAL TABLE INDEX 0:=" in plan, (statement, plan)
                assert "SEARCH name_index_rows USING PRIMARY KEY" in plan, (statement, plan)
            assert "SCAN name_index_rows" not in plan, (statement, plan)


def test_renames_and_deletes_at_20k_contacts_keep_search_right(replica):
    from datetime import UTC, datetime

    from desktop_crm.domain import demo_data
    from desktop_crm.storage import bulk_load

    now = datetime(2025, 6, 2, tzinfo=UTC)
    records = list(demo_data.generate_contacts(20_000, seed=5, now=now))
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, records, batch_size=7000)
        _map_is_consistent(conn)
    contacts = [r for r in records if r.ENTITY.value == "contact"]
    accounts = [r for r in records if r.ENTITY.value == "account"]
    with replica.engine.begin() as conn:
        for i, contact in enumerate(contacts[:40]):
            conn.execute(
                text("UPDATE contacts SET name = :n WHERE id = :id"),
                {"n": f"Renamed Person {i:03d}", "id": contact.meta.id},
            )
        conn.execute(
            text("UPDATE contacts SET deleted = 1 WHERE id = :id"), {"id": contacts[50].meta.id}
        )
        conn.execute(text("DELETE FROM contacts WHERE id = :id"), {"id": contacts[51].meta.id})
        conn.execute(
            text("UPDATE accounts SET name = 'Zyxwv Renamed Holdings' WHERE id = :id"),
            {"id": accounts[0].meta.id},
        )
        conn.execute(
            text("UPDATE accounts SET deleted = 1 WHERE id = :id"), {"id": accounts[1].meta.id}
        )
        # Same name again: the update trigger must not re-index (and must not lose the row).
        conn.execute(
            text("UPDATE contacts SET name = name WHERE id = :id"), {"id": contacts[60].meta.id}
        )
        _map_is_consistent(conn)
    assert len(_search(replica.engine, "Renamed Person")) == 40
    assert _search(replica.engine, "Renamed Person 007") == [
        ("contact", contacts[7].meta.id, contacts[7].account_id)  # type: ignore[union-attr]
    ]
    assert all(r[1] != contacts[7].meta.id for r in _search(replica.engine, contacts[7].name))
    assert _search(replica.engine, "Zyxwv Renamed") == [
        ("account", accounts[0].meta.id, accounts[0].meta.id)
    ]
    for gone in (contacts[50], contacts[51]):
        assert all(r[1] != gone.meta.id for r in _search(replica.engine, gone.name))
    # More bulk loads after the edits keep the map right (explicit FTS rowids continue).
    more = list(demo_data.generate_contacts(3_000, seed=6, now=now))
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, more, batch_size=1000)
        _map_is_consistent(conn)


def test_upgrade_from_0002_fills_the_map_and_drops_duplicates(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0002") as rep:
        with rep.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts(id, name, updated_at) VALUES "
                    "('a1', 'Acme', 'x'), ('a2', 'Beta', 'x'), ('a3', 'Gone', 'x')"
                )
            )
            conn.execute(text("UPDATE accounts SET deleted = 1 WHERE id = 'a3'"))
            conn.execute(
                text(
                    "INSERT INTO contacts(id, account_id, name, updated_at) "
                    "VALUES ('c1', 'a1', '李雷', 'x')"
                )
            )
            # A stray second index row for a1, as a crash in an old bulk load could leave.
            conn.execute(
                text(
                    "INSERT INTO name_index(name, entity, record_id, account_id) "
                    "VALUES ('Acme', 'account', 'a1', 'a1')"
                )
            )
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        with rep.engine.connect() as conn:
            _map_is_consistent(conn)
        with rep.engine.begin() as conn:
            conn.execute(text("UPDATE accounts SET name = 'Acme Renamed' WHERE id = 'a1'"))
        assert _search(rep.engine, "Acme") == [("account", "a1", "a1")]
        assert _search(rep.engine, "Renamed") == [("account", "a1", "a1")]
        with rep.engine.connect() as conn:
            _map_is_consistent(conn)


def test_upgrade_to_0004_copies_names_into_phone_rows(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0003") as rep:
        with rep.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts(id, name, updated_at, deleted) VALUES "
                    "('a1', '上海华东精密机械有限公司', 'x', 0), ('a2', 'Gone Ltd', 'x', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO contacts(id, account_id, name, updated_at) VALUES "
                    "('c1', 'a1', '王芳', 'x'), ('c2', 'a2', 'Ann', 'x'),"
                    " ('c3', 'nowhere', 'Bo', 'x')"
                )
            )
            for contact_id, account_id, e164 in (
                ("c1", "a1", "+8613800138000"),
                ("c2", "a2", "+442079460321"),
                ("c3", "nowhere", "+14155552671"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO contact_phones(contact_id, account_id, raw, e164, "
                        "digits_reversed) VALUES (:c, :a, :e, :e, :r)"
                    ),
                    {"c": contact_id, "a": account_id, "e": e164, "r": e164[1:][::-1]},
                )
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        with rep.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT contact_id, contact_name, account_name, account_live "
                    "FROM contact_phones ORDER BY contact_id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("c1", "王芳", "上海华东精密机械有限公司", 1),
            ("c2", "Ann", "Gone Ltd", 0),
            ("c3", "Bo", "", 0),
        ]
        assert rep.integrity_check() == []


# Revision 0006: the status log's columns are named as on the server ----------------------------


STATUS_ROWS = [
    ("a1", None, "prospect", "2025-01-01T00:00:00+00:00", "u1"),
    ("a1", "prospect", "active", "2025-02-01T00:00:00+00:00", "u2"),
]


def _status_rows(engine, old: str, new: str) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT account_id, {old}, {new}, changed_at, changed_by "
                "FROM account_status_log ORDER BY id"
            )
        ).all()
    return [tuple(r) for r in rows]


def test_upgrade_to_0006_keeps_the_status_log_and_downgrade_restores_it(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0005") as rep:
        with rep.engine.begin() as conn:
            conn.execute(text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'A', 'x')"))
            for row in STATUS_ROWS:
                conn.execute(
                    text(
                        "INSERT INTO account_status_log(account_id, old_status, new_status, "
                        "changed_at, changed_by) VALUES (:a, :o, :n, :at, :by)"
                    ),
                    dict(zip(("a", "o", "n", "at", "by"), row, strict=True)),
                )
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        assert _schema_diffs(rep.engine) == []
        assert _status_rows(rep.engine, "from_status", "to_status") == STATUS_ROWS
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0005")
        assert _status_rows(rep.engine, "old_status", "new_status") == STATUS_ROWS
        assert rep.integrity_check() == []


# Revision 0007: which fields the server masked for this user -----------------------------------


def test_upgrade_to_0007_adds_the_masked_fields_table_and_downgrade_drops_it(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0006") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0007
        with rep.engine.begin() as conn:
            conn.execute(text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'A', 'x')"))
        migrate(rep.engine, "0007")
        assert rep.schema_revision == "0007"
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0008
        with rep.engine.begin() as conn:
            conn.execute(text("INSERT INTO masked_fields VALUES ('account', 'a1', '[\"notes\"]')"))
            migrations.downgrade(conn, "0006")
        with rep.engine.connect() as conn:
            tables = set(
                conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
            )
            assert conn.execute(text("SELECT count(*) FROM accounts")).scalar() == 1
        assert "masked_fields" not in tables
        assert rep.integrity_check() == []


# Revision 0008: the status log says why a status rule changed a status ------------------------


def test_upgrade_to_0008_keeps_the_status_log_without_reasons(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0007") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0008
        with rep.engine.begin() as conn:
            conn.execute(text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'A', 'x')"))
            for row in STATUS_ROWS:
                conn.execute(
                    text(
                        "INSERT INTO account_status_log(account_id, from_status, to_status, "
                        "changed_at, changed_by) VALUES (:a, :o, :n, :at, :by)"
                    ),
                    dict(zip(("a", "o", "n", "at", "by"), row, strict=True)),
                )
        migrate(rep.engine, "0008")
        assert rep.schema_revision == "0008"
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0009
        assert _status_rows(rep.engine, "from_status", "to_status") == STATUS_ROWS
        with rep.engine.connect() as conn:
            reasons = conn.execute(text("SELECT reason FROM account_status_log")).scalars().all()
        assert reasons == [None, None]
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0007")
        assert _status_rows(rep.engine, "from_status", "to_status") == STATUS_ROWS
        assert rep.integrity_check() == []


# Revision 0009: indexes the reports read without touching table rows ----------------------------


def test_upgrade_to_0009_adds_the_report_indexes_and_downgrade_drops_them(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0008") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0009
        migrate(rep.engine, "0009")
        assert rep.schema_revision == "0009"
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0011
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0008")
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0009
        assert rep.integrity_check() == []


# Revision 0011: consent per channel, with date and source, and do-not-contact ------------------


def test_upgrade_to_0011_keeps_contacts_and_their_answers_and_downgrade_keeps_them(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0009") as rep:
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0011
        with rep.engine.begin() as conn:
            conn.execute(text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'A', 'x')"))
            conn.execute(
                text(
                    "INSERT INTO contacts(id, account_id, name, consent_email, consent_phone, "
                    "updated_at) VALUES ('c1', 'a1', '李雷', 1, 0, 'x')"
                )
            )
        migrate(rep.engine, "0011")
        assert rep.schema_revision == "0011"
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0012
        query = text(
            "SELECT name, consent_email, consent_phone, consent_sms, do_not_contact, "
            "consent_phone_at, consent_email_source FROM contacts"
        )
        with rep.engine.connect() as conn:
            assert conn.execute(query).one() == ("李雷", 1, 0, 0, 0, None, "")
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0009")
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0011
        with rep.engine.connect() as conn:
            row = conn.execute(text("SELECT name, consent_email, consent_phone FROM contacts"))
            assert row.one() == ("李雷", 1, 0)


# Revision 0012: the system tags the server's rules computed -----------------------------------


def test_upgrade_to_0012_adds_system_tags_keeps_records_and_downgrades(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0011") as rep:
        with rep.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO accounts(id, name, updated_at) VALUES ('a1', 'Acme', 'x')")
            )
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0012
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        assert _schema_diffs(rep.engine) == []
        with rep.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO account_system_tags(account_id, name, reason) "
                    "VALUES ('a1', 'VIP', 'VIP: won a lot')"
                )
            )
            conn.execute(
                text("INSERT INTO sync_state(key, value) VALUES ('system_tags_cursor', '7')")
            )
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0011")
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0012
        with rep.engine.connect() as conn:
            assert conn.execute(text("SELECT id, name FROM accounts")).all() == [("a1", "Acme")]
            keys = set(conn.execute(text("SELECT key FROM sync_state")).scalars())
            assert "system_tags_cursor" not in keys
        assert rep.integrity_check() == []


# Revision 0013: activities counted per author and day, kept by triggers ---------------------


def test_upgrade_to_0013_counts_the_stored_activities_and_downgrade_drops_the_counts(tmp_path):
    rows = [  # id, start_at, author, deleted
        ("x1", "2026-03-01T23:59:59+00:00", "rep-a", 0),
        ("x2", "2026-03-01T00:00:00+00:00", "rep-a", 0),
        ("x3", "2026-03-02T00:00:00+00:00", "rep-a", 0),
        ("x4", "2026-03-02T08:00:00+00:00", "", 0),
        ("x5", "2026-03-02T09:00:00+00:00", "rep-a", 1),  # a tombstone counts nowhere
    ]
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0012") as rep:
        with rep.engine.begin() as conn:
            for row in rows:
                conn.execute(
                    text(
                        "INSERT INTO activities(id, account_id, kind, start_at, author_id, "
                        "deleted, updated_at) VALUES (:id, 'a1', 'call', :s, :a, :d, 'x')"
                    ),
                    dict(zip(("id", "s", "a", "d"), row, strict=True)),
                )
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0013
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        assert _schema_diffs(rep.engine) == []
        counts = "SELECT day, author_id, count FROM activity_day_counts ORDER BY 1, 2"
        with rep.engine.begin() as conn:
            assert conn.execute(text(counts)).all() == [
                ("2026-03-01", "rep-a", 2), ("2026-03-02", "", 1), ("2026-03-02", "rep-a", 1)
            ]
            conn.execute(text("UPDATE activities SET deleted = 0 WHERE id = 'x5'"))
            conn.execute(text("DELETE FROM activities WHERE id = 'x4'"))
            assert conn.execute(text(counts)).all() == [
                ("2026-03-01", "rep-a", 2), ("2026-03-02", "rep-a", 2)
            ]
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0012")
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0013
        assert not {t for t in _triggers(rep.engine) if t.startswith("activity_day_counts")}
        with rep.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM activities")).scalar_one() == 4
        assert rep.integrity_check() == []


# Revision 0014: the account list's ids from one covering index ---------------------------------


def _account_ids_plan(engine) -> str:
    query = select(schema.accounts.c.id).where(*queries.AccountFilter().clauses())
    query = query.order_by(schema.accounts.c.name, schema.accounts.c.id)
    compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        return " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled))


def test_upgrade_to_0014_reads_the_account_list_from_a_covering_index(tmp_path):
    with create_replica(tmp_path / "r.db", RawKey.generate(), revision="0013") as rep:
        with rep.engine.begin() as conn:
            rows = [("b", "Acme", 0), ("a", "Acme", 0), ("c", "Zed", 1), ("d", "Beta", 0)]
            for account_id, name, deleted in rows:
                conn.execute(
                    text(
                        "INSERT INTO accounts(id, name, deleted, updated_at) "
                        "VALUES (:i, :n, :d, 'x')"
                    ),
                    {"i": account_id, "n": name, "d": deleted},
                )
        assert "TEMP B-TREE" in _account_ids_plan(rep.engine)  # a sort of the name's ties
        migrate(rep.engine)
        assert rep.schema_revision == "0014"
        assert _schema_diffs(rep.engine) == []
        plan = _account_ids_plan(rep.engine)
        assert "COVERING INDEX ix_accounts_live_name" in plan and "TEMP B-TREE" not in plan
        with rep.engine.connect() as conn:
            assert queries.account_ids(conn) == ["a", "b", "d"]  # ties by id; no tombstone
            assert queries.account_ids(conn, descending=True) == ["d", "a", "b"]
        with rep.engine.begin() as conn:
            migrations.downgrade(conn, "0013")
        assert _diff_names(_schema_diffs(rep.engine)) == CHANGES_0014
        assert rep.integrity_check() == []
