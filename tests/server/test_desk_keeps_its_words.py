"""The service desk keeps what it writes (issue 9, item 3): masking is about reading.

A record the desk creates is stored as the desk sent it, masked fields included; the desk reads
those fields while they still hold its words; everyone else reads them as written. Runs on
SQLite and PostgreSQL (the ``world`` fixture)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.server.conftest import World, change

#: The record keys a client released before this change reads (``sync/fast_wire.py``).
WIRE_RECORD_KEYS = frozenset(
    {"entity", "id", "version", "deleted", "updated_at", "updated_by", "data", "masked"}
)

CALL_SUMMARY = "Caller wants a quote for 40 units; 回电 after 3pm"


def _call(world: World, **data: Any) -> dict[str, Any]:
    return {
        "account_id": world.accounts["acc1"],
        "kind": "call",
        "start_at": "2026-12-01T09:30:00+00:00",
        "direction": "inbound",
        "summary": CALL_SUMMARY,
        **data,
    }


def _desk_creates(world: World, entity: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    record_id = str(uuid.uuid4())
    [result] = world.push("desk1", change(entity, record_id, data, new={"d1": 1}))
    assert result["status"] == "applied", result
    return record_id, result["current"]


def _read(world: World, username: str, entity: str, record_id: str) -> dict[str, Any]:
    response = world.client.get(f"/records/{entity}/{record_id}", headers=world.h(username))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _in_snapshot(world: World, username: str, record_id: str) -> dict[str, Any]:
    records, _ = world.snapshot(username)
    [found] = [r for r in records if r["id"] == record_id]
    return found


def test_a_call_the_desk_logs_keeps_its_summary_for_everyone(world: World) -> None:
    _, cursor = world.snapshot("rep1")
    activity_id, answer = _desk_creates(world, "activity", _call(world))
    # The push's answer (which the desk's replica stores) carries the desk's words, unmasked.
    assert answer["data"]["summary"] == CALL_SUMMARY
    assert answer.get("masked", []) == []
    # The rep who owns the account reads it after a pull; an admin reads it too.
    [pulled] = [r for r in world.pull("rep1", cursor)["records"] if r["id"] == activity_id]
    assert pulled["data"]["summary"] == CALL_SUMMARY
    assert _read(world, "admin", "activity", activity_id)["data"]["summary"] == CALL_SUMMARY
    # The desk reads its own words, in the snapshot as in a single read.
    desk_copy = _in_snapshot(world, "desk1", activity_id)
    assert desk_copy["data"]["summary"] == CALL_SUMMARY
    assert desk_copy.get("masked", []) == []
    assert _read(world, "desk1", "activity", activity_id)["data"]["summary"] == CALL_SUMMARY


def test_a_contact_the_desk_adds_keeps_its_emails(world: World) -> None:
    contact_id, contact = _desk_creates(
        world,
        "contact",
        {"account_id": world.accounts["acc1"], "name": "Wang Fang", "emails": ["wf@example.cn"]},
    )
    assert contact["data"]["emails"] == ["wf@example.cn"]
    assert _read(world, "rep1", "contact", contact_id)["data"]["emails"] == ["wf@example.cn"]
    assert _in_snapshot(world, "desk1", contact_id)["data"]["emails"] == ["wf@example.cn"]


def test_the_desk_still_reads_others_masked_fields_blanked(world: World) -> None:
    _desk_creates(world, "activity", _call(world))
    seeded = _in_snapshot(world, "desk1", world.contacts["acc1"])  # created by the server
    assert seeded["data"]["emails"] == []
    assert seeded["masked"] == ["emails"]


def test_a_field_someone_else_rewrites_is_masked_for_the_desk_again(world: World) -> None:
    activity_id, answer = _desk_creates(world, "activity", _call(world))
    version = answer["version"]
    # The rep changes the outcome only: the summary is still the desk's words.
    [result] = world.push(
        "rep1",
        change(
            "activity",
            activity_id,
            _call(world, outcome="quoted"),
            base=version,
            new={**version, "r1": 1},
        ),
    )
    assert result["status"] == "applied"
    assert _read(world, "desk1", "activity", activity_id)["data"]["summary"] == CALL_SUMMARY
    version = result["current"]["version"]
    # The rep rewrites the summary: now it is the rep's, and masked for the desk.
    [result] = world.push(
        "rep1",
        change(
            "activity",
            activity_id,
            _call(world, outcome="quoted", summary="Discount agreed: 12%"),
            base=version,
            new={**version, "r1": 2},
        ),
    )
    assert result["status"] == "applied"
    desk_view = _read(world, "desk1", "activity", activity_id)
    assert desk_view["data"]["summary"] == "" and desk_view["masked"] == ["summary"]
    assert _in_snapshot(world, "desk1", activity_id)["masked"] == ["summary"]
    # The desk's next edit (it sends the blank it reads) leaves the rep's words alone.
    [result] = world.push(
        "desk1",
        change(
            "activity",
            activity_id,
            _call(world, outcome="called back", summary=""),
            base=result["current"]["version"],
            new={**result["current"]["version"], "d1": 2},
        ),
    )
    assert result["status"] == "applied"
    admin_view = _read(world, "admin", "activity", activity_id)["data"]
    assert admin_view["summary"] == "Discount agreed: 12%"
    assert admin_view["outcome"] == "called back"


def test_the_desk_may_correct_its_own_words(world: World) -> None:
    activity_id, answer = _desk_creates(world, "activity", _call(world))
    [result] = world.push(
        "desk1",
        change(
            "activity",
            activity_id,
            _call(world, summary="Wants 50 units"),
            base=answer["version"],
            new={"d1": 2},
        ),
    )
    assert result["status"] == "applied"
    assert result["current"]["data"]["summary"] == "Wants 50 units"
    assert _read(world, "rep1", "activity", activity_id)["data"]["summary"] == "Wants 50 units"


def test_an_existing_client_reads_the_same_wire_and_may_leave_fields_out(world: World) -> None:
    # A client from before this change sends only the fields it knows of (no summary here) and
    # reads records with exactly the keys it always read.
    data = _call(world)
    del data["summary"]
    activity_id, answer = _desk_creates(world, "activity", data)
    assert answer["data"]["summary"] == ""
    records, cursor = world.snapshot("desk1")
    assert records and all(set(r) <= WIRE_RECORD_KEYS for r in records)
    _desk_creates(world, "activity", _call(world))
    page = world.pull("desk1", cursor)
    assert page["records"] and all(set(r) <= WIRE_RECORD_KEYS for r in page["records"])
