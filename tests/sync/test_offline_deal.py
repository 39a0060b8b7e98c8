"""A deal worked entirely offline reaches the server in one push and is accepted: each change
carries the moment it was made (``changed_at``), so the server's stage rules see the call as
logged after the deal's first stage, as the device did."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from desktop_crm.client import editing, opportunities
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Activity, Entity, Opportunity
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, server_records


def _who(device: Device) -> Identity:
    return Identity(replica_id=device.replica_id, user_id=device.user_id)


def test_a_deal_created_called_about_and_won_offline_is_accepted_in_one_push(
    server: ServerWorld, device: DeviceFactory
) -> None:
    laptop = device("rep1")
    laptop.sync()
    account_id = server.world.accounts["acc1"]
    who = _who(laptop)
    deal = editing.save(
        laptop.replica, Opportunity(account_id=account_id, name="Offline deal"), who
    ).value
    editing.save(
        laptop.replica,
        Activity(
            account_id=account_id,
            kind="call",
            start_at=datetime.now(UTC),
            opportunity_id=deal.meta.id,
            summary="qualified on the phone",
        ),
        who,
    )
    edited = copy.deepcopy(deal)
    edited.stage, edited.expected_close = "negotiation", date(2027, 2, 1)
    opportunities.save_opportunity(laptop.replica, edited, who)
    editing.move_stage(laptop.replica, deal.meta.id, "won", who)

    laptop.sync_until_done()
    assert laptop.issues() == []
    assert laptop.unsent() == 0
    records = server_records(server.engine)
    assert records[(Entity.OPPORTUNITY.value, deal.meta.id)]["data"]["stage"] == "won"
    assert records[(Entity.ACCOUNT.value, account_id)]["data"]["status"] == "active"
