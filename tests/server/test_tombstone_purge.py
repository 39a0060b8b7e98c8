"""Tombstones are purged once every active device has pulled past them (a per-device
watermark); a device that was away longer than the grace period and comes back from before
the purge is told to take a fresh snapshot; a change to a purged record is not resurrected."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from desktop_crm.protocol.messages import PullResponse
from desktop_crm.server import admin, directory, tombstones
from desktop_crm.server import models as m
from desktop_crm.server.cli import main
from desktop_crm.server.db import write_transaction
from desktop_crm.server.settings import Settings, SettingsError, stale_device_days
from desktop_crm.server.timeutil import iso, now
from tests.server.conftest import World, change
from tests.sync.harness import add_device

EVERYONE = ("rep1", "rep2", "manager1", "rep3", "manager2", "desk1", "admin")


def _device(world: World, name: str) -> Any:
    with world.engine.connect() as conn:
        return conn.execute(select(m.devices).where(m.devices.c.id == world.devices[name])).one()


def _set_device(world: World, name: str, **values: Any) -> None:
    with world.engine.begin() as conn:
        conn.execute(
            update(m.devices).where(m.devices.c.id == world.devices[name]).values(**values)
        )


def _days_ago(days: int) -> str:
    return iso(now() - timedelta(days=days))


def _catch_up(world: World, cursors: dict[str, str], *names: str) -> None:
    """Each device pulls everything, then presents its new cursor (which records it)."""
    for name in names:
        result = world.pull_all(name, cursors[name])
        assert not result["resync_required"]
        cursors[name] = result["cursor"]
        world.pull(name, cursors[name])


def _record(world: World, entity: str, record_id: str) -> Any:
    with world.engine.connect() as conn:
        return conn.execute(
            select(m.records).where(m.records.c.entity == entity, m.records.c.id == record_id)
        ).first()


def _delete_contact(world: World, key: str = "acc1", who: str = "rep1") -> tuple[str, int]:
    """``who`` deletes the contact of account ``key``; returns its id and the deletion's seq."""
    contact = world.contacts[key]
    [result] = world.push(
        who,
        change(
            "contact",
            contact,
            {},
            base={"server": 1},
            new={"server": 1, world.replicas[who]: 1},
            deleted=True,
        ),
    )
    assert result["status"] == "applied", result
    return contact, int(_record(world, "contact", contact).change_seq)


def _purge(world: World, *, dry_run: bool = False, stale_days: int = 90) -> tombstones.PurgeReport:
    return admin.purge_tombstones(world.engine, stale_days=stale_days, dry_run=dry_run)


def test_pulls_record_the_device_cursor_only_when_it_moves(world: World) -> None:
    assert _device(world, "rep1").pull_seq is None
    _, cursor = world.snapshot("rep1")
    assert _device(world, "rep1").pull_seq == int(cursor)  # a snapshot counts as pulled to it
    world.push(
        "rep1",
        change("contact", str(uuid.uuid4()), {"account_id": world.accounts["acc1"], "name": "N"}),
    )
    page = world.pull("rep1", cursor)
    assert _device(world, "rep1").pull_seq == int(cursor)  # what it presented, not what it got
    world.pull("rep1", page["cursor"])
    assert _device(world, "rep1").pull_seq == int(page["cursor"])
    # The same cursor again (an empty pull) writes nothing...
    marker = _days_ago(0)
    _set_device(world, "rep1", pulled_at=marker)
    world.pull("rep1", page["cursor"])
    assert _device(world, "rep1").pulled_at == marker
    # ... unless the last note is over a day old.
    _set_device(world, "rep1", pulled_at=_days_ago(2))
    world.pull("rep1", page["cursor"])
    assert _device(world, "rep1").pulled_at > marker


