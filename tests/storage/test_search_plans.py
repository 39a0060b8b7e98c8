"""The searches keep to their indexes on a replica at head.

A replica has no planner statistics (no ``ANALYZE``), so SQLite picks plans by rule, and an
index added for one query can turn another's plan around: ``ix_accounts_live_name`` with
``deleted`` first made the contact-name search drive from every live account (1.6 -> 77 ms at
100k contacts). These plans are what the search's speed rests on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.search import _LIKE_SQL, _NAME_SELECT, _PREFIX_SQL, next_prefix


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Replica:
    return create_replica(tmp_path_factory.mktemp("plans") / "r.db", RawKey.generate())


def _plan(engine: Engine, sql: str, parameters: tuple[object, ...]) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
        return [str(row[-1]) for row in rows]


def test_a_contact_name_prefix_is_a_range_of_the_contact_name_index(replica: Replica) -> None:
    plan = _plan(replica.engine, _PREFIX_SQL["contact"], ("张伟", next_prefix("张伟"), 50))
    assert plan[0].startswith("SEARCH c USING INDEX ix_contacts_name (name>? AND name<?)"), plan
    assert "SEARCH a USING INDEX sqlite_autoindex_accounts_1 (id=?)" in plan[1], plan


def test_an_account_name_prefix_is_a_range_of_a_name_index(replica: Replica) -> None:
    (step,) = _plan(replica.engine, _PREFIX_SQL["account"], ("Acme", next_prefix("Acme"), 50))
    assert step.startswith("SEARCH a USING") and "(name>? AND name<?)" in step, step


def test_a_name_inside_names_goes_through_the_trigram_index_then_the_account(
    replica: Replica,
) -> None:
    plan = _plan(replica.engine, _NAME_SELECT, ('"cme"', 50))
    assert plan[0].startswith("SCAN n VIRTUAL TABLE"), plan
    assert "SEARCH a USING INDEX sqlite_autoindex_accounts_1 (id=?)" in plan[1], plan


def test_a_short_text_inside_contact_names_scans_contacts_not_every_account(
    replica: Replica,
) -> None:
    plan = _plan(replica.engine, _LIKE_SQL["contact"], ("%伟%", 50))
    assert plan[0].startswith("SCAN c"), plan
    assert "(id=?)" in plan[1], plan


def test_the_account_list_reads_its_ids_from_one_covering_index(tmp_path: Path) -> None:
    # Also in test_migrations (the upgrade); here at head, descending too.
    from sqlalchemy import select

    from desktop_crm.storage import queries, schema

    with create_replica(tmp_path / "r.db", RawKey.generate()) as rep:
        for descending in (False, True):
            name, ident = schema.accounts.c.name, schema.accounts.c.id
            order = (name.desc(), ident.desc()) if descending else (name, ident)
            query = select(ident).where(*queries.AccountFilter().clauses()).order_by(*order)
            compiled = str(query.compile(rep.engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(_plan(rep.engine, compiled, ()))
            assert "COVERING INDEX ix_accounts_live_name" in plan and "TEMP B-TREE" not in plan
