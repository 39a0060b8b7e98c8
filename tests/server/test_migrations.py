"""Server migrations keep the rows of the tables they change (SQLite, and PostgreSQL when
DESKTOP_CRM_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, text
from sqlalchemy import inspect as sa_inspect

from desktop_crm.server import db
from desktop_crm.server import models as m

AT = "2025-03-01T09:00:00+00:00"
LATER = "2025-04-01T00:00:00+00:00"
FORMER_NAMES = [("a1", "远望科技", AT, "u1"), ("a1", "Yuanwang Tech", LATER, "u2")]
STATUS_LOG = [("a1", None, "prospect", AT, "u1"), ("a1", "prospect", "active", AT, "u2")]
STAGE_HISTORY = [("o1", None, "lead", AT, "u1"), ("o1", "lead", "won", AT, "u2")]


@pytest.fixture
def bare_engine(server_db_url: str) -> Iterator[Engine]:
    """An engine on an empty database (no migrations run)."""
    engine = db.make_engine(server_db_url)
    yield engine
    engine.dispose()


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_revision_0004_renames_replaced_at_and_keeps_the_history(bare_engine: Engine) -> None:
    db.migrate(bare_engine, "0003")
    with bare_engine.begin() as conn:
        for row in FORMER_NAMES:
            conn.execute(
                text(
                    "INSERT INTO account_former_names(account_id, name, replaced_at, changed_by)"
                    " VALUES (:a, :n, :at, :by)"
                ),
                dict(zip(("a", "n", "at", "by"), row, strict=True)),
            )
        for status in STATUS_LOG:
            conn.execute(
                text(
                    "INSERT INTO account_status_log(account_id, from_status, to_status,"
                    " changed_at, changed_by) VALUES (:a, :f, :t, :at, :by)"
                ),
                dict(zip(("a", "f", "t", "at", "by"), status, strict=True)),
            )
        for stage in STAGE_HISTORY:
            conn.execute(
                text(
                    "INSERT INTO stage_history(opportunity_id, from_stage, to_stage,"
                    " changed_at, changed_by) VALUES (:o, :f, :t, :at, :by)"
                ),
                dict(zip(("o", "f", "t", "at", "by"), stage, strict=True)),
            )

    db.migrate(bare_engine, "0004")
    assert db.current_revision(bare_engine) == "0004"
    names = "SELECT account_id, name, {}, changed_by FROM account_former_names ORDER BY id"
    assert _rows(bare_engine, names.format("changed_at")) == FORMER_NAMES
    assert (
        _rows(
            bare_engine,
            "SELECT account_id, from_status, to_status, changed_at, changed_by"
            " FROM account_status_log ORDER BY id",
        )
        == STATUS_LOG
    )
    assert (
        _rows(
            bare_engine,
            "SELECT opportunity_id, from_stage, to_stage, changed_at, changed_by"
            " FROM stage_history ORDER BY id",
        )
        == STAGE_HISTORY
    )
    # The table takes new rows as the models describe it (ids continue).
    with bare_engine.begin() as conn:
        conn.execute(
            insert(m.account_former_names).values(
                account_id="a2", name="Old", changed_at=AT, changed_by="u3"
            )
        )
        ids = list(conn.scalars(select(m.account_former_names.c.id).order_by("id")))
    assert len(set(ids)) == 3

    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0003")
    assert _rows(bare_engine, names.format("replaced_at"))[:2] == FORMER_NAMES


def test_revision_0006_adds_cascade_deletions_and_keeps_the_records(bare_engine: Engine) -> None:
    db.migrate(bare_engine, "0005")
    record = {
        "entity": "contact",
        "id": "c1",
        "account_id": "a1",
        "data": "{}",
        "version": '{"server":1}',
        "deleted": True,
        "updated_at": AT,
        "updated_by": "u1",
        "change_seq": 1,
    }
    with bare_engine.begin() as conn:
        conn.execute(insert(m.records).values(**record))
    db.migrate(bare_engine)
    with bare_engine.begin() as conn:
        conn.execute(
            insert(m.cascade_deletions).values(
                entity="contact", id="c1", account_id="a1", deleted_at=AT
            )
        )
    assert _rows(bare_engine, "SELECT entity, id, account_id FROM cascade_deletions") == [
        ("contact", "c1", "a1")
    ]
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0005")
    kept = _rows(bare_engine, "SELECT entity, id, deleted FROM records")
    assert kept == [("contact", "c1", True)]
    with bare_engine.connect() as conn:
        assert "cascade_deletions" not in sa_inspect(conn).get_table_names()


def test_revision_0008_adds_the_status_reason_and_keeps_the_log(bare_engine: Engine) -> None:
    db.migrate(bare_engine, "0007")
    log = (
        "SELECT account_id, from_status, to_status, changed_at, changed_by "
        "FROM account_status_log ORDER BY id"
    )
    with bare_engine.begin() as conn:
        for row in STATUS_LOG:
            conn.execute(
                text(
                    "INSERT INTO account_status_log(account_id, from_status, to_status, "
                    "changed_at, changed_by) VALUES (:a, :f, :t, :at, :by)"
                ),
                dict(zip(("a", "f", "t", "at", "by"), row, strict=True)),
            )
    db.migrate(bare_engine, "0008")
    assert db.current_revision(bare_engine) == "0008"
    assert _rows(bare_engine, log) == STATUS_LOG
    assert _rows(bare_engine, "SELECT reason FROM account_status_log") == [(None,), (None,)]
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0007")
    assert _rows(bare_engine, log) == STATUS_LOG
    with bare_engine.connect() as conn:
        columns = {c["name"] for c in sa_inspect(conn).get_columns("account_status_log")}
    assert "reason" not in columns


def test_revision_0010_fills_the_consent_fields_and_downgrade_keeps_recorded_consent(
    bare_engine: Engine,
) -> None:
    db.migrate(bare_engine, "0008")
    contact = '{"account_id":"a1","consent_phone":false,"name":"李雷"}'
    base = {"version": '{"server":1}', "deleted": False, "updated_at": AT, "change_seq": 1}
    with bare_engine.begin() as conn:
        conn.execute(
            insert(m.records),
            [
                {**base, "entity": "contact", "id": "c1", "account_id": "a1", "data": contact},
                {**base, "entity": "account", "id": "a1", "account_id": "a1", "data": "{}"},
            ],
        )
    db.migrate(bare_engine, "0010")
    assert db.current_revision(bare_engine) == "0010"
    stored = _data_by_id(bare_engine)
    assert stored["a1"] == {}
    data = stored["c1"]
    assert (data["name"], data["consent_phone"]) == ("李雷", False)
    assert (data["consent_sms"], data["do_not_contact"], data["consent_phone_at"]) == (
        False,
        False,
        None,
    )
    # Someone records a consent before the server is taken back: the downgrade keeps it.
    data["consent_sms"] = True
    with bare_engine.begin() as conn:
        conn.execute(
            m.records.update().where(m.records.c.id == "c1").values(data=json.dumps(data))
        )
        command.downgrade(db._alembic_config(conn), "0008")
    kept = _data_by_id(bare_engine)["c1"]
    assert kept == {"account_id": "a1", "consent_phone": False, "name": "李雷", "consent_sms": True}


def _data_by_id(engine: Engine) -> dict[str, Any]:
    return {str(r[0]): json.loads(str(r[1])) for r in _rows(engine, "SELECT id, data FROM records")}

def test_revision_0012_chains_the_existing_audit_entries(bare_engine: Engine) -> None:
    from desktop_crm.server import audit

    db.migrate(bare_engine, "0008")
    with bare_engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_log(at, actor_id, action, detail) "
                    "VALUES (:at, 'u1', 'login', :detail)"
                ),
                {"at": AT, "detail": f'{{"n": {n}}}'},
            )
    db.migrate(bare_engine)
    with bare_engine.begin() as conn:
        report = audit.verify(conn)
        assert report.ok and report.checked == 3  # the migration's hash is audit's
        audit.event(conn, "u2", None, "login", {})
    with bare_engine.connect() as conn:
        assert audit.verify(conn).checked == 4
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0008")
    assert len(_rows(bare_engine, "SELECT id FROM audit_log")) == 4
    with bare_engine.connect() as conn:
        assert "audit_chain" not in sa_inspect(conn).get_table_names()

def test_revision_0013_adds_the_erasure_and_archive_tables_and_drops_them(
    bare_engine: Engine,
) -> None:
    db.migrate(bare_engine, "0008")
    with bare_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO account_status_log(account_id, from_status, to_status, "
                "changed_at, changed_by) VALUES ('a', NULL, 'active', 't', 'u')"
            )
        )
    db.migrate(bare_engine, "0013")
    with bare_engine.connect() as conn:
        tables = set(sa_inspect(conn).get_table_names())
    assert {"erased_records", "archived_accounts"} <= tables
    assert _rows(bare_engine, "SELECT to_status FROM account_status_log") == [("active",)]
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0008")
    with bare_engine.connect() as conn:
        tables = set(sa_inspect(conn).get_table_names())
    assert not {"erased_records", "archived_accounts"} & tables
    assert _rows(bare_engine, "SELECT to_status FROM account_status_log") == [("active",)]


def test_revision_0011_adds_account_tags_and_keeps_the_records(bare_engine: Engine) -> None:
    db.migrate(bare_engine, "0008")
    with bare_engine.begin() as conn:
        conn.execute(insert(m.server_state).values(key="other", value="kept"))
    db.migrate(bare_engine, "0011")
    assert db.current_revision(bare_engine) == "0011"
    with bare_engine.begin() as conn:
        conn.execute(
            insert(m.account_tags).values(account_id="a1", tags="[]", seq=1, evaluated_at=AT)
        )
        conn.execute(insert(m.server_state).values(key="tag_rules", value="[]"))
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0008")
    with bare_engine.connect() as conn:
        assert "account_tags" not in sa_inspect(conn).get_table_names()
    assert _rows(bare_engine, "SELECT key, value FROM server_state") == [("other", "kept")]


def test_revision_0009_adds_the_duplicate_queue_and_merges_and_downgrades(
    bare_engine: Engine,
) -> None:
    db.migrate(bare_engine, "0008")
    with bare_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO account_former_names(account_id, name, changed_at, changed_by) "
                "VALUES ('a1', 'Old', '2026-01-01', 'u')"
            )
        )
    db.migrate(bare_engine, "0009")
    assert db.current_revision(bare_engine) == "0009"
    with bare_engine.connect() as conn:
        tables = set(sa_inspect(conn).get_table_names())
    assert {"duplicate_pairs", "merges"} <= tables
    assert _rows(bare_engine, "SELECT name FROM account_former_names") == [("Old",)]
    with bare_engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0008")
    with bare_engine.connect() as conn:
        tables = set(sa_inspect(conn).get_table_names())
    assert not {"duplicate_pairs", "merges"} & tables
    assert _rows(bare_engine, "SELECT name FROM account_former_names") == [("Old",)]
