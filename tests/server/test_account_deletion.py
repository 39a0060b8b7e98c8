"""Deleting a customer account deletes its children in the same change, and restoring it
restores them (issue 14, item 11): over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from desktop_crm.server import models as m
from tests.server.conftest import World, change

START = "2026-03-01T09:30:00+00:00"


def _account_change(world: World, who: str, deleted: bool, base: dict[str, int]) -> dict[str, Any]:
    replica = world.replicas[who]
    return change(
        "account",
        world.accounts["acc1"],
        {},
        base=base,
        new={**base, replica: base.get(replica, 0) + 1},
        deleted=deleted,
    )


def _by_key(records: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["entity"], r["id"]): r for r in records}


def test_deleting_and_restoring_an_account_takes_and_brings_back_its_children(
    world: World,
) -> None:
    acc1 = world.accounts["acc1"]
    cursor = world.pull_all("rep1")["cursor"]
    # A call logged under it earlier, and a second contact deleted on its own before.
    call, gone = str(uuid.uuid4()), str(uuid.uuid4())
    results = world.push(
        "rep1",
        change(
            "activity",
            call,
            {"account_id": acc1, "kind": "call", "summary": "hello", "start_at": START},
        ),
        change("contact", gone, {"account_id": acc1, "name": "Left the company"}),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    [dropped] = world.push(
        "rep1",
        change(
            "contact", gone, {}, base=results[1]["current"]["version"], new={"r1": 2}, deleted=True
        ),
    )
    assert dropped["status"] == "applied"
    children = {
        ("contact", world.contacts["acc1"]),
        ("opportunity", world.opportunities["acc1"]),
        ("activity", call),
    }
    before = _by_key(world.pull_all("rep1", cursor)["records"])
    cursor = world.pull_all("rep1", cursor)["cursor"]

    [deleted] = world.push("manager1", _account_change(world, "manager1", True, {"server": 1}))
    assert deleted["status"] == "applied", deleted
    pulled = _by_key(world.pull_all("rep1", cursor)["records"])
    assert set(pulled) == {("account", acc1)} | children  # the one already gone is not sent
    for key in children:
        assert pulled[key]["deleted"] and pulled[key]["updated_by"] == world.users["manager1"]
        old = before.get(key, {}).get("version", {"server": 1})
        assert pulled[key]["version"]["server"] == old.get("server", 0) + 1
    with world.engine.connect() as conn:
        audited = set(
            conn.execute(
                select(m.audit_log.c.entity, m.audit_log.c.record_id).where(
                    m.audit_log.c.action == "record.delete",
                    m.audit_log.c.actor_id == world.users["manager1"],
                )
            )
        )
    assert children <= audited
    # Nothing can be added under it while it is deleted.
    [refused] = world.push(
        "rep1",
        change(
            "activity", str(uuid.uuid4()), {"account_id": acc1, "kind": "call", "start_at": START}
        ),
    )
    assert refused["status"] == "rejected" and "was not found" in refused["reason"]
    # Restoring is a manager's call, not a rep's nor the desk's.
    tombstone = pulled[("account", acc1)]["version"]
    for who in ("rep1", "desk1"):
        [no] = world.push(who, _account_change(world, who, False, tombstone))
        assert no["status"] == "rejected", (who, no)
    cursor = world.pull_all("rep1", cursor)["cursor"]
    [restored] = world.push("manager1", _account_change(world, "manager1", False, tombstone))
    assert restored["status"] == "applied", restored
    back = _by_key(world.pull_all("rep1", cursor)["records"])
    assert set(back) == {("account", acc1)} | children
    assert not any(r["deleted"] for r in back.values())
    for key in children:
        assert back[key]["version"]["server"] == pulled[key]["version"]["server"] + 1
    with world.engine.connect() as conn:
        assert conn.execute(select(m.cascade_deletions)).all() == []
        gone_row = conn.execute(
            select(m.records.c.deleted).where(m.records.c.id == gone)
        ).scalar_one()
    assert gone_row  # deleted on its own: stays deleted


def test_a_child_edited_after_its_account_in_the_same_batch_is_refused(world: World) -> None:
    acc1 = world.accounts["acc1"]
    contact = world.contacts["acc1"]
    results = world.push(
        "manager1",
        _account_change(world, "manager1", True, {"server": 1}),
        change(
            "contact",
            contact,
            {"title": "too late"},
            base={"server": 2},
            new={"server": 2, world.replicas["manager1"]: 1},
        ),
    )
    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected" and acc1[:8] in results[1]["reason"]
    other = world.pull_all("manager1")["records"]
    assert all(r["deleted"] for r in other if r.get("data", {}).get("account_id") == acc1)
