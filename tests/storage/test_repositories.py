"""Records in a real encrypted replica: round trips, the local-edit transaction (outbox, base
copy, version vector), derived rows, tombstones, remote application and the bulk loader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from desktop_crm.domain import demo_data
from desktop_crm.domain.records import (
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
    Phone,
    RecordMeta,
    SyncedRecord,
)
from desktop_crm.domain.validation import ValidationFailed, ensure_valid
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.protocol.messages import Removal, WireRecord
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import (
    account_former_names,
    account_status_log,
    base_copies,
    contact_phones,
    opportunity_stage_history,
    outbox,
)

ME = "replica-me"
USER = "user-1"
T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def conn(replica: Replica) -> Iterator[Connection]:
    with replica.engine.connect() as connection:
        yield connection


def count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def remote(record: SyncedRecord, version: dict[str, int] | None = None) -> StoredRecord:
    """``record`` as if it came from the server (validated there: phones normalized)."""
    ensure_valid(record)
    record.meta = RecordMeta(
        id=record.meta.id,
        version=VersionVector(version or {"server": 1}),
        updated_at=T0,
        updated_by="someone",
    )
    return StoredRecord.from_record(record)


def sample_records() -> tuple[Account, Contact, Opportunity, Activity]:
    account = Account(
        name="上海华东精密机械有限公司",
        industry="manufacturing",
        status="active",
        owner_id=USER,
        country="CN",
        tags=["VIP", "export"],
        notes="总部在浦东",
    )
    contact = Contact(
        account_id=account.meta.id,
        name="王芳",
        title="采购经理",
        decision_weight=70,
        emails=["wang.fang@huadong.com.cn"],
        phones=[
            Phone("+86 138 0013 8000", primary=True),
            Phone("021-6234 5678 转 801", kind="work"),
        ],
        consent_email=True,
    )
    opportunity = Opportunity(
        account_id=account.meta.id,
        name="生产线升级 2025",
        stage="proposal",
        amount=Decimal("1250000.50"),
        probability=50,
        expected_close=date(2025, 9, 30),
        owner_id=USER,
    )
    activity = Activity(
        account_id=account.meta.id,
        kind="call",
        start_at=datetime(2025, 5, 20, 3, 15, tzinfo=UTC),
        contact_id=contact.meta.id,
        opportunity_id=opportunity.meta.id,
        direction="inbound",
        duration_minutes=12,
        participants=["王芳"],
        summary="询价",
        follow_up_at=datetime(2025, 5, 27, 3, 0, tzinfo=UTC),
    )
    return (account, contact, opportunity, activity)


# Round trips --------------------------------------------------------------------------------


def test_save_local_round_trips_every_entity(conn: Connection) -> None:
    records = sample_records()
    for record in records:
        store.save_local(conn, record, ME, USER)
    conn.commit()
    repos: dict[Entity, store.Repository[Any]] = {
        Entity.ACCOUNT: store.accounts,
        Entity.CONTACT: store.contacts,
        Entity.OPPORTUNITY: store.opportunities,
        Entity.ACTIVITY: store.activities,
    }
    for record in records:
        loaded = repos[record.ENTITY].get(conn, record.meta.id)
        assert loaded == record
        assert loaded is not None and type(loaded) is type(record)
        assert loaded.meta.version == VersionVector({ME: 1})
        assert loaded.meta.updated_by == USER
    contact = store.contacts.get(conn, records[1].meta.id)
    assert contact is not None
    assert [p.e164 for p in contact.phones] == ["+8613800138000", "+862162345678"]
    assert contact.phones[1].extension == "801"


def test_apply_remote_round_trips_stored_records(conn: Connection) -> None:
    for record in sample_records():
        stored = remote(record, {"server": 3, "other": 2})
        store.apply_remote(conn, stored)
        assert store.read_record(conn, stored.entity, stored.id) == stored
        assert store.read_record(conn, stored.entity, stored.id).to_record() == record  # type: ignore[union-attr]
    assert count(conn, outbox) == 0
    assert count(conn, base_copies) == 0


def test_from_wire(conn: Connection) -> None:
    account = sample_records()[0]
    wire = WireRecord(
        entity=Entity.ACCOUNT,
        id=account.meta.id,
        version={"server": 2},
        updated_at=T0,
        updated_by="admin",
        data=account.data(),
    )
    stored = StoredRecord.from_wire(wire)
    store.apply_remote(conn, stored)
    loaded = store.accounts.get(conn, account.meta.id)
    assert loaded is not None and loaded.name == account.name
    assert loaded.meta.version == VersionVector({"server": 2})
    assert loaded.meta.updated_at == T0


def test_get_missing_and_list(conn: Connection) -> None:
    assert store.contacts.get(conn, "nope") is None
    assert store.read_record(conn, "contact", "nope") is None
    records = sample_records()
    for record in records:
        store.save_local(conn, record, ME, USER)
    account_id = records[0].meta.id
    assert [c.name for c in store.contacts.list(conn, account_id=account_id)] == ["王芳"]
    assert store.contacts.list(conn, account_id="other") == []
    assert [a.meta.id for a in store.accounts.list(conn, account_id=account_id)] == [account_id]
    assert set(store.accounts.get_many(conn, [account_id, "x"])) == {account_id}


# The local edit transaction -------------------------------------------------------------------


def test_local_create_queues_outbox_without_base_copy(conn: Connection) -> None:
    account = sample_records()[0]
    store.save_local(conn, account, ME, USER)
    entries = book.outbox_for_record(conn, "account", account.meta.id)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.base_version == VersionVector()
    assert entry.new_version == VersionVector({ME: 1})
    assert entry.data == account.data()
    assert set(entry.changed_fields) == set(account.data())
    assert not entry.deleted
    assert book.get_base_copy(conn, "account", account.meta.id) is None  # never synced


def test_edit_of_synced_record_bumps_vector_and_keeps_base(conn: Connection) -> None:
    account = sample_records()[0]
    synced = remote(account, {"server": 4})
    store.apply_remote(conn, synced)

    account.name = "上海华东精密机械股份有限公司"
    account.notes = "改制"
    saved = store.save_local(conn, account, ME, USER)
    assert saved.meta.version == VersionVector({"server": 4, ME: 1})

    [entry] = book.outbox_for_record(conn, "account", account.meta.id)
    assert entry.base_version == VersionVector({"server": 4})
    assert entry.new_version == VersionVector({"server": 4, ME: 1})
    assert entry.changed_fields == ("name", "notes")
    base = book.get_base_copy(conn, "account", account.meta.id)
    assert base is not None
    assert base.version == VersionVector({"server": 4})
    assert base.data == synced.data

    # A second unsynced edit: the base copy stays the last synced version.
    account.status = "dormant"
    store.save_local(conn, account, ME, USER)
    entries = book.outbox_for_record(conn, "account", account.meta.id)
    assert [e.new_version for e in entries] == [
        VersionVector({"server": 4, ME: 1}),
        VersionVector({"server": 4, ME: 2}),
    ]
    assert entries[1].base_version == entries[0].new_version
    assert entries[1].changed_fields == ("status",)
    base = book.get_base_copy(conn, "account", account.meta.id)
    assert base is not None and base.data == synced.data


def test_unchanged_save_writes_nothing(conn: Connection) -> None:
    account = sample_records()[0]
    store.apply_remote(conn, remote(account))
    loaded = store.accounts.get(conn, account.meta.id)
    assert loaded is not None
    store.save_local(conn, loaded, ME, USER)
    assert count(conn, outbox) == 0 and count(conn, base_copies) == 0
    assert loaded.meta.version == VersionVector({"server": 1})


def test_validation_error_writes_nothing(replica: Replica) -> None:
    account, contact, *_ = sample_records()
    with replica.engine.begin() as conn:
        store.save_local(conn, account, ME, USER)
    contact.phones.append(Phone("12345"))
    with replica.engine.connect() as conn:
        with pytest.raises(ValidationFailed) as caught:
            store.save_local(conn, contact, ME, USER)
        assert "phones" in str(caught.value)
        conn.commit()
    with replica.engine.connect() as conn:
        assert store.contacts.get(conn, contact.meta.id) is None
        assert count(conn, outbox) == 1  # the account's
        assert count(conn, contact_phones) == 0


def test_failure_midway_leaves_nothing_half_written(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = sample_records()[0]
    with replica.engine.begin() as conn:
        store.apply_remote(conn, remote(account))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(book, "add_outbox_entry", broken)
    account.name = "新名字有限公司"
    account.status = "former"
    with replica.engine.connect() as conn:
        with pytest.raises(RuntimeError):
            store.save_local(conn, account, ME, USER)
    with replica.engine.connect() as conn:
        stored = store.accounts.get(conn, account.meta.id)
        assert stored is not None and stored.name == "上海华东精密机械有限公司"
        assert stored.meta.version == VersionVector({"server": 1})
        assert count(conn, base_copies) == 0
        assert count(conn, account_former_names) == 0
        assert count(conn, account_status_log) == 1  # the initial status only


def test_failure_inside_callers_transaction_rolls_back_only_the_edit(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = Account(name="First Co"), Account(name="Second Co")
    with replica.engine.connect() as conn:
        store.save_local(conn, first, ME, USER)
        monkeypatch.setattr(book, "add_outbox_entry", lambda *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            store.save_local(conn, second, ME, USER)
        monkeypatch.undo()
        conn.commit()
    with replica.engine.connect() as conn:
        assert store.accounts.get(conn, first.meta.id) is not None
        assert store.accounts.get(conn, second.meta.id) is None


# Derived rows ---------------------------------------------------------------------------------


def test_phone_rows_follow_the_contact(conn: Connection) -> None:
    account, contact, *_ = sample_records()
    store.save_local(conn, account, ME, USER)
    store.save_local(conn, contact, ME, USER)
    p = contact_phones.c
    rows = conn.execute(
        select(
            p.position, p.raw, p.e164, p.extension, p.digits_reversed, p.is_primary, p.account_id
        )
        .where(p.contact_id == contact.meta.id)
        .order_by(p.position)
    ).all()
    assert [tuple(r) for r in rows] == [
        (0, "+86 138 0013 8000", "+8613800138000", None, "0008310083168", True, account.meta.id),
        (1, "021-6234 5678 转 801", "+862162345678", "801", "876543261268", False, account.meta.id),
    ]
    contact.phones = [Phone("+1 415-555-2671", kind="work", primary=True)]
    store.save_local(conn, contact, ME, USER)
    pairs = conn.execute(
        select(p.e164, p.digits_reversed).where(p.contact_id == contact.meta.id)
    ).all()
    assert [tuple(r) for r in pairs] == [("+14155552671", "17625555141")]


def test_history_rows(conn: Connection) -> None:
    account, _, opportunity, _ = sample_records()
    store.apply_remote(conn, remote(account))
    store.apply_remote(conn, remote(opportunity))
    account.name = "华东精密（集团）有限公司"
    account.status = "dormant"
    store.save_local(conn, account, ME, USER)
    account.name = "华东精密集团"
    store.save_local(conn, account, ME, USER)
    opportunity.stage = "negotiation"
    store.save_local(conn, opportunity, ME, USER)
    # A remote change of stage is history too.
    theirs = store.read_record(conn, "opportunity", opportunity.meta.id)
    assert theirs is not None
    store.apply_remote(
        conn,
        StoredRecord(
            entity=Entity.OPPORTUNITY,
            id=theirs.id,
            version=theirs.version.bump("server"),
            deleted=False,
            updated_at=T0,
            updated_by="manager",
            data={**theirs.data, "stage": "won", "probability": 100},
        ),
    )

    names = conn.execute(
        select(account_former_names.c.name, account_former_names.c.changed_by).order_by(
            account_former_names.c.id
        )
    ).all()
    assert [tuple(n) for n in names] == [
        ("上海华东精密机械有限公司", USER),
        ("华东精密（集团）有限公司", USER),
    ]
    log = account_status_log.c
    statuses = conn.execute(select(log.from_status, log.to_status).order_by(log.id)).all()
    assert [tuple(s) for s in statuses] == [(None, "active"), ("active", "dormant")]
    h = opportunity_stage_history.c
    stages = conn.execute(select(h.from_stage, h.to_stage, h.changed_by).order_by(h.id)).all()
    assert [tuple(s) for s in stages] == [
        (None, "proposal", "someone"),
        ("proposal", "negotiation", USER),
        ("negotiation", "won", "manager"),
    ]


# Tombstones ---------------------------------------------------------------------------------


def test_delete_is_a_tombstone_hidden_from_reads(conn: Connection) -> None:
    account, contact, *_ = sample_records()
    store.apply_remote(conn, remote(account))
    store.apply_remote(conn, remote(contact))
    deleted = store.contacts.delete(conn, contact.meta.id, ME, USER)
    assert deleted is not None and deleted.meta.deleted
    assert store.contacts.get(conn, contact.meta.id) is None
    tomb = store.contacts.get(conn, contact.meta.id, include_deleted=True)
    assert tomb is not None and tomb.meta.deleted
    assert tomb.meta.version == VersionVector({"server": 1, ME: 1})
    assert store.contacts.list(conn, account_id=account.meta.id) == []
    assert len(store.contacts.list(conn, include_deleted=True)) == 1
    assert count(conn, contact_phones) == 0
    names = conn.exec_driver_sql("SELECT count(*) FROM name_index WHERE entity = 'contact'")
    assert names.scalar() == 0
    [entry] = book.outbox_for_record(conn, "contact", contact.meta.id)
    assert entry.deleted and entry.changed_fields == ()
    base = book.get_base_copy(conn, "contact", contact.meta.id)
    assert base is not None and not base.deleted
    assert store.contacts.delete(conn, contact.meta.id, ME, USER) is None  # already gone


def test_remote_tombstone_and_revival(conn: Connection) -> None:
    account = sample_records()[0]
    stored = remote(account)
    store.apply_remote(conn, stored)
    dead = StoredRecord(
        **{**_fields(stored), "deleted": True, "version": stored.version.bump("server")}
    )
    store.apply_remote(conn, dead)
    assert store.accounts.get(conn, account.meta.id) is None
    alive = StoredRecord(
        **{**_fields(dead), "deleted": False, "version": dead.version.bump("server")}
    )
    store.apply_remote(conn, alive)
    assert store.accounts.get(conn, account.meta.id) is not None
    assert conn.exec_driver_sql("SELECT count(*) FROM name_index").scalar() == 1


def _fields(record: StoredRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in StoredRecord.__slots__}


def test_purge_and_records_under(conn: Connection) -> None:
    records = sample_records()
    for record in records:
        store.apply_remote(conn, remote(record))
    account_id = records[0].meta.id
    under = store.records_under(conn, [Removal(entity=Entity.ACCOUNT, id=account_id)])
    assert under == {(r.ENTITY.value, r.meta.id) for r in records}
    for entity, record_id in under:
        store.purge_record(conn, entity, record_id)
    for table in (contact_phones, account_status_log, opportunity_stage_history):
        assert count(conn, table) == 0
    assert store.read_record(conn, "account", account_id) is None
    assert conn.exec_driver_sql("SELECT count(*) FROM name_index").scalar() == 0


AUTOINCREMENT_TABLES = ("contact_phones", "account_status_log", "opportunity_stage_history")


# Bulk loading --------------------------------------------------------------------------------


def test_history_follows_the_shared_rule(conn: Connection) -> None:
    """An empty former name is not kept and a blank status or stage is not logged (the same
    rule as the server's, domain/history.py), on every write path."""
    account = Account(name="", status="")
    account.meta = RecordMeta(id="a1", version=VersionVector({"server": 1}), updated_at=T0)
    store.apply_remote(conn, StoredRecord.from_record(account))
    account.name, account.status = "Acme", "active"
    account.meta.version = VersionVector({"server": 2})
    store.apply_remote(conn, StoredRecord.from_record(account))
    blank_stage = Opportunity(account_id="a1", name="deal", stage="")
    bulk_load.bulk_apply(conn, [Account(name="Other", status=""), blank_stage])
    assert count(conn, account_former_names) == 0
    log = account_status_log.c
    statuses = conn.execute(select(log.account_id, log.from_status, log.to_status)).all()
    assert [tuple(s) for s in statuses] == [("a1", None, "active")]
    assert count(conn, opportunity_stage_history) == 0


@pytest.mark.parametrize(
    ("accounts", "batch_size"),
    [(40, 7), (40, 97), (260, 5000)],  # tiny batches use the triggers; bigger ones bypass them
)
def test_bulk_apply_matches_apply_remote(
    replica_factory: Any, accounts: int, batch_size: int
) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    records = list(
        demo_data.generate(seed=3, accounts=accounts, activities_per_account=(0, 2), now=now)
    )
    bulk, single = replica_factory("bulk.db"), replica_factory("single.db")
    with bulk.engine.begin() as conn:
        assert bulk_load.bulk_apply(conn, records, batch_size=batch_size) == len(records)
    with single.engine.begin() as conn:
        for record in records:
            store.apply_remote(conn, StoredRecord.from_record(record))

    def dump(rep: Replica) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        with rep.engine.connect() as conn:
            for table in (
                "accounts",
                "contacts",
                "opportunities",
                "activities",
                "contact_phones",
                "account_status_log",
                "opportunity_stage_history",
                "name_index",
            ):
                rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
                # Drop autoincrement ids; order-independent.
                skip = 1 if table in AUTOINCREMENT_TABLES else 0
                out[table] = sorted(tuple(r[skip:]) for r in rows)
            # Every index row is reachable through the map the rename/delete triggers use.
            rows = conn.exec_driver_sql(
                "SELECT m.entity, m.record_id, n.entity, n.record_id, n.name FROM name_index_rows"
                " AS m LEFT JOIN name_index AS n ON n.rowid = m.fts_rowid"
            ).all()
            out["name_index_rows"] = sorted(tuple(r) for r in rows)
            assert all(r[0] == r[2] and r[1] == r[3] for r in rows)
            assert len(rows) == len(out["name_index"])
        return out

    assert dump(bulk) == dump(single)
    with bulk.engine.connect() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        ).scalars()
        assert {"name_index_accounts_ai", "name_index_contacts_ai"} <= set(triggers)
    with bulk.engine.connect() as conn:
        for record in records[:30]:
            assert store.read_record(conn, record.ENTITY, record.meta.id).to_record() == record  # type: ignore[union-attr]
        assert count(conn, outbox) == 0


