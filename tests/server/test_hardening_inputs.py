"""Issue 14, items 3 and 4: hostile or careless input is a clear 4xx or a refused change, never a
500 and never a lost batch; a masked value never shows in a refusal.

On SQLite and PostgreSQL (the ``world`` fixture), over HTTP to the app; the token test also
against a real uvicorn.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from desktop_crm.domain.records import Contact
from desktop_crm.server import db
from desktop_crm.server.cli import main
from tests.server.conftest import World, change, seed_record
from tests.server.test_live_server import live  # noqa: F401 - the fixture

EXTREME_TIMES = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59")


def _post_json(world: World, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    """``body`` as ASCII-escaped JSON, so a lone surrogate or NUL reaches the server as such."""
    return world.client.post(
        path, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


def test_non_ascii_bearer_token_is_401_not_500(live: tuple[World, httpx.Client]) -> None:  # noqa: F811
    world, http = live
    good = world.tokens["rep1"].encode()
    for token in (b"v1.\xc3\xa9.x", good[:-1] + b"\xff", b"\xff" + good):
        headers = {b"Authorization": b"Bearer " + token}
        for method, path in (("GET", "/me"), ("GET", "/sync/pull"), ("GET", "/sync/snapshot")):
            response = http.request(method, path, headers=headers)
            assert response.status_code == 401, (path, response.text)
            assert "malformed" in response.json()["detail"]
        response = http.post("/sync/push", json={"changes": []}, headers=headers)
        assert response.status_code == 401


def _activity(world: World, start_at: str, **extra: Any) -> dict[str, Any]:
    data = {"account_id": world.accounts["acc1"], "kind": "call", "start_at": start_at, **extra}
    return change("activity", str(uuid.uuid4()), data)


def test_out_of_range_times_refuse_their_change_not_the_batch(world: World) -> None:
    acc1 = world.accounts["acc1"]
    good = _activity(world, "2030-01-01T09:00:00+08:00")
    edges = [  # the first and last times inside the bounds, in the farthest zones
        _activity(world, "0001-01-03T00:00:00+14:00"),
        _activity(world, "9999-12-30T23:59:59-00:00", follow_up_at="9999-12-30T23:59:59-00:00"),
    ]
    changes = [
        *[_activity(world, t) for t in EXTREME_TIMES],
        _activity(world, "2030-01-01T09:00:00+08:00", follow_up_at=EXTREME_TIMES[1]),
        _activity(world, "0001-01-01T12:00:00Z"),
        change(
            "opportunity",
            str(uuid.uuid4()),
            {"account_id": acc1, "name": "o", "expected_close": "0001-01-01"},
        ),
        {**_activity(world, "2030-01-01T09:00:00+08:00"), "changed_at": EXTREME_TIMES[0]},
        good,
    ]
    results = world.push("rep1", *changes)
    assert [r["status"] for r in results] == ["rejected"] * (len(changes) - 1) + ["applied"]
    for result in results[:-1]:
        assert "out of range" in result["reason"], result
    assert [r["status"] for r in world.push("rep1", *edges)] == ["applied", "applied"]
    # Every replica that sees the account still pulls and snapshots.
    for user in ("rep1", "manager1", "desk1", "admin"):
        pulled = world.pull_all(user)
        assert good["record_id"] in world.ids(pulled["records"])
        records, _cursor = world.snapshot(user)
        assert good["record_id"] in world.ids(records)


def _page_token(parts: list[Any]) -> str:
    raw = json.dumps(parts).encode()  # ASCII escapes: \ud800 and \u0000 survive as such
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "parts",
    [
        [0, "\ud800", "account", "x", 0],
        [0, "a\x00b", "account", "x", 0],
        [0, "a", "account\x00", "x", 1],
        [0, "a", "account", "\udfff", 1],
        [10**30, "a", "account", "x", 0],
    ],
)
def test_page_token_with_unstorable_text_is_400(world: World, parts: list[Any]) -> None:
    response = world.client.get(
        "/sync/snapshot", params={"after": _page_token(parts)}, headers=world.h("rep1")
    )
    assert response.status_code == 400, response.text
    assert "page token" in response.json()["detail"]


def test_pull_cursor_beyond_64_bits_is_400(world: World) -> None:
    for cursor in ("9223372036854775808", "9999999999999999999"):
        response = world.client.get(
            "/sync/pull", params={"cursor": cursor}, headers=world.h("rep1")
        )
        assert response.status_code == 400, response.text
    largest = world.client.get(
        "/sync/pull", params={"cursor": str(2**63 - 1)}, headers=world.h("rep1")
    )
    assert largest.status_code == 200 and largest.json()["resync_required"] is True


def test_unstorable_text_in_sign_in_and_admin_inputs_is_422(world: World) -> None:
    for bad in ("a\x00b", "\ud800"):
        for field in ("username", "password", "device_name", "device_id"):
            body = {"username": "rep1", "password": "pw-rep1", field: bad}
            response = _post_json(world, "/auth/login", body, {})
            assert response.status_code == 422, (field, response.text)
            assert response.json()["detail"].startswith("Invalid request")
        response = _post_json(
            world,
            f"/accounts/{world.accounts['acc1']}/assign",
            {"username": bad},
            world.h("admin"),
        )
        assert response.status_code == 422, response.text
    for path in ("/admin/devices/a%00b/revoke", "/accounts/a%00b/assign"):
        response = world.client.post(path, json={"username": "rep2"}, headers=world.h("admin"))
        assert response.status_code == 422, (path, response.text)
    response = world.client.get("/records/contact/a%00b", headers=world.h("admin"))
    assert response.status_code == 422
    # Nothing of it was stored: the devices are the seeded ones, the owner is unchanged.
    devices = world.client.get("/admin/devices", headers=world.h("admin")).json()
    assert len(devices) == len(world.users)
    account = world.client.get(
        f"/records/account/{world.accounts['acc1']}", headers=world.h("admin")
    ).json()
    assert account["data"]["owner_id"] == world.users["rep1"]


def test_admin_commands_refuse_unstorable_text(
    world: World, server_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command-line argument in a wrong encoding reaches Python with lone surrogates."""
    for args in (
        ["create-team", "North\udcff"],
        ["set-role", "rep1\udcff", "manager"],
        ["assign", "rep2", world.accounts["acc1"] + "\udcff"],
        ["revoke-device", "\udcff"],
    ):
        assert main(["admin", args[0], "--database", server_db_url, *args[1:]]) == 2, args
        assert "not valid Unicode text" in capsys.readouterr().err
    account = world.client.get(
        f"/records/account/{world.accounts['acc1']}", headers=world.h("admin")
    ).json()
    assert account["data"]["owner_id"] == world.users["rep1"]