def test_tombstone_is_purged_only_when_every_active_device_pulled_past_it(world: World) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    contact, deleted_at = _delete_contact(world)
    report = _purge(world)
    assert report.purged == [] and report.watermark < deleted_at
    _catch_up(world, cursors, *(n for n in EVERYONE if n != "rep2"))
    report = _purge(world)
    assert report.purged == []  # rep2's device still holds the watermark back
    assert report.watermark == int(cursors["rep2"]) < deleted_at
    _catch_up(world, cursors, "rep2")
    dry = _purge(world, dry_run=True)
    assert [(p.entity, p.id) for p in dry.purged] == [("contact", contact)]
    assert dry.watermark >= deleted_at
    assert _record(world, "contact", contact) is not None  # a dry run leaves it
    live = {r.id for r in _all_records(world) if not r.deleted}
    report = _purge(world)
    assert [(p.entity, p.id) for p in report.purged] == [("contact", contact)]
    assert _record(world, "contact", contact) is None
    assert {r.id for r in _all_records(world)} == live  # nothing else went
    assert _purge(world).purged == []
    # Everyone is past it: nobody is asked to resnapshot.
    for name in EVERYONE:
        assert world.pull(name, cursors[name])["resync_required"] is False


def _all_records(world: World) -> list[Any]:
    with world.engine.connect() as conn:
        return list(conn.execute(select(m.records)).all())


def test_an_account_deletion_is_purged_with_its_children_and_cannot_be_undone(
    world: World,
) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    account = world.accounts["acc1"]
    [result] = world.push(
        "manager1",
        change(
            "account",
            account,
            {},
            base={"server": 1},
            new={"server": 1, world.replicas["manager1"]: 1},
            deleted=True,
        ),
    )
    assert result["status"] == "applied", result
    with world.engine.connect() as conn:
        assert len(conn.execute(select(m.cascade_deletions)).all()) == 2  # contact, deal
    _catch_up(world, cursors, *EVERYONE)
    purged = {(p.entity, p.id) for p in _purge(world).purged}
    assert purged == {
        ("account", account),
        ("contact", world.contacts["acc1"]),
        ("opportunity", world.opportunities["acc1"]),
    }
    with world.engine.connect() as conn:
        assert conn.execute(select(m.cascade_deletions)).all() == []
    [again] = world.push(
        "manager1",
        change(
            "account",
            account,
            {"name": "Back again"},
            base={"server": 1, world.replicas["manager1"]: 1},
            new={"server": 1, world.replicas["manager1"]: 2},
        ),
    )
    assert again["status"] == "rejected" and "no longer exists" in again["reason"]


def test_a_later_tombstone_is_kept(world: World) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    first, _ = _delete_contact(world, "acc1", "rep1")
    _catch_up(world, cursors, *EVERYONE)
    second, _ = _delete_contact(world, "acc2", "rep2")
    report = _purge(world)
    assert [p.id for p in report.purged] == [first]
    assert _record(world, "contact", second).deleted


def test_stale_device_stops_holding_the_watermark_and_must_resnapshot(world: World) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    contact, deleted_at = _delete_contact(world)
    _catch_up(world, cursors, *(n for n in EVERYONE if n not in ("rep2", "rep3")))
    _catch_up(world, cursors, "rep3")
    # rep2 has not pulled for 100 days; rep3 neither, but it had pulled past the deletion.
    for name in ("rep2", "rep3"):
        _set_device(world, name, pulled_at=_days_ago(100), created_at=_days_ago(200))
    assert _purge(world, stale_days=120).purged == []  # not stale by that measure
    report = _purge(world)
    assert [p.id for p in report.purged] == [contact]
    assert sorted(report.stale_devices) == sorted([world.devices["rep2"], world.devices["rep3"]])
    page = world.pull("rep2", cursors["rep2"])
    assert page["resync_required"] is True and page["records"] == []
    PullResponse.model_validate(page)
    assert world.pull("rep3", cursors["rep3"])["resync_required"] is False
    assert world.pull("rep1", cursors["rep1"])["resync_required"] is False
    # The fresh snapshot puts rep2 right again.
    records, cursor = world.snapshot("rep2")
    assert contact not in world.ids(records)
    assert world.pull("rep2", cursor)["resync_required"] is False
    # A pull without a cursor (from the beginning) can no longer be answered either.
    assert world.pull("rep2")["resync_required"] is True
    assert deleted_at <= report.purged_through


