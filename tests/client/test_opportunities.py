"""Editing a deal without Qt, over a real encrypted replica: the stage goes through the
pipeline's entry rules, a refused edit writes nothing, and a deal moved to another customer
takes its activities along only when asked."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from desktop_crm.client import editing, opportunities
from desktop_crm.client.identity import Identity
from desktop_crm.domain.pipeline import MISSING_ACTIVITY, MISSING_CLOSE_DATE, StageRuleViolation
from desktop_crm.domain.records import Account, Activity, Contact, Entity, Opportunity
from desktop_crm.domain.validation import ValidationFailed
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica

ME = Identity(replica_id="replica-deal-test", user_id="user-rep1", username="rep1", role="rep")


def _deal(replica: Replica) -> tuple[Account, Contact, Opportunity]:
    account = editing.save(replica, Account(name="Acme Trading"), ME).value
    contact = editing.save(replica, Contact(account_id=account.meta.id, name="Li Wei"), ME).value
    deal = editing.save(
        replica, Opportunity(account_id=account.meta.id, name="Cold chain"), ME
    ).value
    return account, contact, deal


def _call(replica: Replica, deal: Opportunity, contact: Contact | None = None) -> Activity:
    call = Activity(
        account_id=deal.account_id,
        kind="call",
        start_at=datetime.now(UTC),
        opportunity_id=deal.meta.id,
        contact_id=None if contact is None else contact.meta.id,
        summary="talked terms",
    )
    return editing.save(replica, call, ME).value


def _pending(replica: Replica) -> int:
    with replica.engine.connect() as conn:
        return book.outbox_count(conn)


def test_an_edit_that_enters_a_stage_without_its_conditions_says_what_is_missing(
    replica: Replica,
) -> None:
    _account, _contact, deal = _deal(replica)
    edited = copy.deepcopy(deal)
    edited.stage = "proposal"
    edited.amount = Decimal("5000")
    before = _pending(replica)
    with pytest.raises(StageRuleViolation) as refused:
        opportunities.save_opportunity(replica, edited, ME)
    assert refused.value.missing == [MISSING_ACTIVITY, MISSING_CLOSE_DATE]
    assert _pending(replica) == before
    view = opportunities.opportunity_view(replica, deal.meta.id)
    assert view is not None and view.opportunity.stage == "lead"
    assert view.opportunity.amount == Decimal(0)


def test_a_close_date_set_in_the_same_edit_counts_and_the_timeline_is_the_deals(
    replica: Replica,
) -> None:
    account, contact, deal = _deal(replica)
    other = editing.save(
        replica, Activity(account_id=account.meta.id, kind="note", start_at=datetime.now(UTC)),
        ME,
    ).value
    call = _call(replica, deal, contact)
    edited = copy.deepcopy(deal)
    edited.stage = "proposal"
    edited.expected_close = date(2027, 3, 31)
    edited.probability = 60  # overridden: not the stage's 50
    written = opportunities.save_opportunity(replica, edited, ME)
    assert written.value.stage == "proposal" and written.value.probability == 60
    view = opportunities.opportunity_view(replica, deal.meta.id)
    assert view is not None
    assert [a.meta.id for a in view.activities] == [call.meta.id]
    assert other.meta.id not in {a.meta.id for a in view.activities}
    assert view.activities_since_stage_change == 0  # the stage changed after the call


def test_winning_through_an_edit_makes_the_customer_active(replica: Replica) -> None:
    account, _contact, deal = _deal(replica)
    edited = copy.deepcopy(deal)
    edited.stage, edited.expected_close = "won", date(2027, 1, 15)
    written = opportunities.save_opportunity(replica, edited, ME)
    assert written.changes.touches_record(Entity.ACCOUNT, account.meta.id)
    with replica.engine.connect() as conn:
        saved = store.accounts.get(conn, account.meta.id)
    assert saved is not None and saved.status == "active"


def test_a_bad_field_is_refused_and_nothing_is_written(replica: Replica) -> None:
    _account, _contact, deal = _deal(replica)
    edited = copy.deepcopy(deal)
    edited.name = "  "
    before = _pending(replica)
    with pytest.raises(ValidationFailed):
        opportunities.save_opportunity(replica, edited, ME)
    assert _pending(replica) == before


@pytest.mark.parametrize("move", [True, False])
def test_moving_a_deal_to_another_customer_moves_its_activities_only_when_asked(
    replica: Replica, move: bool
) -> None:
    old, contact, deal = _deal(replica)
    call = _call(replica, deal, contact)
    new = editing.save(replica, Account(name="Beta Logistics"), ME).value
    edited = copy.deepcopy(deal)
    edited.account_id = new.meta.id
    written = opportunities.save_opportunity(replica, edited, ME, move_activities=move)
    assert written.changes.touches_account(old.meta.id)
    assert written.changes.touches_account(new.meta.id)
    with replica.engine.connect() as conn:
        stored = store.activities.get(conn, call.meta.id)
    assert stored is not None and stored.opportunity_id == deal.meta.id
    if move:
        assert stored.account_id == new.meta.id
        # The contact stays with the old customer; the activity keeps the person's name.
        assert stored.contact_id is None and stored.participants == ["Li Wei"]
    else:
        assert stored.account_id == old.meta.id and stored.contact_id == contact.meta.id
    old_deals = opportunities.open_opportunities(replica, old.meta.id)
    assert deal.meta.id not in {d.meta.id for d in old_deals}


def test_a_deal_gone_from_the_replica_is_reported(replica: Replica) -> None:
    _account, _contact, deal = _deal(replica)
    editing.delete(replica, Entity.OPPORTUNITY, deal.meta.id, ME)
    with pytest.raises(LookupError):
        opportunities.save_opportunity(replica, deal, ME)
