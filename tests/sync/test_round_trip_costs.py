"""What a sync costs when little or nothing changed: write transactions, commits that wait for
an fsync, requests, and the server's work for an edit that leaves a contact's numbers alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Engine, event, text

from desktop_crm.domain.phones import Phone
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.engine import replayable_writer, writer
from desktop_crm.sync.state_keys import LAST_SYNC_KEY
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device, server_records


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@contextmanager
def _requests(dev: Device) -> Iterator[list[str]]:
    sent: list[str] = []
    inner = dev.transport.handle_request

    def counting(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return inner(request)

    dev.transport.handle_request = counting  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        dev.transport.handle_request = inner  # type: ignore[method-assign]


def test_an_idle_sync_makes_one_request_and_one_write(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    with rep1.replica.engine.connect() as conn:
        before = book.get_state(conn, LAST_SYNC_KEY)
    with _statements(rep1.replica.engine) as statements, _requests(rep1) as sent:
        summary = rep1.sync()
    assert summary.pulled == summary.pushed == 0
    assert sent == ["/sync/pull"]
    # Only the "last synced" time is written: no identity write, no empty page applied.
    assert [s for s in statements if s.startswith("BEGIN IMMEDIATE")] == ["BEGIN IMMEDIATE"]
    with rep1.replica.engine.connect() as conn:
        assert book.get_state(conn, LAST_SYNC_KEY) != before


def test_a_round_trip_makes_two_requests_and_three_writes(
    server: ServerWorld, device: DeviceFactory
) -> None:
    a, b = device("rep1", "a"), device("rep1", "b")
    a.sync()
    b.sync()
    contact = server.world.contacts["acc1"]
    account = server.world.accounts["acc1"]
    b.edit("contact", contact, title="CTO")
    b.sync()
    a.edit("account", account, notes="called")
    with _statements(a.replica.engine) as statements, _requests(a) as sent:
        summary = a.sync()
    assert (summary.pulled, summary.pushed, summary.conflicts) == (1, 1, 0)
    assert sent == ["/sync/pull", "/sync/push"]
    # The pulled page, the push answers, the "last synced" time.
    assert len([s for s in statements if s.startswith("BEGIN IMMEDIATE")]) == 3


def test_sync_commits_skip_the_fsync_and_other_writes_keep_it(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    engine = rep1.replica.engine
    levels = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}
    full = levels["FULL"]
    # One pooled connection at a time, so the same connection serves each transaction.
    for _ in range(2):
        with replayable_writer(engine).begin() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == levels["NORMAL"]
        with writer(engine).begin() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == full
        with engine.begin() as conn:
            assert conn.execute(text("PRAGMA synchronous")).scalar() == full


def test_an_edit_that_keeps_the_numbers_keeps_their_normalization(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    contact = server.world.contacts["acc1"]
    rep1.edit("contact", contact, phones=[Phone(raw="138 0013 8000", primary=True).to_json()])
    rep1.sync()
    stored = server_records(server.engine)[("contact", contact)]["data"]["phones"]
    assert [(p["raw"], p["e164"]) for p in stored] == [("138 0013 8000", "+8613800138000")]

    rep1.edit("contact", contact, title="CFO")
    assert rep1.sync().issues == 0
    after = server_records(server.engine)[("contact", contact)]["data"]
    assert after["title"] == "CFO" and after["phones"] == stored

    # A number that changed is parsed again: a new valid one is normalized ...
    rep1.edit(
        "contact",
        contact,
        phones=[
            Phone(raw="138 0013 8000", primary=True).to_json(),
            Phone(raw="+1 212 555 0100").to_json(),
        ],
    )
    assert rep1.sync().issues == 0
    phones = server_records(server.engine)[("contact", contact)]["data"]["phones"]
    assert [p["e164"] for p in phones] == ["+8613800138000", "+12125550100"]