def test_bulk_apply_updates_existing_and_repeated_records(conn: Connection) -> None:
    account, contact, *_ = sample_records()
    bulk_load.bulk_apply(conn, [account, contact])
    account.name = "改名后有限公司"
    renamed = StoredRecord.from_record(account)
    contact.phones = [Phone("+49 30 23456789", primary=True, e164="+493023456789")]
    changed = StoredRecord.from_record(contact)
    again = StoredRecord(**{**_fields(changed), "data": {**changed.data, "title": "CEO"}})
    assert bulk_load.bulk_apply(conn, [renamed, changed, again]) == 3
    loaded = store.contacts.get(conn, contact.meta.id)
    assert loaded is not None and loaded.title == "CEO"
    assert [p.e164 for p in loaded.phones] == ["+493023456789"]
    assert count(conn, contact_phones) == 1
    assert count(conn, account_former_names) == 1


def test_apply_remote_fills_missing_e164(conn: Connection) -> None:
    account, contact, *_ = sample_records()
    store.apply_remote(conn, remote(account))
    stored = remote(contact)
    data = json.loads(json.dumps(stored.data))
    for phone in data["phones"]:
        phone["e164"] = ""
    data["phones"].append({"raw": "not a number", "kind": "other", "primary": False})
    store.apply_remote(conn, StoredRecord(**{**_fields(stored), "data": data}))
    rows = conn.execute(select(contact_phones.c.e164).order_by(contact_phones.c.position)).all()
    assert [r[0] for r in rows] == ["+8613800138000", "+862162345678", ""]
    # The replica's copy carries the normalized form from then on.
    loaded = store.contacts.get(conn, contact.meta.id)
    assert loaded is not None
    assert [p.e164 for p in loaded.phones] == ["+8613800138000", "+862162345678", ""]


def test_bulk_apply_normalizes_phones_it_is_given_raw(conn: Connection) -> None:
    account = Account(name="Raw Phones Ltd")
    contact = Contact(
        account_id=account.meta.id,
        name="Raw",
        phones=[
            Phone("+86 138 0013 8000", primary=True, e164="+8613800138000"),
            Phone("010-6552 9988 转 12", kind="work"),  # never normalized
        ],
    )
    bulk_load.bulk_apply(conn, [account, contact])
    p = contact_phones.c
    rows = conn.execute(select(p.position, p.e164, p.extension).order_by(p.position)).all()
    assert [tuple(r) for r in rows] == [(0, "+8613800138000", None), (1, "+861065529988", "12")]
