"""Answers are UTF-8 JSON without ``\\uXXXX`` escapes: Chinese text costs 3 bytes a character on
the wire, not 6 (12 outside the BMP), and the client reads it back unchanged."""

from __future__ import annotations

import gzip
from typing import Any

from desktop_crm.protocol.messages import LoginRequest
from desktop_crm.sync.http_client import SyncClient
from tests.server.conftest import World, change
from tests.server.test_live_server import LiveServer

NAME = "张伟 (北京分公司) 𠀋"  # with a character outside the BMP (a surrogate pair when escaped)
NOTES = "重要客户，季度回访"


def _assert_raw_utf8(body: bytes, *texts: str) -> None:
    assert b"\\u" not in body, body[:300]
    for text in texts:
        assert text.encode("utf-8") in body


def _new_account(world: World, record_id: str) -> None:
    data = {"name": "上海客户", "owner_id": world.users["rep1"], "notes": NOTES}
    result = world.push("rep1", change("account", record_id, data))
    assert result[0]["status"] == "applied", result


def test_records_pages_and_push_answers_are_raw_utf8(world: World) -> None:
    contact = "联系人-0001"  # a client may mint any id: it must not come back escaped either
    pushed = world.client.post(
        "/sync/push",
        json={
            "changes": [
                change("contact", contact, {"account_id": world.accounts["acc1"], "name": NAME})
            ]
        },
        headers=world.h("rep1"),
    )
    assert pushed.json()["results"][0]["status"] == "applied"
    _assert_raw_utf8(pushed.content, NAME, contact)

    pull = world.client.get("/sync/pull", headers=world.h("rep1"))
    _assert_raw_utf8(pull.content, NAME, contact)
    assert [r["data"]["name"] for r in pull.json()["records"] if r["id"] == contact] == [NAME]

    snapshot = world.client.get("/sync/snapshot", headers=world.h("rep1"))
    _assert_raw_utf8(snapshot.content, NAME, contact)

    record = world.client.get(f"/records/contact/{contact}", headers=world.h("rep1"))
    assert record.status_code == 200
    _assert_raw_utf8(record.content, NAME, contact)
    assert record.json()["data"]["name"] == NAME


def test_masked_records_and_removals_are_raw_utf8(world: World) -> None:
    account = "账户-北京-1"
    _new_account(world, account)
    # The service desk's copy is re-encoded to blank the masked notes.
    desk = world.client.get("/sync/snapshot", headers=world.h("desk1"))
    _assert_raw_utf8(desk.content, "上海客户", account)
    assert NOTES.encode() not in desk.content
    # Reassigned away from rep1: rep1's next pull lists it under removals.
    cursor = world.pull_all("rep1")["cursor"]
    moved = world.client.post(
        f"/accounts/{account}/assign", json={"username": "rep2"}, headers=world.h("manager1")
    )
    assert moved.status_code == 200, moved.text
    pull = world.client.get("/sync/pull", params={"cursor": cursor}, headers=world.h("rep1"))
    assert {"entity": "account", "id": account} in pull.json()["removals"]
    _assert_raw_utf8(pull.content, account)


def test_error_answers_are_raw_utf8(world: World) -> None:
    rejected = world.push("rep1", change("联系人", "x-1", {"name": NAME}))
    assert rejected[0]["status"] == "rejected"
    assert "联系人" in rejected[0]["reason"]
    response = world.client.post(
        "/sync/push", json={"changes": [change("联系人", "x-1", {})]}, headers=world.h("rep1")
    )
    _assert_raw_utf8(response.content, "联系人")
    not_found = world.client.get("/records/contact/不存在", headers=world.h("rep1"))
    assert not_found.status_code == 404
    assert b"\\u" not in not_found.content


def test_gzip_pages_carry_utf8_and_the_client_reads_them(world: World) -> None:
    accounts = [f"账户-{i:03}" for i in range(40)]  # enough for the page to be gzipped
    for chunk in range(0, len(accounts), 20):
        results = world.push(
            "rep1",
            *(
                change("account", a, {"name": f"{NAME} {a}", "owner_id": world.users["rep1"]})
                for a in accounts[chunk : chunk + 20]
            ),
        )
        assert {r["status"] for r in results} == {"applied"}
    with LiveServer(world.client.app) as server:
        import httpx

        with httpx.Client(base_url=server.url) as http:
            # Read the bytes as sent: gzip, then UTF-8 inside.
            with http.stream(
                "GET",
                "/sync/snapshot",
                headers={**world.h("rep1"), "Accept-Encoding": "gzip"},
            ) as response:
                assert response.headers["content-encoding"] == "gzip"
                raw = b"".join(response.iter_raw())
            _assert_raw_utf8(gzip.decompress(raw), NAME, accounts[0])
        with SyncClient(server.url) as client:
            client.login(LoginRequest(username="rep1", password="pw-rep1"))
            page = client.snapshot_page()
            names: dict[str, Any] = {r.id: r.data["name"] for r in page.records}
            assert names[accounts[7]] == f"{NAME} {accounts[7]}"
            pulled = client.pull_page("0")
            assert {r.id: r.data["name"] for r in pulled.records}[accounts[3]] == (
                f"{NAME} {accounts[3]}"
            )
