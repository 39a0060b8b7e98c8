"""A person erased on the server, seen from replicas in awkward states (issue 13, item 3):
a conflict on them, a change to them already parked as a sync issue, and an unsynced note on
a call that quotes them. Over HTTP against the in-process server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from desktop_crm.domain.erasure import ERASED_NAME, ERASED_REASON
from desktop_crm.domain.records import Activity, Contact
from desktop_crm.server.db import write_transaction
from desktop_crm.server.erasure import erase_person
from desktop_crm.storage.schema import metadata
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, server_records

NAME = "Chen Jingerased"
EMAIL = "chen.jing@example.cn"


def _every_row(device: Device) -> str:
    out: list[str] = []
    with device.replica.engine.connect() as conn:
        for table in metadata.sorted_tables:
            out += [repr(tuple(row)) for row in conn.execute(select(table))]
    return "\n".join(out)


def _erase(server: ServerWorld, contact_id: str) -> Any:
    with server.engine.connect() as conn, write_transaction(conn):
        return erase_person(conn, contact_id, "ticket 9", "server")


def test_conflict_parked_change_and_quoting_note_are_all_erased(
    server: ServerWorld, device: DeviceFactory
) -> None:
    acc1 = server.world.accounts["acc1"]
    office, laptop = device("rep1"), device("rep1")
    person = office.save(Contact(account_id=acc1, name=NAME, emails=[EMAIL]))
    call = office.save(
        Activity(
            account_id=acc1,
            kind="call",
            start_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
            contact_id=person.meta.id,
            summary="First call",
        )
    )
    office.sync()
    laptop.sync()
    # Both edit the person: the laptop's edit meets the office's as a conflict.
    office.edit("contact", person.meta.id, notes=f"{NAME} moved to Shanghai")
    office.sync()
    laptop.edit("contact", person.meta.id, notes=f"{NAME} moved to Beijing")
    laptop.sync()
    assert [c.record_id for c in laptop.conflicts()] == [person.meta.id]
    # An unsynced note on the call that quotes them.
    laptop.edit("activity", call.meta.id, summary=f"Told {NAME} ({EMAIL}) about the offer")
    assert NAME in _every_row(laptop)

    _erase(server, person.meta.id)
    summary = laptop.sync()
    assert summary.erased == 1
    assert laptop.conflicts() == []
    assert [(i.record_id, i.reason, i.data) for i in laptop.issues()] == [
        (person.meta.id, ERASED_REASON, {})
    ]
    rows = _every_row(laptop)
    for secret in (NAME, EMAIL, "Jingerased", "Shanghai", "Beijing"):
        assert secret not in rows, secret
    stored = laptop.get("contact", person.meta.id)
    assert stored is not None and stored.data["name"] == ERASED_NAME
    # The call's note reached the server scrubbed; the call itself stays.
    on_server = server_records(server.engine)[("activity", call.meta.id)]["data"]
    assert on_server["summary"] == f"Told {ERASED_NAME} ({ERASED_NAME}) about the offer"
    assert laptop.sync().erased == 0 and laptop.outbox() == 0


def test_a_replica_that_never_saw_the_person_has_nothing_to_do(
    server: ServerWorld, device: DeviceFactory
) -> None:
    acc1 = server.world.accounts["acc1"]
    office = device("rep1")
    person = office.save(Contact(account_id=acc1, name=NAME, emails=[EMAIL]))
    office.sync()
    _erase(server, person.meta.id)
    newcomer = device("rep1")
    assert newcomer.sync().erased == 0  # arrives erased in the snapshot: nothing of theirs
    stored = newcomer.get("contact", person.meta.id)
    assert stored is not None and stored.data["name"] == ERASED_NAME
    assert newcomer.issues() == [] and NAME not in _every_row(newcomer)
    assert office.sync().erased == 1
