"""Back-off and online/offline state of the sync scheduler, on a fake clock."""

from __future__ import annotations

import random

import pytest

from desktop_crm.sync.http_client import Offline, ProtocolError, ServerRefused, SignInRequired
from desktop_crm.sync.progress import Cancelled
from desktop_crm.sync.scheduler import Connectivity, SyncScheduler, next_delay


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_next_delay_doubles_up_to_the_cap() -> None:
    assert next_delay(0) == 0
    assert [next_delay(n, base=5, cap=60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert next_delay(10_000, base=5, cap=60) == 60
    rng = random.Random(1)
    spread = {next_delay(3, base=10, jitter=0.2, rng=rng) for _ in range(50)}
    assert all(32 <= d <= 48 for d in spread) and len(spread) > 10


def test_backoff_while_offline_then_interval_when_back() -> None:
    clock = Clock()
    outcomes: list[object] = [Offline("no network")] * 3 + ["ok"]
    calls: list[float] = []

    def sync() -> str:
        calls.append(clock.now)
        result = outcomes.pop(0)
        if isinstance(result, Exception):
            raise result
        return str(result)

    scheduler = SyncScheduler(sync, interval=300, base_delay=5, max_delay=60, jitter=0, clock=clock)
    assert scheduler.due()
    waits = []
    for _ in range(3):
        outcome = scheduler.run_if_due()
        assert outcome is not None and outcome.state is Connectivity.OFFLINE
        assert not scheduler.online
        wait = scheduler.seconds_until_due()
        assert wait is not None
        waits.append(wait)
        assert scheduler.run_if_due() is None  # not due yet
        clock.now += wait
    assert waits == [5, 10, 20]
    outcome = scheduler.run_if_due()
    assert outcome is not None and outcome.state is Connectivity.ONLINE and outcome.result == "ok"
    assert scheduler.online and scheduler.failures == 0
    assert scheduler.seconds_until_due() == 300
    scheduler.request_now()
    assert scheduler.due()


def test_sign_in_required_stops_retries_until_signed_in() -> None:
    clock = Clock()
    errors: list[Exception] = [SignInRequired("expired"), ServerRefused(403, "revoked")]

    def sync() -> None:
        if errors:
            raise errors.pop(0)

    scheduler: SyncScheduler[None] = SyncScheduler(sync, jitter=0, clock=clock)
    outcome = scheduler.run_now()
    assert outcome.state is Connectivity.SIGN_IN_REQUIRED
    assert scheduler.due_at is None and not scheduler.due()
    clock.now += 10_000
    scheduler.request_now()
    assert not scheduler.due()
    scheduler.signed_in()
    assert scheduler.run_now().state is Connectivity.SIGN_IN_REQUIRED  # the 403
    scheduler.signed_in()
    assert scheduler.run_now().state is Connectivity.ONLINE


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (ServerRefused(503, "busy"), Connectivity.OFFLINE),
        (ServerRefused(400, "bad cursor"), Connectivity.ERROR),
        (ProtocolError("garbage"), Connectivity.ERROR),
    ],
)
def test_server_errors_back_off(error: Exception, state: Connectivity) -> None:
    clock = Clock()

    def sync() -> None:
        raise error

    scheduler: SyncScheduler[None] = SyncScheduler(sync, base_delay=7, jitter=0, clock=clock)
    outcome = scheduler.run_now()
    assert outcome.state is state and outcome.error
    assert scheduler.seconds_until_due() == 7


def test_cancelled_sync_waits_for_the_interval() -> None:
    clock = Clock()

    def sync() -> None:
        raise Cancelled("stop")

    scheduler: SyncScheduler[None] = SyncScheduler(sync, interval=60, clock=clock)
    outcome = scheduler.run_now()
    assert outcome.cancelled and scheduler.failures == 0
    assert scheduler.seconds_until_due() == 60