def test_revoked_and_new_devices(world: World, settings: Settings) -> None:
    """A revoked device (or a disabled user's) holds nothing back; a device registered but
    never synced holds the watermark until it pulls or goes stale."""
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    contact, _ = _delete_contact(world)
    _catch_up(world, cursors, *(n for n in EVERYONE if n != "rep2"))
    with world.engine.connect() as conn, write_transaction(conn):
        directory.revoke_device(conn, world.devices["rep2"], "server")
    _, fresh, _ = add_device(world.engine, settings, world.users["rep1"])
    assert _purge(world).purged == []  # the new device might hold a replica from before
    with world.engine.begin() as conn:
        conn.execute(
            update(m.devices).where(m.devices.c.id == fresh).values(created_at=_days_ago(91))
        )
    assert [p.id for p in _purge(world).purged] == [contact]


def test_changes_to_a_purged_record_are_not_resurrected(world: World) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    contact, _ = _delete_contact(world)
    tombstone = world.client.get(f"/records/contact/{contact}", headers=world.h("rep1")).json()
    _catch_up(world, cursors, *EVERYONE)
    assert [p.id for p in _purge(world).purged] == [contact]
    stale_edit = change(
        "contact",
        contact,
        {"account_id": world.accounts["acc1"], "name": "Still here?"},
        base={"server": 1},
        new={"server": 1, world.replicas["manager1"]: 1},
    )
    restore = change(
        "contact",
        contact,
        {"account_id": world.accounts["acc1"], "name": "Restored"},
        base=tombstone["version"],
        new={**tombstone["version"], world.replicas["rep1"]: 9},
    )
    again = change(
        "contact",
        contact,
        {},
        base={"server": 1},
        new={"server": 1, world.replicas["manager1"]: 2},
        deleted=True,
    )
    results = world.push("manager1", stale_edit)
    results += world.push("rep1", restore)
    results += world.push("manager1", again)
    assert [r["status"] for r in results] == ["rejected", "rejected", "already_applied"]
    assert "no longer exists" in results[0]["reason"]
    assert results[2]["current"] is None
    assert _record(world, "contact", contact) is None
    # A record the server never had is still a creation.
    [created] = world.push(
        "rep1",
        change("contact", str(uuid.uuid4()), {"account_id": world.accounts["acc1"], "name": "New"}),
    )
    assert created["status"] == "applied"


def test_purge_command(
    world: World, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cursors = {name: world.snapshot(name)[1] for name in EVERYONE}
    contact, _ = _delete_contact(world)
    _catch_up(world, cursors, *EVERYONE)
    url = settings.database_url
    assert main(["admin", "purge-tombstones", "--database", url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would purge 1 tombstone" in out and contact in out and "watermark" in out
    assert _record(world, "contact", contact) is not None
    assert main(["admin", "purge-tombstones", "--database", url, "--stale-days", "30"]) == 0
    out = capsys.readouterr().out
    assert "purged 1 tombstone" in out and contact in out
    assert _record(world, "contact", contact) is None
    assert main(["admin", "purge-tombstones", "--database", url]) == 0
    assert "purged 0 tombstones" in capsys.readouterr().out


def test_stale_device_days_setting() -> None:
    assert stale_device_days({}) == 90
    assert stale_device_days({"DESKTOP_CRM_SERVER_STALE_DEVICE_DAYS": "30"}) == 30
    for bad in ("0", "-3", "soon"):
        with pytest.raises(SettingsError):
            stale_device_days({"DESKTOP_CRM_SERVER_STALE_DEVICE_DAYS": bad})
