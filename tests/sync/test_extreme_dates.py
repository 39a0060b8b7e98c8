"""Issue 14, item 3, from the client's side: times at the edges of what a record may hold
sync through the server into other replicas, and one outside them is a clear field error where
it is made, never an OverflowError in the store or a stuck sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from desktop_crm.domain.records import Activity, Entity
from desktop_crm.domain.validation import ValidationFailed
from tests.sync.conftest import DeviceFactory, ServerWorld

PLUS_14 = timezone(timedelta(hours=14))
MINUS_2359 = timezone(-timedelta(hours=23, minutes=59))


def test_edge_times_sync_and_outside_times_are_refused_where_made(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1, manager = device("rep1", "rep1"), device("manager1", "manager")
    rep1.sync()
    manager.sync()
    account_id = server.world.accounts["acc1"]
    for start_at in (
        datetime(1, 1, 1, tzinfo=PLUS_14),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=MINUS_2359),
    ):
        with pytest.raises(ValidationFailed) as refused:
            rep1.save(Activity(account_id=account_id, kind="call", start_at=start_at))
        assert [e.field for e in refused.value.errors] == ["start_at"]
    first = Activity(account_id=account_id, kind="call", start_at=datetime(1, 1, 3, tzinfo=PLUS_14))
    last = Activity(
        account_id=account_id,
        kind="note",
        start_at=datetime(9999, 12, 30, 12, tzinfo=UTC),
        follow_up_at=datetime(9999, 12, 30, 23, 59, tzinfo=UTC),
    )
    for record in (first, last):
        rep1.save(record)
    summary = rep1.sync()
    assert summary.pushed == 2 and rep1.issues() == []
    manager.sync()
    for record in (first, last):
        pulled = manager.get(Entity.ACTIVITY, record.meta.id)
        assert pulled is not None
        activity = pulled.to_record()
        assert isinstance(activity, Activity)
        assert activity.start_at == record.start_at
