"""A contact, opportunity or activity moved to another account: users who see the old account
but not the new one are told to remove it; users who see the new one get it in the feed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from desktop_crm.domain.records import Entity
from desktop_crm.server import db
from desktop_crm.server.store import server_edit
from tests.server.conftest import World, change


def _move(world: World, who: str, entity: str, record_id: str, to: str, n: int = 1) -> None:
    """``who`` pushes the record with its account changed to account ``to``."""
    record = world.client.get(f"/records/{entity}/{record_id}", headers=world.h(who)).json()
    version = dict(record["version"])
    new = {**version, world.replicas[who]: version.get(world.replicas[who], 0) + n}
    [result] = world.push(
        who,
        change(entity, record_id, {"account_id": world.accounts[to]}, base=version, new=new),
    )
    assert result["status"] == "applied", result


def _cursors(world: World, *names: str) -> dict[str, str]:
    return {name: world.snapshot(name)[1] for name in names}


@pytest.mark.parametrize("entity", ["contact", "opportunity"])
def test_moved_record_is_removed_for_who_lost_it_and_sent_to_who_gained_it(
    world: World, entity: str
) -> None:
    record_id = (world.contacts if entity == "contact" else world.opportunities)["acc1"]
    cursors = _cursors(world, "rep1", "rep2", "manager1", "rep3", "desk1")
    _move(world, "manager1", entity, record_id, "acc2")

    rep1 = world.pull_all("rep1", cursors["rep1"])
    assert rep1["removals"] == [{"entity": entity, "id": record_id}]
    assert rep1["records"] == []
    rep2 = world.pull_all("rep2", cursors["rep2"])
    assert rep2["removals"] == []
    [moved] = rep2["records"]
    assert moved["id"] == record_id and moved["data"]["account_id"] == world.accounts["acc2"]
    # Who sees both accounts, or neither, or everything, hears nothing about a removal.
    manager = world.pull_all("manager1", cursors["manager1"])
    assert manager["removals"] == [] and world.ids(manager["records"]) == {record_id}
    assert world.pull_all("rep3", cursors["rep3"]) == {
        "records": [],
        "removals": [],
        "cursor": rep1["cursor"],
        "resync_required": False,
    }
    assert world.pull_all("desk1", cursors["desk1"])["removals"] == []
    # Once is enough.
    assert world.pull("rep1", rep1["cursor"])["removals"] == []


def test_moved_back_and_forth_between_pulls_gives_no_removal(world: World) -> None:
    contact = world.contacts["acc1"]
    cursors = _cursors(world, "rep1", "rep2")
    _move(world, "manager1", "contact", contact, "acc2")
    _move(world, "manager1", "contact", contact, "acc1")
    rep1 = world.pull_all("rep1", cursors["rep1"])
    assert rep1["removals"] == []
    assert world.ids(rep1["records"]) == {contact}  # the record as it is now
    # rep2 never had it (it arrived and left between two of its pulls): nothing either.
    rep2 = world.pull_all("rep2", cursors["rep2"])
    assert rep2 == {**rep2, "records": [], "removals": []}


def test_removal_of_a_move_that_stands_also_after_intermediate_pulls(world: World) -> None:
    """A→B pulled by rep2 (gets it), then B→A: rep2 is told to remove it, rep1 gets it back."""
    contact = world.contacts["acc1"]
    cursors = _cursors(world, "rep1", "rep2")
    _move(world, "manager1", "contact", contact, "acc2")
    rep2 = world.pull_all("rep2", cursors["rep2"])
    assert world.ids(rep2["records"]) == {contact}
    rep1 = world.pull_all("rep1", cursors["rep1"])
    assert rep1["removals"] == [{"entity": "contact", "id": contact}]
    _move(world, "manager1", "contact", contact, "acc1")
    assert world.pull_all("rep2", rep2["cursor"])["removals"] == [
        {"entity": "contact", "id": contact}
    ]
    back = world.pull_all("rep1", rep1["cursor"])
    assert back["removals"] == [] and world.ids(back["records"]) == {contact}


def test_removal_pages_follow_the_cursor(world: World) -> None:
    """Paged pulls: the move is reported on the page that covers it, once."""
    contact = world.contacts["acc1"]
    cursor = world.snapshot("rep1")[1]
    before = [
        change("contact", str(uuid.uuid4()), {"account_id": world.accounts["acc1"], "name": n})
        for n in ("one", "two", "three")
    ]
    assert {r["status"] for r in world.push("rep1", *before)} == {"applied"}
    _move(world, "manager1", "contact", contact, "acc2")
    removals: list[dict[str, Any]] = []
    records: list[str] = []
    while True:
        page = world.pull("rep1", cursor, limit=1)
        removals += page["removals"]
        records += [r["id"] for r in page["records"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert removals == [{"entity": "contact", "id": contact}]
    assert records == [c["record_id"] for c in before]


def test_server_side_edit_that_moves_a_record_gives_a_removal(world: World) -> None:
    contact = world.contacts["acc1"]
    cursors = _cursors(world, "rep1", "rep2")
    with world.engine.connect() as conn, db.write_transaction(conn):
        server_edit(conn, Entity.CONTACT, contact, {"account_id": world.accounts["acc2"]}, "server")
    assert world.pull_all("rep1", cursors["rep1"])["removals"] == [
        {"entity": "contact", "id": contact}
    ]
    assert world.ids(world.pull_all("rep2", cursors["rep2"])["records"]) == {contact}


def test_activities_keep_their_account_when_their_opportunity_moves(world: World) -> None:
    """An activity belongs to its own account: moving its opportunity (or contact) leaves it
    where it was, still editable there, and it is not removed from anyone."""
    acc1, opportunity = world.accounts["acc1"], world.opportunities["acc1"]
    contact = world.contacts["acc1"]
    call_id = str(uuid.uuid4())
    call = {
        "account_id": acc1,
        "kind": "call",
        "start_at": "2026-03-01T09:00:00+00:00",
        "opportunity_id": opportunity,
        "contact_id": contact,
        "summary": "first call",
    }
    [created] = world.push("rep1", change("activity", call_id, call))
    assert created["status"] == "applied", created
    cursor = world.snapshot("rep1")[1]
    _move(world, "manager1", "opportunity", opportunity, "acc2")
    _move(world, "manager1", "contact", contact, "acc2")
    pulled = world.pull_all("rep1", cursor)
    assert sorted((r["entity"], r["id"]) for r in pulled["removals"]) == [
        ("contact", contact),
        ("opportunity", opportunity),
    ]
    # The activity is still rep1's, and editing it (links unchanged) is accepted.
    record = world.client.get(f"/records/activity/{call_id}", headers=world.h("rep1")).json()
    assert record["data"]["account_id"] == acc1
    [edited] = world.push(
        "rep1",
        change(
            "activity",
            call_id,
            {"summary": "follow-up notes"},
            base=record["version"],
            new={**record["version"], world.replicas["rep1"]: 2},
        ),
    )
    assert edited["status"] == "applied", edited
    # But a link is checked when it is set: a new activity under acc1 cannot point at it.
    [linked] = world.push("rep1", change("activity", str(uuid.uuid4()), call))
    assert linked["status"] == "rejected"
