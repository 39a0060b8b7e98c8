"""System tags on the server (SQLite and PostgreSQL, over HTTP): the rules are set by an admin
(CLI or API; a bad file is refused with its line), a push re-evaluates the accounts it touched,
the scheduled pass handles time passing (the clock is a parameter), ``GET /sync/tags`` hands
each caller the tags of its scope, and a rep cannot type a system tag by hand."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from desktop_crm.server import admin, tags
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from desktop_crm.server.config_store import load_stages
from desktop_crm.server.db import write_transaction
from desktop_crm.server.tag_store import load_rules
from desktop_crm.server.tags import _write_pass_chunk  # the pass's write step
from desktop_crm.server.timeutil import iso, now
from tests.server.conftest import World, change

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "tag-rules.toml"


def _tags(world: World, username: str, cursor: str | None = None) -> dict[str, Any]:
    params = {} if cursor is None else {"cursor": cursor}
    response = world.client.get("/sync/tags", params=params, headers=world.h(username))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _by_account(page: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        a["account_id"]: {t["name"]: t["reason"] for t in a["tags"]} for a in page["accounts"]
    }


def _win(world: World, amount: str, key: str = "acc1") -> dict[str, Any]:
    return change(
        "opportunity",
        world.opportunities[key],
        {"stage": "won", "probability": 100, "expected_close": "2026-12-31", "amount": amount},
        base={"server": 1},
        new={"server": 1, world.replicas["rep1"]: 1},
    )


@pytest.fixture
def ruled(world: World) -> World:
    rules, report = admin.set_tag_rules(world.engine, EXAMPLES)
    assert len(rules) == 4
    assert report.evaluated == 3
    return world


def test_a_pushed_won_deal_tags_the_account_vip_with_its_reason(ruled: World) -> None:
    world = ruled
    acc1 = world.accounts["acc1"]
    before = _tags(world, "rep1")
    [result] = world.push("rep1", _win(world, "1240000"))
    assert result["status"] == "applied"
    page = _tags(world, "rep1", before["cursor"])
    assert _by_account(page)[acc1]["VIP"] == (
        "VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000"
    )
    # Scope: rep3 never sees acc1's tags; the manager of team A does.
    assert acc1 not in _by_account(_tags(world, "rep3"))
    assert "VIP" in _by_account(_tags(world, "manager1"))[acc1]
    # Nothing new since: the cursor holds.
    again = _tags(world, "rep1", page["cursor"])
    assert again["accounts"] == []
    assert again["cursor"] == page["cursor"]


def test_the_scheduled_pass_follows_time(ruled: World) -> None:
    world = ruled
    acc1 = world.accounts["acc1"]
    world.push("rep1", _win(world, "150000"))  # the status rule makes acc1 active, too
    cursor = _tags(world, "rep1")["cursor"]
    later = now() + timedelta(days=91)
    report = tags.evaluate_all(world.engine, at=later)
    assert report.evaluated == 3 and report.changed >= 1
    page = _by_account(_tags(world, "rep1", cursor))
    assert page[acc1]["At risk"].startswith("At risk: status is active; no activity since")
    assert "VIP" in page[acc1]
    # A year on, the deal is too old for VIP.
    tags.evaluate_all(world.engine, at=now() + timedelta(days=400))
    assert "VIP" not in _by_account(_tags(world, "rep1"))[acc1]


def test_a_logged_call_clears_at_risk_on_push(ruled: World) -> None:
    world = ruled
    acc1 = world.accounts["acc1"]
    world.push("rep1", _win(world, "10"))
    tags.evaluate_all(world.engine, at=now() + timedelta(days=100))
    assert "At risk" in _by_account(_tags(world, "rep1"))[acc1]
    call = change(
        "activity",
        str(uuid.uuid4()),
        {"account_id": acc1, "kind": "call", "start_at": iso(now()), "summary": "Caught up"},
    )
    assert world.push("rep1", call)[0]["status"] == "applied"
    assert "At risk" not in _by_account(_tags(world, "rep1"))[acc1]


def test_a_rep_cannot_type_a_system_tag_and_the_rest_of_the_batch_lands(ruled: World) -> None:
    world = ruled
    acc1 = world.accounts["acc1"]
    replica = world.replicas["rep1"]
    typed = change(
        "account",
        acc1,
        {"tags": ["golf", "vip"]},
        base={"server": 1},
        new={"server": 1, replica: 1},
    )
    note = change("contact", world.contacts["acc1"], {"notes": "kept"}, base={"server": 1},
                  new={"server": 1, replica: 1})
    refused, applied = world.push("rep1", typed, note)
    assert refused["status"] == "rejected"
    assert "“vip”: a system tag" in refused["reason"]
    assert "cannot be set by hand" in refused["reason"]
    assert applied["status"] == "applied"
    # Hand-typed tags that are not the rules' are kept as typed.
    fine = change("account", acc1, {"tags": ["golf"]}, base={"server": 1},
                  new={"server": 1, replica: 1})
    [result] = world.push("rep1", fine)
    assert result["status"] == "applied"
    assert result["current"]["data"]["tags"] == ["golf"]


def test_an_account_gained_by_reassignment_brings_its_tags(ruled: World) -> None:
    world = ruled
    acc1 = world.accounts["acc1"]
    world.push("rep1", _win(world, "500000"))
    cursor = _tags(world, "rep3")["cursor"]
    admin.assign(world.engine, [acc1], "rep3")
    assert "VIP" in _by_account(_tags(world, "rep3", cursor))[acc1]


def test_rules_over_the_api_admin_only_and_a_bad_file_changes_nothing(ruled: World) -> None:
    world = ruled
    bad = '[[rule]]\ntag = "VIP"\nwhen = [\n  { measure = "won_amount", op = "≥", value = 1 },\n]\n'
    response = world.client.post(
        "/admin/set-tag-rules", json={"text": bad}, headers=world.h("admin")
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("line 4: won_amount: 'op' must be one of")
    assert len(world.client.get("/admin/tag-rules", headers=world.h("admin")).json()["rules"]) == 4
    for username in ("rep1", "manager1"):
        denied = world.client.post(
            "/admin/set-tag-rules", json={"text": ""}, headers=world.h(username)
        )
        assert denied.status_code in (403, 404)
    good = '[{"tag": "Open", "when": [{"measure": "open_deals", "op": ">=", "value": 1}]}]'
    response = world.client.post(
        "/admin/set-tag-rules", json={"text": good}, headers=world.h("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json()["tagged"] == {"Open": 3}
    tagged = _by_account(_tags(world, "admin"))
    assert all(set(t) == {"Open"} for t in tagged.values())  # the old tags are gone


def test_the_cli_refuses_a_bad_file_with_the_line(
    ruled: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(ruled.engine.url.render_as_string(hide_password=False))
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\ntag = "X"\n\nwhen = [{ measure = "nope", op = ">", value = 1 }]\n')
    assert main(["admin", "set-tag-rules", str(bad), "--database", url]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: line 4: unknown measure 'nope'" in err
    assert main(["admin", "evaluate-tags", "--database", url]) == 0
    out = capsys.readouterr().out
    assert "evaluated 3 account(s)" in out


def test_a_bad_cursor_is_refused(ruled: World) -> None:
    response = ruled.client.get(
        "/sync/tags", params={"cursor": "abc"}, headers=ruled.h("rep1")
    )
    assert response.status_code == 400


def test_serve_runs_the_scheduled_pass(ruled: World) -> None:
    """The loop ``serve`` runs (first pass after ``first_delay``, then every ``interval``)."""
    with ruled.engine.begin() as conn:
        conn.execute(delete(m.account_tags))
    assert _tags(ruled, "admin")["accounts"] == []

    async def one_pass() -> None:
        task = asyncio.create_task(tags.run_daily(ruled.engine, interval=3600, first_delay=0))
        for _ in range(200):
            await asyncio.sleep(0.05)
            with ruled.engine.connect() as conn:
                if conn.execute(select(func.count()).select_from(m.account_tags)).scalar():
                    break
        task.cancel()

    asyncio.run(one_pass())
    assert len(_tags(ruled, "admin")["accounts"]) == 3  # "New" for each, computed again


def test_a_push_during_the_pass_is_not_overwritten_by_what_the_pass_read(ruled: World) -> None:
    """The pass read acc1 before a push changed it: writing its chunk, it evaluates acc1
    again on what is there now instead of writing the stale result."""
    world = ruled
    acc1 = world.accounts["acc1"]
    with world.engine.connect() as conn:
        read_through = int(conn.scalar(select(func.max(m.records.c.change_seq))) or 0)
    world.push("rep1", _win(world, "300000"))  # after the pass's read: VIP now
    stale = '[{"name":"New","reason":"stale"}]'
    ids = sorted(world.accounts.values())
    with world.engine.connect() as conn, write_transaction(conn):
        _write_pass_chunk(
            conn, load_rules(conn), load_stages(conn), ids, dict.fromkeys(ids, stale),
            read_through, now(),
        )
    tagged = _by_account(_tags(world, "admin"))
    assert "VIP" in tagged[acc1] and tagged[acc1].get("New") != "stale"
    other = world.accounts["acc2"]
    assert tagged[other] == {"New": "stale"}  # untouched since the read: the pass's result
