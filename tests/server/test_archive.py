"""Archiving inactive accounts (issue 13, item 4) over HTTP and the CLI, on SQLite and
PostgreSQL: what counts as inactive, scope removal and restore through the feed, the archive
search by role, and bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from desktop_crm.server import cli
from desktop_crm.server import models as m
from desktop_crm.server.settings import Settings
from desktop_crm.server.timeutil import iso, now
from tests.server.conftest import World, change


def _age(world: World, key: str, days: int = 3 * 365) -> None:
    """Make an account and everything under it look untouched for ``days``."""
    with world.engine.begin() as conn:
        conn.execute(
            update(m.records)
            .where(m.records.c.account_id == world.accounts[key])
            .values(updated_at=iso(now() - timedelta(days=days)))
        )


def _close_deal(world: World, key: str) -> None:
    deal = world.opportunities[key]
    [result] = world.push(
        "admin",
        change(
            "opportunity", deal, {"stage": "lost"}, base={"server": 1}, new={"server": 1, "a1": 1}
        ),
    )
    assert result["status"] == "applied", result


def _archive(world: World, who: str = "admin", **body: Any) -> Any:
    return world.client.post("/admin/archive", json=body, headers=world.h(who))


def test_only_quiet_accounts_without_open_deals_are_archived(world: World) -> None:
    _close_deal(world, "acc1")
    for key in ("acc1", "acc2"):
        _age(world, key)  # acc2 still has its open deal; acc3 is fresh
    dry = _archive(world, older_than="2y", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json() == {"accounts": [world.accounts["acc1"]], "dry_run": True}
    assert _archive(world, older_than="4y", dry_run=True).json()["accounts"] == []
    cursor = world.pull_all("rep1")["cursor"]
    rep2_cursor = world.pull_all("rep2")["cursor"]
    desk_cursor = world.pull_all("desk1")["cursor"]
    assert _archive(world, older_than="2y").json()["accounts"] == [world.accounts["acc1"]]
    # Those who see every account lose it too, and a snapshot no longer has it.
    desk = world.pull_all("desk1", desk_cursor)["removals"]
    assert {"entity": "account", "id": world.accounts["acc1"]} in desk
    assert world.accounts["acc1"] not in world.ids(world.snapshot("admin")[0])
    assert world.accounts["acc2"] in world.ids(world.snapshot("admin")[0])
    # It left rep1's replica (every record under it), and no one else's.
    gone = world.pull_all("rep1", cursor)
    assert {(r["entity"], r["id"]) for r in gone["removals"]} >= {
        ("account", world.accounts["acc1"]),
        ("contact", world.contacts["acc1"]),
    }
    assert world.pull_all("rep2", rep2_cursor)["removals"] == []
    assert _archive(world, older_than="2y").json()["accounts"] == []  # archived already


def test_search_the_archive_by_role_and_restore(world: World) -> None:
    _close_deal(world, "acc1")
    _age(world, "acc1")
    _archive(world, older_than="2y")
    cursor = world.pull_all("rep1")["cursor"]
    admin_cursor = world.pull_all("admin")["cursor"]

    def found(who: str, q: str = "acc1") -> list[str]:
        response = world.client.get("/archive/accounts", params={"q": q}, headers=world.h(who))
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["accounts"]]

    acc1 = world.accounts["acc1"]
    assert found("rep1") == [acc1] and found("rep1", "CUSTOMER") == [acc1]
    assert found("manager1") == [acc1] and found("admin") == [acc1]
    assert found("rep2") == [] and found("manager2") == [] and found("rep1", "nothing") == []
    # Restore: back to rep1, whose next pull brings it back.
    assert (
        world.client.post(f"/accounts/{acc1}/restore", headers=world.h("rep1")).status_code == 404
    )
    restored = world.client.post(f"/accounts/{acc1}/restore", headers=world.h("admin"))
    assert restored.json() == {"account_id": acc1, "owner_id": world.users["rep1"]}
    back = world.pull_all("rep1", cursor)
    assert {r["id"] for r in back["records"]} >= {acc1, world.contacts["acc1"]}
    assert found("rep1") == []
    assert acc1 in world.ids(world.pull_all("admin", admin_cursor)["records"])
    again = world.client.post(f"/accounts/{acc1}/restore", headers=world.h("admin"))
    assert again.status_code == 404


def test_archive_roles_and_bad_input(world: World) -> None:
    acc2 = world.accounts["acc2"]
    assert _archive(world, "manager1", older_than="2y").status_code == 404
    assert _archive(world, "rep1", older_than="2y").status_code == 404
    for bad in ("2 parsecs", "0y", "-1y", "y", "", "1", "1000y"):
        assert _archive(world, older_than=bad).status_code == 422, bad
    assert (
        world.client.post(f"/accounts/{acc2}/archive", headers=world.h("rep2")).status_code == 404
    )
    assert world.client.post("/accounts/nope/archive", headers=world.h("admin")).status_code == 404
    assert (
        world.client.post(f"/accounts/{acc2}/archive", headers=world.h("admin")).status_code == 200
    )
    twice = world.client.post(f"/accounts/{acc2}/archive", headers=world.h("admin"))
    assert twice.status_code == 409
    assert world.client.post("/accounts/nope/restore", headers=world.h("admin")).status_code == 404
    # An edit its owner made before the archiving still reaches it; nobody else's does.
    version = world.client.get(f"/records/account/{acc2}", headers=world.h("admin")).json()[
        "version"
    ]
    [kept] = world.push(
        "rep2", change("account", acc2, {"notes": "x"}, base=version, new={**version, "r2": 1})
    )
    assert kept["status"] == "applied", kept
    [refused] = world.push(
        "rep1", change("account", acc2, {"notes": "y"}, base=version, new={**version, "r1": 1})
    )
    assert refused["status"] == "rejected"
    # It stays archived: not in rep2's scope, not readable there.
    assert world.client.get(f"/records/account/{acc2}", headers=world.h("rep2")).status_code == 404


def test_cli_archive_and_restore(world: World, settings: Settings, capsys: Any) -> None:
    def run(*args: str) -> int:
        return cli.main(["admin", *args, "--database", settings.database_url])

    _close_deal(world, "acc1")
    _age(world, "acc1")
    assert run("archive", "--older-than", "2y", "--dry-run") == 0
    assert "would archive 1 account(s)" in capsys.readouterr().out
    assert run("archive", "--older-than", "soon") == 2
    assert "not an age" in capsys.readouterr().err
    assert run("archive") == 0  # the default age: two years
    assert world.accounts["acc1"] in capsys.readouterr().out
    assert run("restore-archived", "nope") == 2
    assert run("restore-archived", world.accounts["acc1"]) == 0
    assert "back with its owner" in capsys.readouterr().out
