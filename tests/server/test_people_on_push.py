"""Issue 14, item 6: records name the right people. On push an activity's author is the
writer (or stays as stored), and an opportunity's or account's owner is someone the writer
may assign to: a rep themselves, a manager their team, an administrator any active user.
Refused per change with a reason. Over HTTP against a real uvicorn, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from desktop_crm.server import directory
from desktop_crm.server.db import write_transaction
from tests.server.conftest import World, change
from tests.server.test_live_server import LiveServer

START = "2026-11-30T09:00:00+00:00"


@pytest.fixture
def http(world: World) -> Iterator[httpx.Client]:
    with LiveServer(world.client.app) as server, httpx.Client(base_url=server.url) as client:
        yield client


def _push(http: httpx.Client, world: World, user: str, *changes: dict[str, Any]) -> list[Any]:
    response = http.post("/sync/push", json={"changes": list(changes)}, headers=world.h(user))
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def _new(world: World, user: str, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    return change(entity, str(uuid.uuid4()), data, new={world.replicas[user]: 1})


def _edit(world: World, user: str, entity: str, record: dict[str, Any], **data: Any) -> Any:
    """An edit of ``record`` (as the server answered it) by ``user``'s replica."""
    base = record["version"]
    new = {**base, world.replicas[user]: base.get(world.replicas[user], 0) + 1}
    return change(entity, record["id"], data, base=base, new=new)


def _call(world: World, account: str, **data: Any) -> dict[str, Any]:
    return {"account_id": world.accounts[account], "kind": "call", "start_at": START, **data}


def _deal(world: World, account: str, **data: Any) -> dict[str, Any]:
    return {"account_id": world.accounts[account], "name": "A deal", **data}


def _statuses(results: list[Any]) -> list[str]:
    return [r["status"] for r in results]


def test_a_rep_logs_calls_in_their_own_name(world: World, http: httpx.Client) -> None:
    u = world.users
    results = _push(
        http,
        world,
        "rep1",
        _new(world, "rep1", "activity", _call(world, "acc1", author_id=u["manager1"])),
        _new(world, "rep1", "activity", _call(world, "acc1", author_id=u["rep1"])),
        _new(world, "rep1", "activity", _call(world, "acc1")),  # no author named: fine
    )
    assert _statuses(results) == ["rejected", "applied", "applied"]
    assert "author_id must be you" in results[0]["reason"]

    # Another user's call, edited by a manager: the author stays, or becomes the writer.
    logged = results[1]["current"]
    edited = _push(
        http, world, "manager1", _edit(world, "manager1", "activity", logged, outcome="ok")
    )
    assert _statuses(edited) == ["applied"]
    assert edited[0]["current"]["data"]["author_id"] == u["rep1"]
    current = edited[0]["current"]
    for author in (u["rep2"], ""):
        refused = _push(
            http, world, "manager1", _edit(world, "manager1", "activity", current, author_id=author)
        )
        assert _statuses(refused) == ["rejected"], author
    taken = _push(
        http,
        world,
        "manager1",
        _edit(world, "manager1", "activity", current, author_id=u["manager1"]),
    )
    assert _statuses(taken) == ["applied"]


def test_opportunity_owners_are_people_the_writer_may_assign_to(
    world: World, http: httpx.Client
) -> None:
    u = world.users
    results = _push(
        http,
        world,
        "rep1",
        _new(world, "rep1", "opportunity", _deal(world, "acc1", owner_id=u["rep3"])),  # team B
        _new(world, "rep1", "opportunity", _deal(world, "acc1", owner_id=u["rep2"])),  # team A
        _new(world, "rep1", "opportunity", _deal(world, "acc1", owner_id="no-such-user")),
        _new(world, "rep1", "opportunity", _deal(world, "acc1", owner_id=u["rep1"])),
    )
    assert _statuses(results) == ["rejected", "rejected", "rejected", "applied"]
    assert "Only a manager or an administrator" in results[0]["reason"]
    assert "No user with id no-such-user" in results[2]["reason"]
    deal = results[3]["current"]

    # A rep cannot hand their deal to a colleague; a manager can, within the team only.
    assert _statuses(
        _push(http, world, "rep1", _edit(world, "rep1", "opportunity", deal, owner_id=u["rep2"]))
    ) == ["rejected"]
    outside = _push(
        http, world, "manager1", _edit(world, "manager1", "opportunity", deal, owner_id=u["rep3"])
    )
    assert _statuses(outside) == ["rejected"]
    assert "only within their team" in outside[0]["reason"]
    inside = _push(
        http, world, "manager1", _edit(world, "manager1", "opportunity", deal, owner_id=u["rep2"])
    )
    assert _statuses(inside) == ["applied"]
    # An edit that leaves the owner as it is needs no right to assign.
    kept = _push(
        http, world, "rep1", _edit(world, "rep1", "opportunity", inside[0]["current"], name="x")
    )
    assert _statuses(kept) == ["applied"]
    assert kept[0]["current"]["data"]["owner_id"] == u["rep2"]

    # An administrator assigns anyone active, and nobody disabled.
    with world.engine.connect() as conn, write_transaction(conn):
        directory.set_active(conn, "manager2", False, "test")
    current = kept[0]["current"]
    admin = _push(
        http,
        world,
        "admin",
        _edit(world, "admin", "opportunity", current, owner_id=u["manager2"]),
    )
    assert _statuses(admin) == ["rejected"]
    assert "disabled" in admin[0]["reason"]
    admin = _push(
        http, world, "admin", _edit(world, "admin", "opportunity", current, owner_id=u["rep3"])
    )
    assert _statuses(admin) == ["applied"]


def test_account_owners_must_be_active(world: World, http: httpx.Client) -> None:
    u = world.users
    snapshot = http.get("/sync/snapshot", headers=world.h("admin")).json()["records"]
    account = next(r for r in snapshot if r["id"] == world.accounts["acc1"])
    with world.engine.connect() as conn, write_transaction(conn):
        directory.set_active(conn, "rep2", False, "test")
    for user in ("admin", "manager1"):
        refused = _push(
            http, world, user, _edit(world, user, "account", account, owner_id=u["rep2"])
        )
        assert _statuses(refused) == ["rejected"], user
        assert "disabled" in refused[0]["reason"]
    moved = _push(
        http,
        world,
        "manager1",
        _edit(world, "manager1", "account", account, owner_id=u["manager1"]),
    )
    assert _statuses(moved) == ["applied"]
