"""Status follows the deals across replicas: whether the rule ran on the device, on the
server, or on both, every replica and the server end with the account active, and where both
set the same status the three-way merge sees equal values (no conflict)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from desktop_crm.client import editing
from desktop_crm.client.identity import Identity
from desktop_crm.client.session import refresh_configuration
from desktop_crm.domain.pipeline import StageRuleViolation
from desktop_crm.domain.records import AccountStatus, Entity, Opportunity, PipelineStage
from desktop_crm.server import config_store
from desktop_crm.storage import configuration
from desktop_crm.storage import records_store as store
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, assert_replica_matches_server, server_records


def _who(device: Device) -> Identity:
    return Identity(replica_id=device.replica_id, user_id=device.user_id)


def _status(device: Device, account_id: str) -> Any:
    record = device.get(Entity.ACCOUNT, account_id)
    assert record is not None
    return record.data["status"]


def _win_on(device: Device, opportunity_id: str) -> None:
    """Through the client's service, as the window does: the rule runs on the device."""
    with device.replica.engine.connect() as conn:
        deal = store.opportunities.get(conn, opportunity_id)
    assert isinstance(deal, Opportunity)
    deal.expected_close = date(2026, 12, 31)
    editing.save(device.replica, deal, _who(device))
    editing.move_stage(device.replica, opportunity_id, "won", _who(device))


def test_the_rule_on_the_device_and_on_the_server_converge_without_conflict(
    server: ServerWorld, device: DeviceFactory
) -> None:
    # push_batch=1: the deal reaches the server alone, so the server's rule edits the account
    # before the device's own status change arrives: both set "active" concurrently.
    laptop = device("rep1", push_batch=1)
    other = device("rep1")
    laptop.sync()
    other.sync()
    acc1, deal = server.world.accounts["acc1"], server.world.opportunities["acc1"]
    _win_on(laptop, deal)
    assert _status(laptop, acc1) == "active"  # offline, at once
    laptop.sync_until_done()
    other.sync()
    assert laptop.conflicts() == []
    assert laptop.unsent() == 0
    # The server's rule edited the account (its entry raised) before the device's status
    # change arrived; the device's change met it, merged to equal values and took the
    # server's version: no conflict, no extra edit.
    account = server_records(server.engine)[(Entity.ACCOUNT.value, acc1)]
    assert account["version"] == {"server": 2}
    for replica in (laptop, other):
        assert _status(replica, acc1) == "active"
        assert_replica_matches_server(replica, server.engine, {acc1})


def test_an_old_clients_won_deal_reaches_every_replica_as_an_active_account(
    server: ServerWorld, device: DeviceFactory
) -> None:
    old = device("rep1")  # edits straight into its store: no status rule, like an old client
    laptop = device("rep1")
    old.sync()
    laptop.sync()
    acc1, deal = server.world.accounts["acc1"], server.world.opportunities["acc1"]
    old.edit(Entity.OPPORTUNITY, deal, stage="won", expected_close="2026-12-31")
    assert _status(old, acc1) == "prospect"
    old.sync()
    # The server's edit of the account is an ordinary server-side change: it reaches the old
    # device with its next pull, and every other replica with theirs.
    old.sync()
    laptop.sync()
    for replica in (old, laptop):
        assert _status(replica, acc1) == "active"
        assert replica.conflicts() == []
        assert_replica_matches_server(replica, server.engine, {acc1})


def test_the_replica_keeps_the_servers_rules(server: ServerWorld, device: DeviceFactory) -> None:
    laptop = device("rep1")
    laptop.sync()
    with server.engine.begin() as conn:
        config_store.set_status_rules(conn, [])
    assert refresh_configuration(laptop.replica, laptop.client)
    with laptop.replica.engine.connect() as conn:
        assert configuration.status_rules(conn) == []
    acc1, deal = server.world.accounts["acc1"], server.world.opportunities["acc1"]
    _win_on(laptop, deal)
    assert _status(laptop, acc1) == "prospect"
    laptop.sync()
    assert _status(laptop, acc1) == "prospect"
    assert_replica_matches_server(laptop, server.engine, {acc1})


def test_the_replica_follows_the_servers_pipeline_and_statuses(
    server: ServerWorld, device: DeviceFactory
) -> None:
    """Stages and statuses configured on the server reach the replica with the rules, so an
    offline stage move checks the server's stages and the lists offer the server's statuses."""
    laptop = device("rep1")
    laptop.sync()
    stages = [
        PipelineStage("lead", "Lead", 1, 5),
        PipelineStage("pilot", "Pilot", 2, 40, requires_expected_close=True),
        PipelineStage("won", "Won", 3, 100, is_closed=True, is_won=True),
        PipelineStage("lost", "Lost", 4, 0, is_closed=True),
    ]
    statuses = [AccountStatus("prospect", "Prospect", 1), AccountStatus("active", "Customer", 2)]
    with server.engine.begin() as conn:
        config_store.set_stages(conn, stages)
        config_store.set_statuses(conn, statuses)
    refresh_configuration(laptop.replica, laptop.client)
    with laptop.replica.engine.connect() as conn:
        assert configuration.pipeline(conn) == stages
        assert configuration.status_choices(conn) == [
            ("prospect", "Prospect"),
            ("active", "Customer"),
        ]
    deal = server.world.opportunities["acc1"]
    with pytest.raises(StageRuleViolation) as refused:
        editing.move_stage(laptop.replica, deal, "pilot", _who(laptop))
    assert refused.value.missing == ["set an expected close date"]
    with pytest.raises(ValueError, match="not a pipeline stage"):
        editing.move_stage(laptop.replica, deal, "qualified", _who(laptop))  # not on this server
