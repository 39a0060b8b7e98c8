"""Suspected duplicates (scan, review queue, CSV import) and merges (with undo), on SQLite and
PostgreSQL, over HTTP where a user does it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from desktop_crm.domain.records import Account, Activity, Contact, Entity, Phone
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID
from desktop_crm.server import admin, db, directory, duplicates
from desktop_crm.server import models as m
from desktop_crm.server.cli import main as server_main
from desktop_crm.server.store import load
from tests.server.conftest import World, change, seed_record


def _seed_twins(world: World) -> dict[str, str]:
    """rep1's 北京某某科技 (with a contact and a call) and rep2's 某某科技股份有限公司 (with a
    contact on the same phone), both in team A; rep3's unrelated 北京联想科技 in team B."""
    u = world.users
    first = Account(name="北京某某科技", owner_id=u["rep1"])
    second = Account(name="北京某某科技股份有限公司", owner_id=u["rep2"], industry="IT")
    other = Account(name="北京联想科技有限公司", owner_id=u["rep3"])
    phone = Phone(raw="138 0013 8000", e164="+8613800138000")
    c1 = Contact(account_id=first.meta.id, name="王小明", phones=[phone])
    c2 = Contact(account_id=second.meta.id, name="Wang Xiaoming", phones=[phone])
    call = Activity(
        account_id=second.meta.id, contact_id=c2.meta.id, kind="call", start_at=c2.meta.updated_at
    )
    with world.engine.connect() as conn, db.write_transaction(conn):
        for record in (first, second, other, c1, c2, call):
            seed_record(conn, record)
        for account, owner in ((first, "rep1"), (second, "rep2"), (other, "rep3")):
            directory.set_assignment(conn, account.meta.id, u[owner], "server")
    return {
        "first": first.meta.id,
        "second": second.meta.id,
        "other": other.meta.id,
        "c1": c1.meta.id,
        "c2": c2.meta.id,
        "call": call.meta.id,
    }


def _scan(engine: Engine, entity: str = "account") -> duplicates.ScanReport:
    return admin.find_duplicates(engine, Entity(entity), 80)


def _pair(ids: dict[str, str], a: str, b: str) -> tuple[str, str]:
    x, y = sorted((ids[a], ids[b]))
    return x, y


