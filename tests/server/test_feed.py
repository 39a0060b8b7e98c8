"""Snapshot and pull: paging, cursors, scope changes (removals), compression."""

from __future__ import annotations

import base64
import gzip
import json
import uuid

import pytest

from desktop_crm.protocol.messages import PullResponse, Role, SnapshotResponse
from desktop_crm.server import admin, db, directory, feed
from tests.server.conftest import World, change


def _add_contacts(world: World, n: int, key: str = "acc1", user: str = "rep1") -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    results = world.push(
        user,
        *[
            change(
                "contact",
                i,
                {"account_id": world.accounts[key], "name": f"C{n}"},
                new={world.replicas[user]: 1},  # a device raises only its own entry
            )
            for i in ids
        ],
    )
    assert {r["status"] for r in results} == {"applied"}
    return ids


def test_snapshot_pages_cover_the_scope_once(world: World) -> None:
    added = _add_contacts(world, 12)
    records, cursor = world.snapshot("rep1", limit=5)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == 15
    assert set(added) <= set(ids)
    # Starting from the snapshot's cursor, nothing is new.
    page = world.pull("rep1", cursor)
    assert page["records"] == [] and page["removals"] == [] and page["cursor"] == cursor


def test_responses_match_the_wire_models(world: World) -> None:
    _add_contacts(world, 2)
    response = world.client.get("/sync/snapshot", params={"limit": 2}, headers=world.h("desk1"))
    SnapshotResponse.model_validate_json(response.content)
    response = world.client.get("/sync/pull", headers=world.h("desk1"))
    page = PullResponse.model_validate_json(response.content)
    assert len(page.records) == 11


def test_snapshot_cursor_survives_changes_between_pages(world: World) -> None:
    _add_contacts(world, 4)
    first = world.client.get("/sync/snapshot", params={"limit": 2}, headers=world.h("rep1")).json()
    [edited] = _add_contacts(world, 1)  # a change lands while the client is still paging
    rest = world.client.get(
        "/sync/snapshot",
        params={"limit": 1000, "after": first["next_page"]},
        headers=world.h("rep1"),
    ).json()
    assert rest["cursor"] == first["cursor"]
    assert edited in world.ids(world.pull_all("rep1", first["cursor"])["records"])


