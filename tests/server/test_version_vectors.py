"""Issue 14, items 1 and 2: a pushed version vector is checked once, by one rule
(``domain.version_vector.checked_vector`` and ``foreign_raises``), per change, over HTTP, on
SQLite and PostgreSQL. Nothing a rule refuses is stored, and the rest of the batch applies."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from desktop_crm.domain.version_vector import MAX_COUNTER, MAX_VECTOR_ENTRIES
from desktop_crm.server import models as m
from tests.server.conftest import World, change

LONE_SURROGATE = "\ud800"


def _push_raw(world: World, username: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Push as JSON text with ``\\uXXXX`` escapes: a lone surrogate is valid JSON text but
    cannot be encoded as UTF-8, which is how a hostile client sends one."""
    body = json.dumps({"changes": list(changes)}, ensure_ascii=True).encode("ascii")
    headers = {**world.h(username), "Content-Type": "application/json"}
    response = world.client.post("/sync/push", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def _stored_version(world: World, entity: str, record_id: str) -> dict[str, int] | None:
    with world.engine.connect() as conn:
        text = conn.scalar(
            select(m.records.c.version).where(
                m.records.c.entity == entity, m.records.c.id == record_id
            )
        )
    return None if text is None else dict(json.loads(text))


def _new_contact(world: World, name: str = "New") -> dict[str, Any]:
    return {"account_id": world.accounts["acc1"], "name": name}


def test_a_lone_surrogate_key_is_rejected_per_change_and_nothing_is_stored(world: World) -> None:
    contact_id = world.contacts["acc1"]
    bad_new = change(
        "contact",
        contact_id,
        {"title": "x"},
        base={"server": 1},
        new={"server": 1, "r1": 1, LONE_SURROGATE: 1},
    )
    bad_base = change(
        "contact",
        world.opportunities["acc1"],
        {"name": "y"},
        base={LONE_SURROGATE: 1},
        new={"server": 1, "r1": 1},
    )
    good = change("contact", "c-good", _new_contact(world), new={"r1": 1})
    results = _push_raw(world, "rep1", bad_new, bad_base, good)
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    for result in results[:2]:
        assert "Invalid version" in result["reason"]
        assert "surrogate" in result["reason"]
    assert _stored_version(world, "contact", contact_id) == {"server": 1}
    # Every replica that sees the account still reads its feed and snapshot.
    assert "c-good" in world.ids(world.pull_all("rep1")["records"])
    assert contact_id in world.ids(world.snapshot("manager1")[0])


def test_vectors_are_bounded_in_entries_and_counter_size(world: World) -> None:
    many = {f"device-{n}": 1 for n in range(MAX_VECTOR_ENTRIES)} | {"r1": 1}
    huge = 10**4000  # a counter of 4,001 digits
    cases = {
        "too many entries": change("contact", "c-many", _new_contact(world), new=many),
        "a huge counter": change("contact", "c-huge", _new_contact(world), new={"r1": huge}),
        "2**53": change("contact", "c-2-53", _new_contact(world), new={"r1": MAX_COUNTER + 1}),
        "a huge base": change(
            "contact", "c-base", _new_contact(world), base={"r1": huge}, new={"r1": huge + 1}
        ),
    }
    largest = change("contact", "c-largest", _new_contact(world), new={"r1": MAX_COUNTER})
    results = world.push("rep1", *cases.values(), largest)
    for (what, sent), result in zip(cases.items(), results, strict=False):
        assert result["status"] == "rejected", what
        assert "Invalid version" in result["reason"], what
        assert _stored_version(world, "contact", sent["record_id"]) is None, what
    assert f"at most {MAX_VECTOR_ENTRIES} entries" in results[0]["reason"]
    assert str(MAX_COUNTER) in results[1]["reason"]
    assert results[-1]["status"] == "applied"
    assert _stored_version(world, "contact", "c-largest") == {"r1": MAX_COUNTER}


def test_a_device_cannot_raise_another_devices_counter(world: World) -> None:
    contact_id = world.contacts["acc1"]
    # rep1's device is "r1"; "m1" is manager1's device.
    forged = change(
        "contact",
        contact_id,
        {"title": "forged"},
        base={"server": 1},
        new={"server": 1, "r1": 1, "m1": 10**12},
    )
    unknown_device = change(
        "contact", "c-other", _new_contact(world), new={"r1": 1, "someone-else": 1}
    )
    results = world.push("rep1", forged, unknown_device)
    for result in results:
        assert result["status"] == "rejected"
        assert "only its own version entry" in result["reason"]
    assert _stored_version(world, "contact", contact_id) == {"server": 1}
    assert _stored_version(world, "contact", "c-other") is None
    # manager1's next edit is not a false conflict.
    [edit] = world.push(
        "manager1",
        change(
            "contact", contact_id, {"title": "M"}, base={"server": 1}, new={"server": 1, "m1": 1}
        ),
    )
    assert edit["status"] == "applied"
    # rep1 may carry manager1's entry as the server has it, and raise its own.
    [carried] = world.push(
        "rep1",
        change(
            "contact",
            contact_id,
            {"title": "R"},
            base={"server": 1, "m1": 1},
            new={"server": 1, "m1": 1, "r1": 1},
        ),
    )
    assert carried["status"] == "applied"
    assert _stored_version(world, "contact", contact_id) == {"server": 1, "m1": 1, "r1": 1}