def test_scan_queues_the_twins_and_a_dismissed_pair_stays_dismissed(world: World) -> None:
    ids = _seed_twins(world)
    report = _scan(world.engine)
    found = {(p.id_a, p.id_b): p for p in report.pairs}
    assert _pair(ids, "first", "second") in found
    assert set(found[_pair(ids, "first", "second")].reasons) == {"name", "phone"}
    assert not any(ids["other"] in key for key in found)
    contacts = _scan(world.engine, "contact")
    # (The world's "Contact of acc1/acc2/acc3" are alike too: a person would look at them.)
    assert _pair(ids, "c1", "c2") in {(p.id_a, p.id_b) for p in contacts.pairs}

    response = world.client.post(
        "/duplicates/dismiss",
        json={"entity": "account", "id_a": ids["second"], "id_b": ids["first"]},
        headers=world.h("manager1"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "dismissed"
    again = _scan(world.engine)
    assert again.new == 0 and again.dismissed_kept == 1
    queue = world.client.get("/duplicates", headers=world.h("manager1")).json()
    assert ids["second"] not in {p["id_a"] for p in queue} | {p["id_b"] for p in queue}


def test_a_rescan_rescores_open_pairs_drops_lost_ones_and_keeps_decided_ones(
    world: World,
) -> None:
    def pair(a: str, b: str, score: float, *reasons: str) -> duplicates.FoundPair:
        return duplicates.FoundPair("account", a, b, score, reasons)

    def queue(conn: Any) -> dict[tuple[str, str], tuple[float, str, str]]:
        rows = duplicates.list_pairs(conn, Entity.ACCOUNT, status=None)
        return {(r.id_a, r.id_b): (r.score, ",".join(r.reasons), r.status) for r in rows}

    with world.engine.connect() as conn, db.write_transaction(conn):
        first = [pair("a", "b", 85.0, "name"), pair("a", "c", 90.0, "name")]
        first.append(pair("b", "c", 100.0, "phone"))
        assert duplicates.store_pairs(conn, Entity.ACCOUNT, first, replace_open=True) == (3, 0)
        duplicates.set_status(conn, Entity.ACCOUNT, "c", "b", duplicates.DISMISSED, "x")
        again = [pair("a", "b", 100.0, "name", "email"), pair("b", "c", 100.0, "phone")]
        again.append(pair("a", "d", 81.0, "name"))
        assert duplicates.store_pairs(conn, Entity.ACCOUNT, again, replace_open=True) == (1, 1)
        assert queue(conn) == {
            ("a", "b"): (100.0, "name,email", duplicates.OPEN),
            ("a", "d"): (81.0, "name", duplicates.OPEN),
            ("b", "c"): (100.0, "phone", duplicates.DISMISSED),
        }


def test_the_queue_is_for_managers_and_admins_in_their_scope(world: World) -> None:
    ids = _seed_twins(world)
    _scan(world.engine)
    mine = world.client.get("/duplicates", headers=world.h("manager1"))
    assert mine.status_code == 200
    # (The world's "Customer acc1" and "Customer acc2" are alike too.)
    [pair] = [p for p in mine.json() if ids["first"] in (p["id_a"], p["id_b"])]
    assert {pair["name_a"], pair["name_b"]} == {"北京某某科技", "北京某某科技股份有限公司"}
    assert pair["score"] == 100.0 and "phone" in pair["reasons"]
    theirs = world.client.get("/duplicates", headers=world.h("manager2")).json()
    assert all(ids["first"] not in (p["id_a"], p["id_b"]) for p in theirs)
    assert all(world.accounts["acc1"] not in (p["id_a"], p["id_b"]) for p in theirs)
    assert world.client.get("/duplicates", headers=world.h("rep1")).status_code == 404
    bad = world.client.get("/duplicates?entity=activity&status=open", headers=world.h("admin"))
    assert bad.status_code == 200 and bad.json() == []
    refused = world.client.get("/duplicates?status=whatever", headers=world.h("admin"))
    assert refused.status_code == 422
    assert ids


def _merge(world: World, ids: dict[str, str], user: str = "manager1", **extra: Any) -> Any:
    body = {
        "entity": "account",
        "survivor_id": ids["first"],
        "loser_id": ids["second"],
        "take_from_loser": ["industry"],
        **extra,
    }
    return world.client.post("/merges", json=body, headers=world.h(user))


def test_a_merge_moves_children_keeps_the_name_and_tombstones_the_loser(world: World) -> None:
    ids = _seed_twins(world)
    _scan(world.engine)
    response = _merge(world, ids)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["survivor"]["data"]["industry"] == "IT"
    assert answer["survivor"]["data"]["name"] == "北京某某科技"
    assert answer["moved"] == 2
    with world.engine.connect() as conn:
        loser = load(conn, "account", ids["second"])
        assert loser is not None and loser.deleted
        assert loser.data["merged_into"] == ids["first"]
        for key in ("c2", "call"):
            child = load(conn, "contact" if key == "c2" else "activity", ids[key])
            assert child is not None and not child.deleted
            assert child.account_id == ids["first"]
        names = (
            conn.execute(
                select(m.account_former_names.c.name).where(
                    m.account_former_names.c.account_id == ids["first"]
                )
            )
            .scalars()
            .all()
        )
        assert "北京某某科技股份有限公司" in names
        audit = conn.execute(
            select(m.audit_log.c.detail).where(m.audit_log.c.action == "merge")
        ).scalar_one()
        detail = json.loads(audit)
        assert detail["loser_before"]["name"] == "北京某某科技股份有限公司"
        assert detail["survivor_before"]["name"] == "北京某某科技"
        id_a, id_b = _pair(ids, "first", "second")
        status = conn.execute(
            select(m.duplicate_pairs.c.status).where(
                m.duplicate_pairs.c.id_a == id_a, m.duplicate_pairs.c.id_b == id_b
            )
        ).scalar_one()
        assert status == "merged"
    # rep2 (who owned the loser) pulls the tombstone naming the survivor.
    records = world.pull_all("rep2")["records"]
    tomb = [r for r in records if r["id"] == ids["second"]]
    assert tomb and tomb[0]["deleted"] and tomb[0]["data"]["merged_into"] == ids["first"]


def test_merge_refuses_bad_input_and_loses_nothing(world: World) -> None:
    ids = _seed_twins(world)
    itself = _merge(world, ids, loser_id=ids["first"])
    assert itself.status_code == 422 and "itself" in itself.json()["detail"]
    unknown = _merge(world, ids, take_from_loser=["colour"])
    assert unknown.status_code == 422 and "colour" in unknown.json()["detail"]
    link = world.client.post(
        "/merges",
        json={
            "entity": "contact",
            "survivor_id": ids["c1"],
            "loser_id": ids["c2"],
            "take_from_loser": ["account_id"],
        },
        headers=world.h("manager1"),
    )
    assert link.status_code == 422
    assert _merge(world, ids, user="manager2").status_code == 404  # not in their scope
    assert _merge(world, ids, user="rep1").status_code == 404
    activity = world.client.post(
        "/merges",
        json={"entity": "activity", "survivor_id": ids["call"], "loser_id": ids["call"]},
        headers=world.h("admin"),
    )
    assert activity.status_code in (404, 422)
    with world.engine.connect() as conn:
        assert not load(conn, "account", ids["second"]).deleted  # type: ignore[union-attr]
        assert conn.execute(select(m.merges)).all() == []


def test_pushes_that_name_the_loser_land_on_the_survivor(world: World) -> None:
    ids = _seed_twins(world)
    assert _merge(world, ids).status_code == 200
    call = change(
        "activity",
        "offline-call",
        {
            "account_id": ids["second"],
            "contact_id": ids["c2"],
            "kind": "call",
            "start_at": "2026-12-01T10:00:00+00:00",
        },
        new={"r2": 1},
    )
    with world.engine.connect() as conn:
        loser = load(conn, "account", ids["second"])
    assert loser is not None
    base = {SERVER_REPLICA_ID: 1}
    edit = change(
        "account",
        ids["second"],
        {**{k: v for k, v in loser.data.items() if k != "merged_into"}, "notes": "offline note"},
        base=base,
        new={**base, "r2": 1},
    )
    edit["changed_fields"] = ["notes"]
    results = world.push("rep2", call, edit)
    assert [r["status"] for r in results] == ["applied", "applied"], results
    # rep2 does not see rep1's survivor: the call lands there, the answer does not show it.
    assert results[0]["current"] is None
    assert results[1]["current"]["deleted"] is True
    with world.engine.connect() as conn:
        landed = load(conn, "activity", "offline-call")
        assert landed is not None and landed.account_id == ids["first"]
        assert landed.data["contact_id"] == ids["c2"]  # the contact moved with the merge
        survivor = load(conn, "account", ids["first"])
        assert survivor is not None and survivor.data["notes"] == "offline note"
        assert survivor.data["name"] == "北京某某科技"
    again = world.push("rep2", edit)
    assert again[0]["status"] == "already_applied"


def test_an_admin_undoes_a_merge_and_nothing_newer_is_lost(world: World) -> None:
    ids = _seed_twins(world)
    merged = _merge(world, ids).json()
    merge_id = merged["merge_id"]
    undo_url = f"/admin/merges/{merge_id}/undo"
    assert world.client.post(undo_url, headers=world.h("manager1")).status_code == 404
    response = world.client.post(f"/admin/merges/{merge_id}/undo", headers=world.h("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["restored_id"] == ids["second"]
    with world.engine.connect() as conn:
        loser = load(conn, "account", ids["second"])
        assert loser is not None and not loser.deleted and "merged_into" not in loser.data
        for key, entity in (("c2", "contact"), ("call", "activity")):
            child = load(conn, entity, ids[key])
            assert child is not None and child.account_id == ids["second"]
        survivor = load(conn, "account", ids["first"])
        assert survivor is not None and survivor.data["industry"] == ""
        names = (
            conn.execute(
                select(m.account_former_names.c.name).where(
                    m.account_former_names.c.account_id == ids["first"]
                )
            )
            .scalars()
            .all()
        )
        assert "北京某某科技股份有限公司" not in names
        actions = conn.execute(select(m.audit_log.c.action)).scalars().all()
        assert "merge_undo" in actions
    twice = world.client.post(f"/admin/merges/{merge_id}/undo", headers=world.h("admin"))
    assert twice.status_code == 409 and "already undone" in twice.json()["detail"]
    unknown = world.client.post("/admin/merges/nope/undo", headers=world.h("admin"))
    assert unknown.status_code == 409


def test_undo_is_refused_while_a_newer_merge_depends_on_it(world: World) -> None:
    ids = _seed_twins(world)
    first = _merge(world, ids).json()["merge_id"]
    # The survivor is merged into another account afterwards.
    third = Account(name="Another", owner_id=world.users["rep1"])
    with world.engine.connect() as conn, db.write_transaction(conn):
        seed_record(conn, third)
        directory.set_assignment(conn, third.meta.id, world.users["rep1"], "server")
    again = world.client.post(
        "/merges",
        json={"entity": "account", "survivor_id": third.meta.id, "loser_id": ids["first"]},
        headers=world.h("admin"),
    )
    assert again.status_code == 200
    refused = world.client.post(f"/admin/merges/{first}/undo", headers=world.h("admin"))
    assert refused.status_code == 409 and "undo that first" in refused.json()["detail"]


def test_cli_find_duplicates_json_and_csv_import_flag_or_skip(
    world: World, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _seed_twins(world)
    base = ["--database", settings.database_url]
    assert server_main(["admin", "find-duplicates", "--json", *base]) == 0
    report = json.loads(capsys.readouterr().out)
    twins = sorted((ids["first"], ids["second"]))
    assert [p["score"] for p in report["pairs"] if [p["id_a"], p["id_b"]] == twins] == [100.0]
    rows = "name\n某某科技有限公司\n全新客户\n"
    path = tmp_path / "accounts.csv"
    path.write_text(rows, encoding="utf-8")
    assert (
        server_main(["admin", "import-csv", "account", str(path), "--on-duplicate", "skip", *base])
        == 0
    )
    out = capsys.readouterr().out
    assert "imported 1 account record(s)" in out and "skipped 1" in out
    assert ids["first"] in out
    assert server_main(["admin", "import-csv", "account", str(path), *base]) == 0
    out = capsys.readouterr().out
    # Flagged: imported, and its pairs queued; 全新客户 now matches the one imported before.
    assert "imported 2 account record(s)" in out and "matching existing data 2" in out
    with world.engine.connect() as conn:
        queued = duplicates.list_pairs(conn, Entity.ACCOUNT)
    assert len([p for p in queued if ids["first"] in (p.id_a, p.id_b)]) >= 2
    bad = server_main(["admin", "find-duplicates", "--threshold", "0", *base])
    assert bad == 2
    assert server_main(["admin", "undo-merge", "nope", *base]) == 2


def test_merging_contacts_moves_their_calls_and_an_undo_moves_them_back(world: World) -> None:
    ids = _seed_twins(world)
    response = world.client.post(
        "/merges",
        json={
            "entity": "contact",
            "survivor_id": ids["c1"],
            "loser_id": ids["c2"],
            "take_from_loser": ["title"],
        },
        headers=world.h("manager1"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["moved"] == 1
    with world.engine.connect() as conn:
        call = load(conn, "activity", ids["call"])
        assert call is not None
        assert call.data["contact_id"] == ids["c1"] and call.account_id == ids["first"]
        loser = load(conn, "contact", ids["c2"])
        assert loser is not None and loser.deleted and loser.data["merged_into"] == ids["c1"]
    # A call pushed later under the merged-away contact follows it to the survivor.
    pushed = change(
        "activity",
        "late-call",
        {
            "account_id": ids["second"],
            "contact_id": ids["c2"],
            "kind": "call",
            "start_at": "2026-12-01T10:00:00+00:00",
        },
        new={"m1": 1},
    )
    [result] = world.push("manager1", pushed)
    assert result["status"] == "applied", result
    assert result["current"]["data"]["contact_id"] == ids["c1"]
    assert result["current"]["data"]["account_id"] == ids["first"]
    merge_id = response.json()["merge_id"]
    undone = world.client.post(f"/admin/merges/{merge_id}/undo", headers=world.h("admin"))
    assert undone.status_code == 200, undone.text
    with world.engine.connect() as conn:
        call = load(conn, "activity", ids["call"])
        assert call is not None
        assert call.data["contact_id"] == ids["c2"] and call.account_id == ids["second"]
        restored = load(conn, "contact", ids["c2"])
        assert restored is not None and not restored.deleted


def test_a_common_person_name_pairs_contacts_by_phone_only() -> None:
    from desktop_crm.domain.duplicates import account_party, contact_party

    common = [contact_party("张伟") for _ in range(duplicates.MAX_SHARED + 1)]
    common[0] = contact_party("张伟", ["+8613800138000"])
    common[1] = contact_party("张 伟", ["+8613800138000"])
    parties = [*common, contact_party("李娜"), contact_party("李 娜"), contact_party("Li Na")]
    ids = [f"c{n:03}" for n in range(len(parties))]
    pairs = duplicates.find_pairs(ids, parties, Entity.CONTACT)
    assert {(p.id_a, p.id_b, p.reasons) for p in pairs} == {
        ("c000", "c001", ("name", "phone")),  # (found by the phone; the names agree too)
        (ids[-3], ids[-2], ("name",)),
    }
    # A company's name is not common that way: as many accounts with one name all pair up.
    accounts = [account_party("北京某某科技有限公司") for _ in range(duplicates.MAX_SHARED + 1)]
    found = duplicates.find_pairs(ids[: len(accounts)], accounts, Entity.ACCOUNT)
    assert len(found) == len(accounts) * (len(accounts) - 1) // 2