def test_pull_pages_and_resumes(world: World) -> None:
    _, cursor = world.snapshot("rep1")
    added = _add_contacts(world, 7)
    seen: list[str] = []
    while True:
        page = world.pull("rep1", cursor, limit=3)
        seen += [r["id"] for r in page["records"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == added  # in change order, each once
    assert world.pull("rep1", cursor)["records"] == []


def test_pull_only_shows_changes_in_scope(world: World) -> None:
    _, cursor1 = world.snapshot("rep1")
    _, cursor2 = world.snapshot("rep2")
    _add_contacts(world, 2, key="acc2", user="rep2")
    assert world.pull("rep1", cursor1)["records"] == []
    assert len(world.pull("rep2", cursor2)["records"]) == 2


def test_reassignment_removes_from_old_owner_and_gives_to_new(world: World) -> None:
    _, cursor1 = world.snapshot("rep1")
    _, cursor3 = world.snapshot("rep3")
    _, cursor_m1 = world.snapshot("manager1")
    _, cursor_m2 = world.snapshot("manager2")
    acc1 = world.accounts["acc1"]
    tree = {acc1, world.contacts["acc1"], world.opportunities["acc1"]}
    # An admin moves acc1 from rep1 (team A) to rep3 (team B).
    response = world.client.post(
        f"/accounts/{acc1}/assign", json={"username": "rep3"}, headers=world.h("admin")
    )
    assert response.status_code == 200
    old = world.pull_all("rep1", cursor1)
    assert {(r["entity"], r["id"]) for r in old["removals"]} == {
        ("account", acc1),
        ("contact", world.contacts["acc1"]),
        ("opportunity", world.opportunities["acc1"]),
    }
    assert old["removals"][-1] == {"entity": "account", "id": acc1}  # children first
    assert old["records"] == []
    new = world.pull_all("rep3", cursor3)
    assert world.ids(new["records"]) == tree
    assert new["removals"] == []
    account = next(r for r in new["records"] if r["id"] == acc1)
    assert account["data"]["owner_id"] == world.users["rep3"]
    assert account["version"]["server"] == 2  # a server-side edit bumps the server's entry
    # The managers follow their teams.
    assert {r["id"] for r in world.pull_all("manager1", cursor_m1)["removals"]} == tree
    assert tree <= world.ids(world.pull_all("manager2", cursor_m2)["records"])
    # Next pulls are quiet.
    assert world.pull("rep1", old["cursor"])["removals"] == []


def test_reassign_back_before_pull_means_no_removal(world: World) -> None:
    _, cursor = world.snapshot("rep1")
    acc1 = world.accounts["acc1"]
    for who in ("rep2", "rep1"):
        response = world.client.post(
            f"/accounts/{acc1}/assign", json={"username": who}, headers=world.h("manager1")
        )
        assert response.status_code == 200
    result = world.pull_all("rep1", cursor)
    assert result["removals"] == []
    assert acc1 in world.ids(result["records"])


def test_team_change_removes_accounts_from_old_manager(world: World) -> None:
    _, cursor_m1 = world.snapshot("manager1")
    _, cursor_m2 = world.snapshot("manager2")
    with world.engine.connect() as conn, db.write_transaction(conn):
        directory.set_team(conn, "rep2", "B", "server")
    lost = world.pull_all("manager1", cursor_m1)
    assert world.accounts["acc2"] in {r["id"] for r in lost["removals"]}
    gained = world.pull_all("manager2", cursor_m2)
    assert world.accounts["acc2"] in world.ids(gained["records"])


def test_role_change_asks_for_a_fresh_snapshot(world: World) -> None:
    _, cursor = world.snapshot("rep1")
    admin.set_role(world.engine, "rep1", Role.SERVICE_DESK)
    page = world.pull("rep1", cursor)
    assert page["resync_required"] is True
    assert page["records"] == []
    records, new_cursor = world.snapshot("rep1")
    assert world.accounts["acc3"] in world.ids(records)
    assert world.pull("rep1", new_cursor)["resync_required"] is False


def test_bad_cursors_are_400(world: World) -> None:
    for cursor in ("abc", "-1", "1.5", "9" * 30):
        response = world.client.get(
            "/sync/pull", params={"cursor": cursor}, headers=world.h("rep1")
        )
        assert response.status_code in (400, 422), cursor
    response = world.client.get("/sync/pull", params={"cursor": "999999"}, headers=world.h("rep1"))
    assert response.status_code == 200 and response.json()["resync_required"] is True
    for after in ("garbage", "W10", "eyJ4Ijo1fQ"):
        response = world.client.get(
            "/sync/snapshot", params={"after": after}, headers=world.h("rep1")
        )
        assert response.status_code == 400, after


def test_feed_is_gzip_compressed(world: World) -> None:
    _add_contacts(world, 30)
    response = world.client.get(
        "/sync/pull", headers={**world.h("rep1"), "Accept-Encoding": "gzip"}
    )
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["records"]) == 33
    raw = world.client.get(
        "/sync/snapshot",
        headers={**world.h("rep1"), "Accept-Encoding": "gzip"},
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert gzip.compress(raw.content)  # decoded transparently by the client


@pytest.mark.parametrize("wide_share", [1, 1000])
def test_snapshot_is_the_same_for_narrow_and_wide_scopes(
    world: World, wide_share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of filtering the scope (IN list, per-row EXISTS) page through the same
    records; the choice is made on the first page and kept in the page token."""
    _add_contacts(world, 6)
    _add_contacts(world, 3, key="acc2", user="rep2")
    expected = {
        name: sorted(world.ids(world.snapshot(name, limit=1000)[0]))
        for name in ("rep1", "manager1")
    }
    monkeypatch.setattr(feed, "WIDE_SHARE", wide_share)
    for name, ids in expected.items():
        records, _ = world.snapshot(name, limit=2)
        assert sorted(r["id"] for r in records) == ids  # no record twice, none missing


def test_page_tokens_from_before_the_scope_mode_still_work(world: World) -> None:
    _add_contacts(world, 4)
    records, _ = world.snapshot("rep1", limit=1000)
    first = world.client.get("/sync/snapshot", params={"limit": 2}, headers=world.h("rep1")).json()
    key = feed.PageKey.decode(first["next_page"])
    raw = json.dumps([key.seq, key.account_id, key.entity, key.id], separators=(",", ":"))
    old_token = base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")
    rest = world.client.get(
        "/sync/snapshot", params={"limit": 1000, "after": old_token}, headers=world.h("rep1")
    )
    assert rest.status_code == 200
    assert [r["id"] for r in first["records"] + rest.json()["records"]] == [
        r["id"] for r in records
    ]
