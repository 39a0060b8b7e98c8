"""Export and erase a person (issue 13, item 3) over HTTP and on the command line, on SQLite
and PostgreSQL: roles, scope, bad input, and that nothing of the person is left on the
server after an erasure while the business facts stay."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from desktop_crm.domain.erasure import ERASED_NAME, ERASED_REASON
from desktop_crm.server import audit, cli
from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event
from desktop_crm.server.settings import Settings
from tests.server.conftest import World, change

NAME = "Wang Xiaoming"
PHONE = "+86 138 0013 8000"
EMAIL = "xiaoming@example.cn"
START = "2026-03-01T09:30:00+00:00"


def _person(world: World) -> tuple[str, str]:
    """rep1's contact with a name, number and e-mail, and a call quoting them."""
    acc1 = world.accounts["acc1"]
    contact, call = str(uuid.uuid4()), str(uuid.uuid4())
    phone = {"raw": PHONE, "kind": "mobile", "primary": True, "e164": "+8613800138000"}
    results = world.push(
        "rep1",
        change(
            "contact",
            contact,
            {"account_id": acc1, "name": NAME, "emails": [EMAIL], "phones": [phone]},
        ),
        change(
            "activity",
            call,
            {
                "account_id": acc1,
                "contact_id": contact,
                "kind": "call",
                "start_at": START,
                "summary": f"Called {NAME} on 13800138000 about the renewal",
            },
        ),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    with world.engine.begin() as conn:
        audit_event(conn, "server", None, "test.note", {"said": f"{NAME} asked for a quote"})
    return contact, call


def _everything(engine: Engine) -> str:
    """Every text the server's tables hold, as one string."""
    out: list[str] = []
    with engine.connect() as conn:
        for table in m.metadata.sorted_tables:
            out += [repr(tuple(row)) for row in conn.execute(select(table))]
    return "\n".join(out)


def test_export_lists_the_record_its_activities_history_and_audit(world: World) -> None:
    contact, call = _person(world)
    response = world.client.get(f"/admin/people/{contact}/export", headers=world.h("admin"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["contact"]["data"]["name"] == NAME and body["erased"] is None
    assert [a["id"] for a in body["activities"]] == [call]
    assert body["history"] and body["history"][0]["kind"] == "record"
    assert any(e["action"] == "test.note" for e in body["audit"])
    # The manager of rep1's team may export; the export itself is audited.
    assert (
        world.client.get(f"/admin/people/{contact}/export", headers=world.h("manager1")).status_code
        == 200
    )
    with world.engine.connect() as conn:
        actions = list(conn.scalars(select(m.audit_log.c.action)))
    assert actions.count("person.export") == 2


def test_export_outside_scope_unknown_or_by_a_rep_is_not_found(world: World) -> None:
    contact, _ = _person(world)
    for who, contact_id in (
        ("manager2", contact),  # another team's contact
        ("rep1", contact),  # reps export nothing
        ("desk1", contact),
        ("admin", "no-such-contact"),
        ("admin", world.accounts["acc1"]),  # an account id is not a contact
    ):
        response = world.client.get(f"/admin/people/{contact_id}/export", headers=world.h(who))
        assert response.status_code == 404, (who, response.text)


def test_erase_leaves_no_trace_of_the_person_and_keeps_the_facts(world: World) -> None:
    contact, call = _person(world)
    cursor = world.pull_all("rep1")["cursor"]
    response = world.client.post(
        f"/admin/people/{contact}/erase", json={"reason": "ticket 4711"}, headers=world.h("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json()["activities"] == 1 and response.json()["audit_entries"] >= 1
    text = _everything(world.engine)
    for secret in (NAME, EMAIL, PHONE, "13800138000", "xiaoming"):
        assert secret not in text
    # The facts stay: the contact (marked), the call with its date, the audit entries.
    pulled = {r["id"]: r for r in world.pull_all("rep1", cursor)["records"]}
    assert pulled[contact]["data"]["name"] == ERASED_NAME
    assert pulled[contact]["data"]["account_id"] == world.accounts["acc1"]
    assert pulled[call]["data"]["contact_id"] == contact
    assert pulled[call]["data"]["start_at"].startswith("2026-03-01")
    assert (
        ERASED_NAME in pulled[call]["data"]["summary"]
        and "renewal" in pulled[call]["data"]["summary"]
    )
    with world.engine.connect() as conn:
        actions = list(conn.scalars(select(m.audit_log.c.action)))
        reason = conn.scalar(select(m.erased_records.c.reason))
    assert "test.note" in actions and "person.erase" in actions
    assert reason == "ticket 4711"
    # Once erased, a replica's old edit is refused, and nobody can write the marker.
    [refused] = world.push(
        "rep1",
        change(
            "contact",
            contact,
            {"name": NAME},
            base=pulled[contact]["version"],
            new={**pulled[contact]["version"], "r1": 9},
        ),
    )
    assert (refused["status"], refused["reason"]) == ("rejected", ERASED_REASON)
    [marker] = world.push(
        "rep1",
        change(
            "contact",
            str(uuid.uuid4()),
            {"account_id": world.accounts["acc1"], "name": ERASED_NAME},
        ),
    )
    assert marker["status"] == "rejected"


def test_erase_needs_an_admin_a_reason_and_a_known_contact(world: World) -> None:
    contact, _ = _person(world)
    url = f"/admin/people/{contact}/erase"
    assert (
        world.client.post(url, json={"reason": "x"}, headers=world.h("manager1")).status_code == 404
    )
    assert world.client.post(url, json={"reason": ""}, headers=world.h("admin")).status_code == 422
    assert world.client.post(url, json={}, headers=world.h("admin")).status_code == 422
    assert (
        world.client.post(
            "/admin/people/nobody/erase", json={"reason": "x"}, headers=world.h("admin")
        ).status_code
        == 404
    )
    assert world.client.post(url, json={"reason": "x"}, headers=world.h("admin")).status_code == 200
    again = world.client.post(url, json={"reason": "x"}, headers=world.h("admin"))
    assert again.status_code == 409 and "already" in again.json()["detail"]


def _cli(settings: Settings, *args: str) -> int:
    return cli.main([*args, "--database", settings.database_url])


def test_cli_exports_and_erases(
    world: World, settings: Settings, tmp_path: Path, capsys: Any
) -> None:
    contact, call = _person(world)
    out = tmp_path / "export.json"
    assert _cli(settings, "admin", "person", "export", contact, "--to", str(out)) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["contact"]["data"]["emails"] == [EMAIL]
    assert [a["id"] for a in exported["activities"]] == [call]
    assert _cli(settings, "admin", "person", "export", "nobody") == 2
    assert "not found" in capsys.readouterr().err
    assert _cli(settings, "admin", "person", "erase", contact, "--reason", "  ") == 2
    assert _cli(settings, "admin", "person", "erase", contact, "--reason", "letter 12") == 0
    assert "erased contact" in capsys.readouterr().out
    assert NAME not in _everything(world.engine)
    assert _cli(settings, "admin", "person", "export", contact) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["contact"]["data"]["name"] == ERASED_NAME
    assert after["erased"]["reason"] == "letter 12"


def test_erase_scrubs_audit_details_written_as_escaped_json(world: World) -> None:
    acc1 = world.accounts["acc1"]
    contact = str(uuid.uuid4())
    [created] = world.push(
        "rep1", change("contact", contact, {"account_id": acc1, "name": "王小明"})
    )
    assert created["status"] == "applied"
    with world.engine.begin() as conn:
        audit_event(conn, "server", None, "test.note", {"said": "王小明 called", "n": 3})
    response = world.client.post(
        f"/admin/people/{contact}/erase", json={"reason": "r"}, headers=world.h("admin")
    )
    assert response.status_code == 200 and response.json()["audit_entries"] >= 1
    with world.engine.connect() as conn:
        details = [json.loads(d) for d in conn.scalars(select(m.audit_log.c.detail))]
    # The entry keeps its place and hash in the chain; its values are gone, and the chain still
    # verifies (the redaction is itself recorded).
    assert {"redacted": True} in details
    assert "王小明" not in json.dumps(details, ensure_ascii=False)
    with world.engine.connect() as conn:
        assert audit.verify(conn).ok
        assert "audit.redact" in list(conn.scalars(select(m.audit_log.c.action)))
