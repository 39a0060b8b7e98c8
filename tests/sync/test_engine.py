"""The sync engine against a real server (in-process): merge, conflicts, removals, issues."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_crm.domain.records import Activity, Contact, Entity
from desktop_crm.domain.validation import ValidationFailed
from desktop_crm.protocol.messages import Role
from desktop_crm.server import directory
from desktop_crm.server import models as m
from desktop_crm.server.db import write_transaction
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.sync import engine as engine_module
from desktop_crm.sync.errors import ReplicaMismatch
from desktop_crm.sync.http_client import Offline
from desktop_crm.sync.progress import Cancelled, Phase
from desktop_crm.sync.resolution import (
    Choice,
    DeleteChoice,
    NewValue,
    ResolutionError,
    export_sync_issues,
    retry_sync_issue,
)
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import assert_replica_matches_server, server_records


def _acc1(server: ServerWorld) -> set[str]:
    return {server.world.accounts["acc1"]}


def test_first_sync_takes_the_scope_and_resumes_from_the_cursor(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    summary = rep1.sync()
    assert summary.pulled == 3 and summary.conflicts == 0
    assert {k[0] for k in rep1.records()} == {"account", "contact", "opportunity"}
    assert_replica_matches_server(rep1, server.engine, _acc1(server))
    assert rep1.progress.snapshot.phase is Phase.DONE
    assert rep1.replica.integrity_check() == []
    # A second sync only pulls: nothing new.
    again = rep1.sync()
    assert again.pulled == 0 and again.pushed == 0


def test_offline_edits_to_different_fields_merge_silently(
    server: ServerWorld, device: DeviceFactory
) -> None:
    a, b = device("rep1", "a"), device("manager1", "b")
    a.sync()
    b.sync()
    contact = server.world.contacts["acc1"]
    a.edit("contact", contact, title="CTO")
    b.edit("contact", contact, notes="met at the fair")
    a.sync()
    summary = b.sync()
    assert summary.conflicts == 0 and b.conflicts() == []
    a.sync()
    team_a = {server.world.accounts["acc1"], server.world.accounts["acc2"]}
    for dev, scope in ((a, _acc1(server)), (b, team_a)):
        assert_replica_matches_server(dev, server.engine, scope)
        stored = dev.get("contact", contact)
        assert stored is not None
        assert (stored.data["title"], stored.data["notes"]) == ("CTO", "met at the fair")
    assert a.outbox() == b.outbox() == 0


@pytest.mark.parametrize("choice", ["mine", "theirs", "new"])
def test_same_field_gives_one_conflict_and_each_resolution_wins(
    server: ServerWorld, device: DeviceFactory, choice: str
) -> None:
    a, b = device("rep1", "a"), device("rep1", "b")
    a.sync()
    b.sync()
    contact = server.world.contacts["acc1"]
    a.edit("contact", contact, title="CEO", notes="a's note")
    b.edit("contact", contact, title="Chairman", decision_weight=7)
    a.sync()
    summary = b.sync()
    assert summary.conflicts == 1
    [conflict] = b.conflicts()
    assert conflict.kind == "fields" and conflict.fields == ("title",)
    assert conflict.mine["title"] == "Chairman" and conflict.theirs["title"] == "CEO"
    # The conflicted record waits; nothing of it went to the server yet.
    assert server_records(server.engine)[("contact", contact)]["data"]["title"] == "CEO"
    b.sync()
    assert len(b.conflicts()) == 1  # still one, not a second copy

    wanted = {"mine": "Chairman", "theirs": "CEO", "new": "Co-founder"}[choice]
    pick = NewValue("Co-founder") if choice == "new" else Choice(choice)
    resolved = b.resolve("contact", contact, choices={"title": pick})
    assert resolved.version.dominates(conflict.mine_version)
    assert resolved.version.dominates(conflict.theirs_version)
    assert b.conflicts() == []
    b.sync()
    a.sync()
    for dev in (a, b):
        assert_replica_matches_server(dev, server.engine, _acc1(server))
        stored = dev.get("contact", contact)
        assert stored is not None
        # The chosen title; both sides' other edits survive.
        assert (stored.data["title"], stored.data["notes"], stored.data["decision_weight"]) == (
            wanted,
            "a's note",
            7,
        )
        assert dev.conflicts() == []


def test_resolution_must_cover_every_conflicting_field_and_be_valid(
    server: ServerWorld, device: DeviceFactory
) -> None:
    a, b = device("rep1", "a"), device("rep1", "b")
    a.sync()
    b.sync()
    contact = server.world.contacts["acc1"]
    a.edit("contact", contact, name="Name A")
    b.edit("contact", contact, name="Name B")
    a.sync()
    b.sync()
    with pytest.raises(ResolutionError):
        b.resolve("contact", contact)
    with pytest.raises(ValidationFailed):
        b.resolve("contact", contact, choices={"name": NewValue("")})
    assert len(b.conflicts()) == 1  # nothing written
    b.resolve("contact", contact, default=Choice.THEIRS)
    b.sync()
    assert server_records(server.engine)[("contact", contact)]["data"]["name"] == "Name A"


@pytest.mark.parametrize("deleter", ["first", "second"])
@pytest.mark.parametrize("decision", [DeleteChoice.KEEP_DELETED, DeleteChoice.RESTORE])
def test_delete_versus_edit(
    server: ServerWorld, device: DeviceFactory, deleter: str, decision: DeleteChoice
) -> None:
    first, second = device("rep1", "first"), device("rep1", "second")
    first.sync()
    second.sync()
    contact = server.world.contacts["acc1"]
    if deleter == "first":
        first.delete("contact", contact)
        second.edit("contact", contact, title="edited meanwhile")
    else:
        first.edit("contact", contact, title="edited meanwhile")
        second.delete("contact", contact)
    first.sync()
    second.sync()
    [conflict] = second.conflicts()
    assert conflict.kind == "delete"
    assert first.conflicts() == []
    second.resolve("contact", contact, delete_choice=decision)
    second.sync()
    first.sync()
    on_server = server_records(server.engine)[("contact", contact)]
    assert on_server["deleted"] is (decision is DeleteChoice.KEEP_DELETED)
    if decision is DeleteChoice.RESTORE:
        assert on_server["data"]["title"] == "edited meanwhile"
    for dev in (first, second):
        assert_replica_matches_server(dev, server.engine, _acc1(server))


def test_both_deleting_is_no_conflict(server: ServerWorld, device: DeviceFactory) -> None:
    a, b = device("rep1", "a"), device("rep1", "b")
    a.sync()
    b.sync()
    opportunity = server.world.opportunities["acc1"]
    a.delete("opportunity", opportunity)
    b.delete("opportunity", opportunity)
    a.sync()
    assert b.sync().conflicts == 0
    a.sync()
    for dev in (a, b):
        assert_replica_matches_server(dev, server.engine, _acc1(server))


def _call_log(account_id: str, summary: str, **extra: object) -> Activity:
    extra.setdefault("start_at", datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    return Activity(
        account_id=account_id,
        kind="call",
        direction="outbound",
        summary=summary,
        **extra,  # type: ignore[arg-type]
    )


def test_reassignment_while_offline_never_loses_the_call_log(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    acc1 = server.world.accounts["acc1"]
    call = rep1.save(_call_log(acc1, "promised a quote by Friday"))
    rep1.edit("contact", server.world.contacts["acc1"], title="edited before losing it")
    # The manager gives acc1 to rep2 while rep1 is offline.
    response = server.client.post(
        f"/accounts/{acc1}/assign", json={"username": "rep2"}, headers=server.world.h("manager1")
    )
    assert response.status_code == 200, response.text
    summary = rep1.sync()
    on_server = server_records(server.engine)
    parked = {i.record_id: i for i in rep1.issues()}
    # The call log reached the server or is in the sync issues: never both missing.
    assert ("activity", call.meta.id) in on_server or call.meta.id in parked
    if call.meta.id in parked:
        assert parked[call.meta.id].data["summary"] == "promised a quote by Friday"
    assert server.world.contacts["acc1"] in parked or (
        on_server[("contact", server.world.contacts["acc1"])]["data"]["title"]
        == "edited before losing it"
    )
    # Everything under acc1 left rep1's replica; nothing is pending for it.
    assert not [
        k for k, r in rep1.records().items() if k[1] == acc1 or r.data.get("account_id") == acc1
    ]
    assert rep1.outbox() == 0 and summary.removed >= 3
    # rep2 now has acc1 (and the call, if it was accepted).
    rep2 = device("rep2")
    rep2.sync()
    assert_replica_matches_server(rep2, server.engine, {acc1, server.world.accounts["acc2"]})


def test_rejected_change_becomes_a_sync_issue_and_succeeds_after_an_edit(
    server: ServerWorld, device: DeviceFactory, tmp_path: Path
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    opportunity = server.world.opportunities["acc1"]
    before = rep1.get("opportunity", opportunity)
    assert before is not None
    # "qualified" needs a logged activity since the last stage change: the server refuses.
    rep1.edit("opportunity", opportunity, stage="qualified", amount="125000")
    contact = server.world.contacts["acc1"]
    rep1.edit("contact", contact, title="unaffected")
    summary = rep1.sync()
    assert summary.issues == 1
    [issue] = rep1.issues()
    assert issue.record_id == opportunity and "log a call" in issue.reason
    assert issue.data["stage"] == "qualified"
    # The other change was not blocked; the refused one is back to the server's state.
    assert server_records(server.engine)[("contact", contact)]["data"]["title"] == "unaffected"
    restored = rep1.get("opportunity", opportunity)
    assert restored is not None and restored.data["stage"] == "lead"
    assert rep1.outbox() == 0

    # Exported for the user, both ways.
    with rep1.replica.engine.connect() as conn:
        assert export_sync_issues(conn, tmp_path / "issues.json") == 1
        assert export_sync_issues(conn, tmp_path / "issues.csv") == 1
    exported = json.loads((tmp_path / "issues.json").read_text(encoding="utf-8"))
    assert exported[0]["data"]["stage"] == "qualified"
    assert "qualified" in (tmp_path / "issues.csv").read_text(encoding="utf-8-sig")

    # The user logs the call the rule asks for, then retries with an edited amount.
    rep1.save(
        _call_log(
            server.world.accounts["acc1"],
            "qualified them",
            opportunity_id=opportunity,
            start_at=datetime.now(UTC),
        )
    )
    with rep1.replica.engine.begin() as conn:
        retry_sync_issue(
            conn,
            issue.id,
            replica_id=rep1.replica_id,
            user_id=rep1.user_id,
            changes={"amount": "130000"},
        )
    assert rep1.issues() == []
    summary = rep1.sync()
    assert summary.issues == 0
    on_server = server_records(server.engine)[("opportunity", opportunity)]["data"]
    assert (on_server["stage"], Decimal(on_server["amount"])) == ("qualified", Decimal(130000))
    assert_replica_matches_server(rep1, server.engine, _acc1(server))


def test_rejected_local_creation_is_parked_and_removed(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    # A contact under an account rep1 cannot see: the server refuses it.
    stranger = rep1.save(Contact(account_id=server.world.accounts["acc3"], name="Not mine"))
    rep1.sync()
    [issue] = rep1.issues()
    assert issue.record_id == stranger.meta.id
    assert rep1.get("contact", stranger.meta.id) is None
    assert ("contact", stranger.meta.id) not in server_records(server.engine)


def test_lost_push_answer_is_not_applied_twice(server: ServerWorld, device: DeviceFactory) -> None:
    rep1 = device("rep1")
    rep1.sync()
    acc1 = server.world.accounts["acc1"]
    calls = [rep1.save(_call_log(acc1, f"call {i}")) for i in range(3)]
    rep1.edit("contact", server.world.contacts["acc1"], title="after lost answer")
    rep1.transport.plan.extend(["ok", "drop_response"])  # pull fine, push answer lost
    with pytest.raises(Offline):
        rep1.sync()
    assert rep1.outbox() == 4
    with server.engine.connect() as conn:
        log_size = conn.scalar(select(func.count()).select_from(m.change_log))
    rep1.sync()
    assert rep1.outbox() == 0
    with server.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.change_log)) == log_size
    on_server = server_records(server.engine)
    assert all(("activity", c.meta.id) in on_server for c in calls)
    assert_replica_matches_server(rep1, server.engine, _acc1(server))


def test_lost_answer_then_someone_edits_on_top_is_no_conflict(
    server: ServerWorld, device: DeviceFactory
) -> None:
    a, b = device("rep1", "a"), device("rep1", "b")
    a.sync()
    b.sync()
    contact = server.world.contacts["acc1"]
    a.edit("contact", contact, title="from a")
    a.transport.plan.extend(["ok", "drop_response"])
    with pytest.raises(Offline):
        a.sync()
    # b sees a's edit and changes the same field after it: causally later, not concurrent.
    b.sync()
    b.edit("contact", contact, title="from b, after a")
    b.sync()
    summary = a.sync()
    assert summary.conflicts == 0
    stored = a.get("contact", contact)
    assert stored is not None and stored.data["title"] == "from b, after a"
    assert_replica_matches_server(a, server.engine, _acc1(server))


def test_first_sync_resumes_after_interruption_and_cancel(
    server: ServerWorld, device: DeviceFactory
) -> None:
    acc1 = server.world.accounts["acc1"]
    writer = device("rep1", "writer")
    writer.sync()
    for i in range(12):
        writer.save(_call_log(acc1, f"history {i}"))
    writer.sync()
    rep1 = device("rep1", "new", snapshot_limit=4)
    # Page 1 arrives, the answer to page 2 is lost.
    rep1.transport.plan.extend(["ok", "drop_response"])
    with pytest.raises(Offline):
        rep1.sync()
    with rep1.replica.engine.connect() as conn:
        assert book.get_state(conn, engine_module.SNAPSHOT_PAGE_KEY) is not None
        assert book.get_state(conn, engine_module.CURSOR_KEY) is None
    assert len(rep1.records()) == 4
    # Cancel between pages: what arrived stays.
    pages = 0
    real_snapshot = rep1.client.snapshot_page  # what the engine fetches pages with

    def counting_snapshot(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        nonlocal pages
        pages += 1
        if pages == 1:
            rep1.progress.cancel()
        return real_snapshot(*args, **kwargs)  # type: ignore[arg-type]

    rep1.client.snapshot_page = counting_snapshot  # type: ignore[method-assign]
    with pytest.raises(Cancelled):
        rep1.sync()
    assert len(rep1.records()) == 8 and pages >= 1  # (the next page may be prefetched)
    rep1.progress.reset_cancel()
    rep1.sync()
    assert len(rep1.records()) == 15
    assert_replica_matches_server(rep1, server.engine, {acc1})


def test_resync_required_after_role_change_keeps_unsynced_changes(
    server: ServerWorld, device: DeviceFactory
) -> None:
    rep1 = device("rep1")
    rep1.sync()
    acc1, acc2 = server.world.accounts["acc1"], server.world.accounts["acc2"]
    call = rep1.save(_call_log(acc1, "logged before the promotion"))
    with server.engine.connect() as conn, write_transaction(conn):
        directory.set_role(conn, "rep1", Role.MANAGER, "server")
    summary = rep1.sync()
    assert summary.resynced
    # A manager of team A sees acc1 and acc2; the call log went to the server.
    assert ("activity", call.meta.id) in server_records(server.engine)
    assert_replica_matches_server(rep1, server.engine, {acc1, acc2})
    # An edit made offline, then demotion: acc2 leaves, the pending acc1 edit survives.
    rep1.edit("contact", server.world.contacts["acc1"], title="kept across resync")
    rep1.edit("contact", server.world.contacts["acc2"], title="edited while manager")
    with server.engine.connect() as conn, write_transaction(conn):
        directory.set_role(conn, "rep1", Role.REP, "server")
    summary = rep1.sync()
    assert summary.resynced
    records = server_records(server.engine)
    assert records[("contact", server.world.contacts["acc1"])]["data"]["title"] == (
        "kept across resync"
    )
    # The acc2 edit was pushed before the re-snapshot (it was still allowed) or parked.
    acc2_title = records[("contact", server.world.contacts["acc2"])]["data"]["title"]
    parked = {i.record_id for i in rep1.issues()}
    assert acc2_title == "edited while manager" or server.world.contacts["acc2"] in parked
    assert_replica_matches_server(rep1, server.engine, {acc1})
    with rep1.replica.engine.connect() as conn:
        assert book.get_state(conn, engine_module.RESYNC_KEY) is None


def test_replica_refuses_another_user(server: ServerWorld, device: DeviceFactory) -> None:
    rep1 = device("rep1")
    rep1.sync()
    other = device("rep2")
    other.replica = rep1.replica
    other.__post_init__()
    with pytest.raises(ReplicaMismatch):
        other.sync()


def test_progress_reports_phases_and_counts(server: ServerWorld, device: DeviceFactory) -> None:
    rep1 = device("rep1")
    seen: list[tuple[Phase, int, int | None]] = []
    real_report = rep1.progress.report

    def record(phase: Phase, done: int = 0, total: int | None = None, message: str = "") -> None:
        seen.append((phase, done, total))
        real_report(phase, done, total, message)

    rep1.progress.report = record  # type: ignore[method-assign]
    rep1.sync()
    for i in range(3):
        rep1.save(_call_log(server.world.accounts["acc1"], f"c{i}"))
    rep1.sync()
    phases = [p for p, _, _ in seen]
    assert Phase.FIRST_SYNC in phases and Phase.PUSHING in phases and phases[-1] is Phase.DONE
    assert (Phase.PUSHING, 3, 3) in seen
    assert (Phase.FIRST_SYNC, 3, None) in seen


def test_service_desk_edit_keeps_masked_fields(server: ServerWorld, device: DeviceFactory) -> None:
    desk = device("desk1")
    desk.sync()
    contact = server.world.contacts["acc1"]
    stored = desk.get(Entity.CONTACT, contact)
    assert stored is not None and stored.data["emails"] == []
    desk.edit("contact", contact, title="from the desk")
    assert desk.sync().issues == 0
    on_server = server_records(server.engine)[("contact", contact)]["data"]
    assert on_server["title"] == "from the desk" and on_server["emails"] == ["acc1@example.com"]
    assert desk.outbox() == 0 and desk.conflicts() == []
