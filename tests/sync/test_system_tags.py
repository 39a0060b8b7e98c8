"""System tags reach the replicas: computed on the server by its rules, fetched after a sync into
the encrypted replica, shown by the account views and filterable; time passing (the server's
scheduled pass, with the clock moved) and a call logged offline change them; a rep who types a
system tag by hand gets a sync issue saying why, with the edit kept."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desktop_crm.client import reading
from desktop_crm.client.system_tags import fetch_system_tags, keep_system_tags
from desktop_crm.domain.records import Activity, Entity
from desktop_crm.server import admin, tags
from desktop_crm.server.timeutil import now
from desktop_crm.storage import queries, system_tags
from desktop_crm.sync.engine import SyncSummary
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "tag-rules.toml"


def _sync(device: Device) -> SyncSummary:
    summary = device.sync()
    keep_system_tags(device.replica, device.client, summary)
    return summary


def _tags(device: Device) -> dict[str, dict[str, str]]:
    with device.replica.engine.connect() as conn:
        found = system_tags.tags_of(conn, [a for (e, a) in device.records() if e == "account"])
    return {a: {t.name: t.reason for t in found_tags} for a, found_tags in found.items()}


def _win(device: Device, server: ServerWorld, amount: str) -> None:
    device.edit(
        Entity.OPPORTUNITY,
        server.world.opportunities["acc1"],
        stage="won",
        amount=amount,
        probability=100,
        expected_close="2026-12-31",
    )


def test_tags_arrive_show_and_filter_and_follow_time(
    server: ServerWorld, device: DeviceFactory
) -> None:
    admin.set_tag_rules(server.engine, EXAMPLES)
    laptop = device("rep1")
    summary = _sync(laptop)
    acc1, acc2 = server.world.accounts["acc1"], server.world.accounts["acc2"]
    assert Entity.ACCOUNT in summary.received
    assert _tags(laptop) == {acc1: {"New": "New: created 0 days ago ≤ 30"}}  # acc2: not rep1's

    _win(laptop, server, "1240000")
    _sync(laptop)
    assert _tags(laptop)[acc1]["VIP"] == "VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000"

    # What the views read: the customer view and the list's filter and rows.
    view = reading.account_360(laptop.replica, acc1)
    assert view is not None
    assert [t.name for t in view.system_tags] == ["New", "VIP"]
    vip = queries.AccountFilter(system_tag="VIP")
    assert reading.account_ids(laptop.replica, vip, "name", False) == [acc1]
    assert reading.list_choices(laptop.replica).system_tags == ["New", "VIP"]
    assert reading.system_tags_by_id(laptop.replica, [acc1, acc2]).keys() == {acc1}

    # 91 quiet days later (the server's scheduled pass, the clock moved): at risk, not new.
    tags.evaluate_all(server.engine, at=now() + timedelta(days=91))
    summary = _sync(laptop)
    assert Entity.ACCOUNT in summary.received
    assert set(_tags(laptop)[acc1]) == {"VIP", "At risk"}
    assert reading.list_choices(laptop.replica).system_tags == ["At risk", "VIP"]

    # A call logged offline clears "at risk" once it is pushed (the push re-evaluates at the
    # server's real time, when the account is, in fact, days old: "New" again).
    laptop.save(Activity(account_id=acc1, kind="call", start_at=now(), summary="Caught up"))
    _sync(laptop)
    assert set(_tags(laptop)[acc1]) == {"New", "VIP"}
    # Nothing new: the next fetch changes nothing.
    assert fetch_system_tags(laptop.replica, laptop.client) == 0


def test_a_fresh_fetch_drops_tags_the_server_no_longer_has(
    server: ServerWorld, device: DeviceFactory
) -> None:
    admin.set_tag_rules(server.engine, EXAMPLES)
    laptop = device("rep1")
    _sync(laptop)
    acc1 = server.world.accounts["acc1"]
    assert "New" in _tags(laptop)[acc1]
    with laptop.replica.writing() as conn:  # a stale row, as a replica out of scope may hold
        system_tags.replace(conn, [("gone", [system_tags.SystemTag("VIP", "old")])])
    assert fetch_system_tags(laptop.replica, laptop.client, from_start=True) >= 1
    assert set(_tags(laptop)) == {acc1}
    with laptop.replica.engine.connect() as conn:
        assert system_tags.tags_of(conn, ["gone"]) == {}


def test_a_system_tag_typed_by_hand_is_refused_with_the_reason_and_kept(
    server: ServerWorld, device: DeviceFactory
) -> None:
    admin.set_tag_rules(server.engine, EXAMPLES)
    laptop = device("rep1")
    _sync(laptop)
    acc1 = server.world.accounts["acc1"]
    laptop.edit(Entity.ACCOUNT, acc1, tags=["golf", "VIP"], notes="met at the club")
    _sync(laptop)
    [issue] = laptop.issues()
    assert issue.record_id == acc1
    assert "“VIP”: a system tag" in issue.reason
    # The edit is kept in the sync issue, to correct and send again (the project's way with a
    # refused change); the replica shows the server's record meanwhile.
    assert issue.data["notes"] == "met at the club"
    assert issue.data["tags"] == ["golf", "VIP"]
