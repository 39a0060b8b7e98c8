"""The audit trail: what is recorded, the hash chain (edits and deletions detected), retention,
the admin API by role, and the command line (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text, update

from desktop_crm.protocol.messages import Role
from desktop_crm.server import audit, db, directory
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from desktop_crm.server.settings import Settings
from desktop_crm.server.timeutil import iso, now
from tests.server.conftest import World, change


def _entries(engine: Engine, action: str | None = None) -> list[Any]:
    query = select(m.audit_log).order_by(m.audit_log.c.id)
    if action is not None:
        query = query.where(m.audit_log.c.action == action)
    with engine.connect() as conn:
        return list(conn.execute(query))


def _verify(engine: Engine) -> audit.VerifyReport:
    with engine.connect() as conn, conn.begin():
        return audit.verify(conn)


def _event(engine: Engine, action: str = "test.event", **detail: object) -> None:
    with engine.connect() as conn, db.short_write(conn):
        audit.event(conn, "server", None, action, detail)


# What is recorded ----------------------------------------------------------------------------


def test_sign_in_failures_are_recorded_with_the_address(world: World, engine: Engine) -> None:
    bad = world.client.post("/auth/login", json={"username": "rep1", "password": "wrong"})
    assert bad.status_code == 401
    unknown = world.client.post("/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401
    world.login("rep2")
    failed = _entries(engine, "login.failed")
    assert [(e.actor_id, json.loads(e.detail)["username"]) for e in failed] == [
        (world.users["rep1"], "rep1"),
        ("unknown", "nobody"),
    ]
    assert {e.address for e in failed} == {"testclient"}  # the request's client address
    assert _entries(engine, "login")[-1].actor_id == world.users["rep2"]
    assert _verify(engine).ok


def test_owner_change_and_deletion_keep_their_values(world: World, engine: Engine) -> None:
    acc1 = world.accounts["acc1"]
    response = world.client.post(
        f"/accounts/{acc1}/assign", json={"username": "rep2"}, headers=world.h("manager1")
    )
    assert response.status_code == 200, response.text
    assign = _entries(engine, "account.assign")[-1]
    assert json.loads(assign.detail) == {"from": world.users["rep1"], "to": world.users["rep2"]}
    assert assign.actor_id == world.users["manager1"]
    owner = [e for e in _entries(engine, "record.update") if e.record_id == acc1][-1]
    assert json.loads(owner.detail)["owner_id"] == {
        "from": world.users["rep1"],
        "to": world.users["rep2"],
    }
    opp = world.opportunities["acc2"]
    [result] = world.push(
        "rep2",
        change(
            "opportunity", opp, {}, base={"server": 1}, new={"server": 1, "r2": 1}, deleted=True
        ),
    )
    assert result["status"] == "applied", result
    deleted = _entries(engine, "record.delete")[-1]
    assert (deleted.record_id, json.loads(deleted.detail)["name"]) == (opp, "Deal acc2")
    assert deleted.device_id == world.devices["rep2"]
    assert _verify(engine).ok


def test_settings_changes_are_recorded(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text("[]", encoding="utf-8")
    assert (
        main(["admin", "status-rules", "set", str(rules), "--database", settings.database_url]) == 0
    )
    [entry] = _entries(engine, "settings.status_rules")
    detail = json.loads(entry.detail)
    assert detail["to"] == [] and detail["from"][0]["when"] == "won"


# The chain -------------------------------------------------------------------------------------


def test_verify_detects_an_edited_entry(world: World, engine: Engine) -> None:
    world.login("rep1")
    report = _verify(engine)
    assert report.ok and report.checked > 5
    victim = _entries(engine, "login")[-1]
    with engine.begin() as conn:
        conn.execute(
            update(m.audit_log).where(m.audit_log.c.id == victim.id).values(actor_id="someone")
        )
    report = _verify(engine)
    assert report.broken is not None and report.broken[0] == victim.id
    assert "changed" in report.broken[1]


def test_verify_detects_a_changed_detail_and_a_deleted_entry(world: World, engine: Engine) -> None:
    entries = _entries(engine)
    middle = entries[len(entries) // 2]
    with engine.begin() as conn:
        conn.execute(
            update(m.audit_log).where(m.audit_log.c.id == middle.id).values(detail='{"x":1}')
        )
    assert _verify(engine).broken == (middle.id, f"entry {middle.id}: its detail was changed")
    with engine.begin() as conn:
        conn.execute(
            update(m.audit_log).where(m.audit_log.c.id == middle.id).values(detail=middle.detail)
        )
        conn.execute(delete(m.audit_log).where(m.audit_log.c.id == middle.id))
    report = _verify(engine)
    assert report.broken is not None
    assert report.broken[0] == middle.id + 1 and "missing" in report.broken[1]


def test_verify_detects_that_the_newest_entries_were_deleted(world: World, engine: Engine) -> None:
    last = _entries(engine)[-1]
    with engine.begin() as conn:
        conn.execute(delete(m.audit_log).where(m.audit_log.c.id == last.id))
    report = _verify(engine)
    assert report.broken is not None and "deleted" in report.broken[1]


def test_a_redaction_is_allowed_only_when_the_chain_records_it(engine: Engine) -> None:
    for n in range(3):
        _event(engine, n=n, name="张伟")
    target = _entries(engine, "test.event")[1]
    with engine.connect() as conn, db.short_write(conn):
        assert audit.redact(conn, [target.id], "server", "erasure request 7") == 1
    report = _verify(engine)
    assert report.ok and report.redacted == 1
    assert "张伟" not in _entries(engine, "test.event")[1].detail


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                _event(engine, writer=n, i=i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = _verify(engine)
    assert report.ok and report.checked == 60


# Retention -------------------------------------------------------------------------------------


def _old_entries(engine: Engine, count: int, years: int) -> None:
    at = iso(now() - timedelta(days=365 * years))
    with engine.connect() as conn, db.short_write(conn):
        audit.append(
            conn,
            [
                {"at": at, "actor_id": "server", "action": "old", "detail": json.dumps({"n": n})}
                for n in range(count)
            ],
        )


def test_purge_removes_only_expired_entries_and_keeps_the_chain(engine: Engine) -> None:
    _old_entries(engine, 4, years=6)
    _event(engine, "recent")
    with engine.connect() as conn, db.short_write(conn):
        result = audit.purge_expired(conn, timedelta(days=5 * 365 + 1), "server")
    assert result.purged == 4
    assert [e.action for e in _entries(engine)] == ["recent", audit.PURGE_ACTION]
    purge = json.loads(_entries(engine, audit.PURGE_ACTION)[0].detail)
    assert purge["count"] == 4 and purge["through_id"] == result.through_id
    report = _verify(engine)
    assert report.ok and report.checked == 2 and report.base_id == result.through_id
    with engine.connect() as conn, db.short_write(conn):  # nothing more to purge
        assert audit.purge_expired(conn, timedelta(days=365), "server").purged == 0
    # Moving the chain's start (hiding a deleted first entry) is detected.
    with engine.begin() as conn:
        first = conn.scalar(select(func.min(m.audit_log.c.id)))
        row = conn.execute(select(m.audit_log).where(m.audit_log.c.id == first)).one()
        conn.execute(delete(m.audit_log).where(m.audit_log.c.id == first))
        conn.execute(update(m.audit_chain).values(base_id=first, base_hash=row.hash))
    assert not _verify(engine).ok


# The API ---------------------------------------------------------------------------------------


def _read(world: World, reader: str, **params: Any) -> Any:
    return world.client.get("/admin/audit", params=params, headers=world.h(reader))


def test_reps_and_the_service_desk_cannot_read_the_audit(world: World) -> None:
    for user in ("rep1", "desk1"):
        assert _read(world, user).status_code == 404


def test_a_manager_reads_only_their_teams_entries(world: World) -> None:
    world.login("rep1")  # team A
    world.login("rep3")  # team B
    answer = _read(world, "manager1")
    assert answer.status_code == 200, answer.text
    actors = {e["actor_id"] for e in answer.json()["entries"]}
    team_a = {world.users[n] for n in ("rep1", "rep2", "manager1")}
    assert world.users["rep1"] in actors and actors <= team_a
    assert _read(world, "manager1", user="rep3").status_code == 404
    everyone = {e["actor_id"] for e in _read(world, "admin", limit=1000).json()["entries"]}
    assert {world.users["rep1"], world.users["rep3"], "server"} <= everyone


def test_filters_and_bad_input(world: World) -> None:
    world.login("rep1")
    logins = _read(world, "admin", action="login", user="rep1").json()["entries"]
    assert [e["action"] for e in logins] == ["login"]
    assert logins[0]["username"] == "rep1" and logins[0]["address"] == "testclient"
    acc1 = world.accounts["acc1"]
    about = _read(world, "admin", record=acc1).json()["entries"]
    assert about and {e["record_id"] for e in about} == {acc1}
    assert _read(world, "admin", since="2999-01-01").json()["entries"] == []
    assert len(_read(world, "admin", since="2020-01-01T00:00:00+00:00").json()["entries"]) > 1
    bad = _read(world, "admin", since="yesterday")
    assert bad.status_code == 422 and "ISO-8601" in bad.json()["detail"]
    assert _read(world, "admin", action="%").json()["entries"] == []  # no wildcards
    assert _read(world, "admin", user="nobody").status_code == 404
    assert _read(world, "admin", limit=0).status_code == 422
    page = _read(world, "admin", limit=2).json()
    older = _read(world, "admin", limit=2, before_id=page["next_before_id"]).json()
    assert max(e["id"] for e in older["entries"]) < min(e["id"] for e in page["entries"])


# The command line ---------------------------------------------------------------------------


def test_cli_list_verify_purge(
    world: World, engine: Engine, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--database", settings.database_url]
    world.login("rep1")
    assert main(["admin", "audit", "list", "--user", "rep1", "--json", *url]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in listed] == ["login", "device.register"]
    assert main(["admin", "audit", "list", "--action", "user", "--since", "2020-01-01", *url]) == 0
    assert "user.create" in capsys.readouterr().out
    assert main(["admin", "audit", "list", "--since", "not a date", *url]) == 2
    assert "not a date" in capsys.readouterr().err
    assert main(["admin", "audit", "list", "--user", "nobody", *url]) == 2
    assert main(["admin", "audit", "verify", *url]) == 0
    assert "intact" in capsys.readouterr().out
    assert main(["admin", "audit", "purge-expired", "--dry-run", *url]) == 0
    assert "would purge 0" in capsys.readouterr().out
    assert main(["admin", "audit", "purge-expired", "--retention-days", "0", *url]) == 2
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'x' WHERE id = 3"))
    assert main(["admin", "audit", "verify", "--json", *url]) == 3
    assert json.loads(capsys.readouterr().out)["broken"]["id"] == 3


def test_role_change_is_recorded_for_the_audit_reader(world: World, engine: Engine) -> None:
    with engine.connect() as conn, db.write_transaction(conn):
        directory.set_role(conn, "rep2", Role.MANAGER, world.users["admin"])
    entries = _read(world, "admin", action="user.role").json()["entries"]
    assert entries[0]["detail"] == {"user": "rep2", "role": "manager"}
    assert entries[0]["username"] == "admin"


def test_device_revocation_is_recorded_with_who_and_where(world: World, engine: Engine) -> None:
    device = world.devices["rep2"]
    response = world.client.post(f"/admin/devices/{device}/revoke", headers=world.h("admin"))
    assert response.status_code == 200, response.text
    [entry] = _entries(engine, "device.revoke")
    assert entry.actor_id == world.users["admin"] and entry.address == "testclient"
    assert json.loads(entry.detail) == {"device": device, "user": world.users["rep2"]}
    assert _verify(engine).ok