def test_unstorable_text_in_record_data_refuses_the_change(world: World) -> None:
    acc1 = world.accounts["acc1"]
    bad_data: list[dict[str, Any]] = [
        {"account_id": acc1, "name": "n", "\ud800": "unknown field with a surrogate name"},
        {"account_id": acc1, "name": "n", "a\x00b": 1},
        {"account_id": acc1, "name": "n", "phones": [{"raw": "138", "\ud800": 1}]},
        {"account_id": acc1, "name": "n", "notes": "x\x00y"},
        # Links the push looks up before its checks (merged-away records): never asked of the
        # database with a NUL (PostgreSQL refused the whole batch with a 500).
        {"account_id": "acc\x00", "name": "n"},
        {"account_id": "\ud800", "name": "n"},
    ]
    bad_names = {
        **change("contact", str(uuid.uuid4()), {"account_id": acc1, "name": "n"}),
        "changed_fields": ["name", "\ud800"],
    }
    good = change("contact", str(uuid.uuid4()), {"account_id": acc1, "name": "fine"})
    bad_activity = change(
        "activity", str(uuid.uuid4()), {"account_id": acc1, "contact_id": "c\x00"}
    )
    bad_id = change("contact", "id\x00", {"account_id": acc1, "name": "n"})
    bad = [change("contact", str(uuid.uuid4()), d) for d in bad_data]
    bad += [bad_names, bad_activity, bad_id]
    body = {"changes": [*bad, good]}
    response = _post_json(world, "/sync/push", body, world.h("rep1"))
    assert response.status_code == 200, response.text
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["rejected"] * len(bad) + ["applied"]


# Item 4: a masked value never shows in a refusal ----------------------------------------------

HIDDEN_EMAIL = "not-an-address-but-secret"


def test_desk_never_sees_a_masked_value_in_a_refusal(world: World) -> None:
    """A contact whose stored e-mail is invalid (entered before the check, or by an import):
    the desk, for whom e-mails are masked, edits it. The server's hidden value is not the
    desk's to validate, and no refusal may quote it."""
    contact = Contact(account_id=world.accounts["acc1"], name="Li Lei", emails=[HIDDEN_EMAIL])
    with world.engine.connect() as conn, db.write_transaction(conn):
        seed_record(conn, contact)
    [record] = [r for r in world.snapshot("desk1")[0] if r["id"] == contact.meta.id]
    assert record["data"]["emails"] == [] and "emails" in record["masked"]
    edits: list[dict[str, Any]] = [
        {**record["data"], "title": "Buyer"},  # a plain edit
        {**record["data"], "title": "Buyer", "emails": ["x"]},  # sends a (ignored) e-mail
        {**record["data"], "name": ""},  # refused for its own fault
        {**record["data"], "decision_weight": 500, "phones": [{"raw": "+86 123"}]},
    ]
    reasons: list[str] = []
    statuses: list[str] = []
    version = record["version"]
    for number, data in enumerate(edits, start=1):
        new = {**version, world.replicas["desk1"]: number}
        [result] = world.push(
            "desk1", change("contact", contact.meta.id, data, base=version, new=new)
        )
        statuses.append(result["status"])
        reasons.append(json.dumps(result))
        if result["status"] == "applied":
            version = result["current"]["version"]
    assert statuses == ["applied", "applied", "rejected", "rejected"]
    assert not any(HIDDEN_EMAIL in text for text in reasons)
    # The hidden value is kept as the server has it, not replaced by what the desk sent.
    stored = world.client.get(f"/records/contact/{contact.meta.id}", headers=world.h("admin"))
    assert stored.json()["data"]["emails"] == [HIDDEN_EMAIL]
    assert stored.json()["data"]["title"] == "Buyer"
    # Whoever can read the field is still told what is wrong with it.
    admin_version = stored.json()["version"]
    [result] = world.push(
        "admin",
        change(
            "contact",
            contact.meta.id,
            {**stored.json()["data"], "title": "Head buyer"},
            base=admin_version,
            new={**admin_version, world.replicas["admin"]: 1},
        ),
    )
    assert result["status"] == "rejected" and HIDDEN_EMAIL in result["reason"]
