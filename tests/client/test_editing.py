"""Writing services over a real encrypted replica, without Qt: each write lands in the replica
and its outbox, says what changed, and refuses bad input without writing anything."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop_crm.client import editing, reading
from desktop_crm.client.identity import Identity
from desktop_crm.domain.pipeline import StageRuleViolation
from desktop_crm.domain.records import Account, Activity, Contact, Entity, Opportunity, Phone
from desktop_crm.domain.validation import ValidationFailed
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica

ME = Identity(replica_id="replica-client-test", user_id="user-rep1", username="rep1", role="rep")


def _pending(replica: Replica) -> int:
    with replica.engine.connect() as conn:
        return book.outbox_count(conn)


def _customer(replica: Replica) -> Account:
    return editing.save(replica, Account(name="Acme Trading"), ME).value


def test_a_saved_record_is_in_the_replica_and_the_outbox(replica: Replica) -> None:
    account = _customer(replica)
    contact = Contact(
        account_id=account.meta.id, name="Li Wei", phones=[Phone(raw="138 0013 8000")]
    )
    written = editing.save(replica, contact, ME)
    assert written.changes.touches_record(Entity.CONTACT, contact.meta.id)
    assert written.changes.touches_account(account.meta.id)
    assert not written.changes.touches(Entity.ACCOUNT)
    assert _pending(replica) == 2
    # Found by the phone number, typed another way.
    hits = reading.search(replica, "+86 138-0013-8000")
    assert [h.contact_id for h in hits] == [contact.meta.id]


def test_an_invalid_record_is_refused_and_nothing_is_written(replica: Replica) -> None:
    account = _customer(replica)
    before = _pending(replica)
    bad = Contact(account_id=account.meta.id, name="", phones=[Phone(raw="not a number")])
    with pytest.raises(ValidationFailed) as refused:
        editing.save(replica, bad, ME)
    assert {e.field for e in refused.value.errors} >= {"name"}
    assert _pending(replica) == before
    assert reading.account_360(replica, account.meta.id).contacts == []  # type: ignore[union-attr]


def test_a_logged_activity_is_authored_by_whoever_logs_it(replica: Replica) -> None:
    account = _customer(replica)
    call = Activity(account_id=account.meta.id, kind="call", start_at=datetime.now(UTC))
    saved = editing.save(replica, call, ME).value
    assert saved.author_id == ME.user_id


def test_delete_is_a_tombstone_and_deleting_twice_changes_nothing(replica: Replica) -> None:
    account = _customer(replica)
    contact = editing.save(replica, Contact(account_id=account.meta.id, name="Zhang"), ME).value
    gone = editing.delete(replica, Entity.CONTACT, contact.meta.id, ME)
    assert gone.value is True and gone.changes.touches_account(account.meta.id)
    again = editing.delete(replica, Entity.CONTACT, contact.meta.id, ME)
    assert again.value is False and not again.changes


def test_completing_a_follow_up_takes_it_off_the_list(replica: Replica) -> None:
    account = _customer(replica)
    now = datetime.now(UTC)
    call = Activity(
        account_id=account.meta.id,
        kind="call",
        start_at=now - timedelta(days=2),
        follow_up_at=now - timedelta(hours=1),
    )
    editing.save(replica, call, ME)
    assert len(reading.follow_ups(replica, now, ME.user_id)) == 1
    done = editing.complete_follow_up(replica, call.meta.id, ME)
    assert done.value is True and done.changes.touches(Entity.ACTIVITY)
    assert len(reading.follow_ups(replica, now, ME.user_id)) == 0
    assert editing.complete_follow_up(replica, "no-such-activity", ME).value is False


def test_a_stage_move_says_what_is_missing_then_succeeds(replica: Replica) -> None:
    account = _customer(replica)
    deal = Opportunity(account_id=account.meta.id, name="Service contract", amount=Decimal(5000))
    editing.save(replica, deal, ME)
    with pytest.raises(StageRuleViolation) as refused:
        editing.move_stage(replica, deal.meta.id, "proposal", ME)
    assert refused.value.stage.key == "proposal"
    assert set(refused.value.missing) == {
        "log a call or meeting since the last stage change",
        "set an expected close date",
    }
    deal.expected_close = date.today() + timedelta(days=30)
    editing.save(replica, deal, ME)
    meeting = Activity(
        account_id=account.meta.id,
        opportunity_id=deal.meta.id,
        kind="meeting",
        start_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    editing.save(replica, meeting, ME)
    moved = editing.move_stage(replica, deal.meta.id, "proposal", ME)
    assert moved.value.stage == "proposal"
    assert moved.value.probability == 50  # the stage's default
    assert moved.changes.touches_record(Entity.OPPORTUNITY, deal.meta.id)
    # Moving to where it is changes nothing.
    assert not editing.move_stage(replica, deal.meta.id, "proposal", ME).changes
    with replica.engine.connect() as conn:
        stored = store.opportunities.get(conn, deal.meta.id)
    assert stored is not None and stored.stage == "proposal"


def test_a_stage_move_of_a_record_that_left_the_replica_is_refused(replica: Replica) -> None:
    with pytest.raises(LookupError):
        editing.move_stage(replica, "gone", "qualified", ME)
    with pytest.raises(ValueError, match="not a pipeline stage"):
        account = _customer(replica)
        deal = editing.save(replica, Opportunity(account_id=account.meta.id, name="x"), ME)
        editing.move_stage(replica, deal.value.meta.id, "no-such-stage", ME)
