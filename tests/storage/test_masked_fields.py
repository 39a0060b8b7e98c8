"""The replica remembers which fields the server masked for this user (revision 0007), on
every path a server copy is written, and forgets them with the record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from desktop_crm.domain.records import Account, Activity, Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.storage import records_store as store
from desktop_crm.storage.bulk_load import bulk_apply
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.local_batch import LocalBatch

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _from_server(
    record: Account | Activity, masked: tuple[str, ...], n: int = 1
) -> store.StoredRecord:
    stored = store.StoredRecord.from_record(record)
    return dataclasses.replace(stored, version=VersionVector({"server": n}), masked=masked)


def _masked(replica: Replica, entity: Entity, *ids: str) -> dict[str, frozenset[str]]:
    with replica.engine.connect() as conn:
        return store.masked_of(conn, entity, list(ids))


def test_each_write_path_keeps_the_servers_list(replica: Replica) -> None:
    account = Account(name="Acme")
    call = Activity(account_id=account.meta.id, kind="call", start_at=AT)
    other = Activity(account_id=account.meta.id, kind="note", start_at=AT)
    with replica.engine.begin() as conn:
        bulk_apply(conn, [_from_server(account, ("notes",)), _from_server(call, ("summary",))])
        store.apply_remote(conn, _from_server(other, ()))
    assert _masked(replica, Entity.ACCOUNT, account.meta.id) == {
        account.meta.id: frozenset({"notes"})
    }
    assert _masked(replica, Entity.ACTIVITY, call.meta.id, other.meta.id) == {
        call.meta.id: frozenset({"summary"})
    }

    # A newer copy the server no longer masks (the desk wrote it): the list goes.
    with replica.engine.begin() as conn:
        batch = LocalBatch(conn, [("activity", call.meta.id)])
        batch.apply_remote(_from_server(call, (), n=2))
        batch.flush()
    assert _masked(replica, Entity.ACTIVITY, call.meta.id) == {}

    # A copy built on this device (masked unknown) keeps what the server said.
    with replica.engine.begin() as conn:
        store.apply_remote(conn, store.StoredRecord.from_record(account))
    assert _masked(replica, Entity.ACCOUNT, account.meta.id) == {
        account.meta.id: frozenset({"notes"})
    }

    # A record that leaves the replica leaves nothing behind.
    with replica.engine.begin() as conn:
        store.purge_record(conn, Entity.ACCOUNT, account.meta.id)
    assert _masked(replica, Entity.ACCOUNT, account.meta.id) == {}


def test_a_local_edit_keeps_the_list(replica: Replica) -> None:
    account = Account(name="Acme")
    with replica.engine.begin() as conn:
        store.apply_remote(conn, _from_server(account, ("notes",)))
        account.industry = "Machinery"
        store.save_local(conn, account, "r1", "desk-user")
    assert _masked(replica, Entity.ACCOUNT, account.meta.id) == {
        account.meta.id: frozenset({"notes"})
    }
