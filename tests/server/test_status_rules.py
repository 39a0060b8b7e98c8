"""Status follows the deals on the server (SQLite and PostgreSQL, over HTTP): a pushed won
opportunity makes its account active by the status rule, whether the device ran the rule
itself (it pushes the account's new status in the same batch) or not (an older client); the
rules are configuration (``admin status-rules``) handed down by ``GET /config``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop_crm.server import admin
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from tests.server.conftest import World, change

WON = {"stage": "won", "probability": 100, "expected_close": "2026-12-31"}


def _status_log(world: World, account_id: str) -> list[tuple[Any, ...]]:
    log = m.account_status_log.c
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(log.from_status, log.to_status, log.changed_by, log.reason)
            .where(log.account_id == account_id)
            .order_by(log.id)
        ).all()
    return [tuple(r) for r in rows]


def _pulled(world: World, username: str, record_id: str) -> dict[str, Any]:
    records = world.pull_all(username)["records"]
    [record] = [r for r in records if r["id"] == record_id]
    return dict(record)


def _win(world: World, key: str = "acc1", username: str = "rep1") -> dict[str, Any]:
    replica = world.replicas[username]
    return change(
        "opportunity",
        world.opportunities[key],
        WON,
        base={"server": 1},
        new={"server": 1, replica: 1},
    )


def test_an_old_clients_won_deal_makes_the_account_active(world: World) -> None:
    """The device did not run the rule: the server edits the account, bumping its own entry,
    and every replica that sees the account receives it."""
    acc1 = world.accounts["acc1"]
    [result] = world.push("rep1", _win(world))
    assert result["status"] == "applied"
    account = _pulled(world, "rep1", acc1)
    assert account["data"]["status"] == "active"
    assert account["version"] == {"server": 2}
    assert _pulled(world, "manager1", acc1)["data"]["status"] == "active"
    assert _status_log(world, acc1)[-1] == (
        "prospect",
        "active",
        world.users["rep1"],
        "won: Deal acc1",
    )


def test_a_device_that_ran_the_rule_gets_no_conflict_and_no_second_edit(world: World) -> None:
    acc1 = world.accounts["acc1"]
    account_change = change(
        "account",
        acc1,
        {"status": "active"},
        base={"server": 1},
        new={"server": 1, "r1": 1},
        changed_fields=["status"],
    )
    results = world.push("rep1", _win(world), account_change)
    assert [r["status"] for r in results] == ["applied", "applied"]
    account = _pulled(world, "rep1", acc1)
    assert account["data"]["status"] == "active"
    assert account["version"] == {"server": 1, "r1": 1}  # the device's edit, no server edit
    log = _status_log(world, acc1)
    assert log.count(("prospect", "active", world.users["rep1"], "won: Deal acc1")) == 1
    assert len([row for row in log if row[1] == "active"]) == 1


def test_the_rule_fires_on_entering_the_stage_only(world: World) -> None:
    acc1 = world.accounts["acc1"]
    world.push("rep1", _win(world))
    # A manager sets the customer dormant; then the rep edits the won deal's amount.
    [set_dormant] = world.push(
        "manager1",
        change(
            "account", acc1, {"status": "dormant"}, base={"server": 2}, new={"server": 2, "m1": 1}
        ),
    )
    assert set_dormant["status"] == "applied"
    [edit] = world.push(
        "rep1",
        change(
            "opportunity",
            world.opportunities["acc1"],
            {**WON, "amount": "1000"},
            base={"server": 1, "r1": 1},
            new={"server": 1, "r1": 2},
        ),
    )
    assert edit["status"] == "applied"
    assert _pulled(world, "rep1", acc1)["data"]["status"] == "dormant"


def test_a_lost_deal_leaves_the_account_alone(world: World) -> None:
    acc2 = world.accounts["acc2"]
    [result] = world.push(
        "rep2",
        change(
            "opportunity",
            world.opportunities["acc2"],
            {"stage": "lost", "probability": 0},
            base={"server": 1},
            new={"server": 1, "r2": 1},
        ),
    )
    assert result["status"] == "applied"
    assert _pulled(world, "rep2", acc2)["data"]["status"] == "prospect"


def test_configured_rules_are_applied_and_handed_down(world: World, tmp_path: Path) -> None:
    config = world.client.get("/config", headers=world.h("rep1"))
    assert config.status_code == 200
    assert config.json()["status_rules"] == [
        {"when": "won", "to_status": "active", "only_from": []}
    ]
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"when": "lost", "to_status": "dormant"}]))
    assert admin.set_status_rules(world.engine, rules) == 1
    config = world.client.get("/config", headers=world.h("rep1"))
    assert config.json()["status_rules"] == [
        {"when": "lost", "to_status": "dormant", "only_from": []}
    ]
    world.push("rep1", _win(world))
    assert _pulled(world, "rep1", world.accounts["acc1"])["data"]["status"] == "prospect"
    world.push(
        "rep2",
        change(
            "opportunity",
            world.opportunities["acc2"],
            {"stage": "lost", "probability": 0},
            base={"server": 1},
            new={"server": 1, "r2": 1},
        ),
    )
    assert _pulled(world, "rep2", world.accounts["acc2"])["data"]["status"] == "dormant"
    assert _status_log(world, world.accounts["acc2"])[-1][3] == "lost: Deal acc2"


def test_admin_status_rules_command(
    server_db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*args: str) -> int:
        return main(["admin", "status-rules", "--database", server_db_url, *args])

    assert run("list") == 0
    assert capsys.readouterr().out.strip() == "won -> active"
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"when": "won", "to_status": "active", "only_from": ["former"]}]))
    assert run("set", str(rules)) == 0
    assert run("list") == 0
    assert "won -> active (only from former)" in capsys.readouterr().out
    # Bad input: a clear message, exit 2, and the rules in force are kept.
    for bad in (
        [{"when": "won", "to_status": "vip"}],
        [{"when": "signed", "to_status": "active"}],
        [{"when": "won"}],
        {"when": "won"},
    ):
        rules.write_text(json.dumps(bad))
        assert run("set", str(rules)) == 2
        assert "desktop-crm-server:" in capsys.readouterr().err
    assert run("set") == 2
    assert run("list") == 0
    assert "only from former" in capsys.readouterr().out
    rules.write_text("[]")
    assert run("set", str(rules)) == 0
    assert run("list") == 0
    assert capsys.readouterr().out.strip().endswith("no status rules")
    world.push("rep1", _win(world))
    assert _pulled(world, "rep1", world.accounts["acc1"])["data"]["status"] == "prospect"
    assert run("reset") == 0
    assert run("list") == 0
    assert capsys.readouterr().out.strip().endswith("won -> active")
