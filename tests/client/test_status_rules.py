"""Status follows the deals, on the device: a won opportunity makes its account active (the
default status rule) as a local edit in the same transaction, with the reason in the status
log, offline. No Qt."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from desktop_crm.client import editing, reading
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Account, Entity, Opportunity
from desktop_crm.domain.status_rules import StatusRule
from desktop_crm.storage import configuration
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.queries import Account360
from desktop_crm.storage.replica import Replica

ME = Identity(replica_id="replica-status-test", user_id="user-rep1", username="rep1", role="rep")


def _deal_in_negotiation(replica: Replica, name: str = "Fleet renewal") -> Opportunity:
    account = editing.save(replica, Account(name="Acme Trading"), ME).value
    deal = Opportunity(
        account_id=account.meta.id,
        name=name,
        stage="negotiation",
        amount=Decimal(80_000),
        expected_close=date.today() + timedelta(days=10),
    )
    return editing.save(replica, deal, ME).value


def _view(replica: Replica, account_id: str) -> Account360:
    view = reading.account_360(replica, account_id)
    assert view is not None
    return view


def test_moving_a_deal_to_won_makes_the_account_active_with_the_reason(replica: Replica) -> None:
    deal = _deal_in_negotiation(replica)
    assert _view(replica, deal.account_id).account.status == "prospect"
    moved = editing.move_stage(replica, deal.meta.id, "won", ME)
    assert moved.changes.touches_record(Entity.ACCOUNT, deal.account_id)
    assert moved.changes.touches_record(Entity.OPPORTUNITY, deal.meta.id)
    view = _view(replica, deal.account_id)
    assert view.account.status == "active"
    last = view.status_history[-1]
    assert (last.from_status, last.to_status, last.reason) == (
        "prospect",
        "active",
        "won: Fleet renewal",
    )
    assert last.changed_by == ME.user_id
    # A local edit like any other: in the outbox, after the deal, so an old server applies it.
    with replica.engine.connect() as conn:
        pending = book.outbox_for_record(conn, Entity.ACCOUNT.value, deal.account_id)
        assert pending and "status" in pending[-1].changed_fields
        account = store.accounts.get(conn, deal.account_id)
    assert account is not None and account.meta.version.get_counter(ME.replica_id) == 2


def test_saving_a_deal_as_won_does_the_same(replica: Replica) -> None:
    deal = _deal_in_negotiation(replica, "Spare parts")
    deal.stage = "won"
    written = editing.save(replica, deal, ME)
    assert written.changes.touches_record(Entity.ACCOUNT, deal.account_id)
    view = _view(replica, deal.account_id)
    assert view.account.status == "active"
    assert view.status_history[-1].reason == "won: Spare parts"
    # Saving the won deal again (a new amount) changes nothing more.
    before = len(view.status_history)
    deal.amount = Decimal(90_000)
    assert not editing.save(replica, deal, ME).changes.touches(Entity.ACCOUNT)
    assert len(_view(replica, deal.account_id).status_history) == before


def test_an_active_account_and_a_lost_deal_are_left_alone(replica: Replica) -> None:
    deal = _deal_in_negotiation(replica)
    moved = editing.move_stage(replica, deal.meta.id, "lost", ME)
    assert not moved.changes.touches(Entity.ACCOUNT)
    assert _view(replica, deal.account_id).account.status == "prospect"


def test_the_replica_follows_the_rules_the_server_handed_down(replica: Replica) -> None:
    with replica.writing() as conn:
        assert configuration.status_rules(conn) == [StatusRule("won", "active")]  # default
        configuration.save_status_rules(conn, [])  # the server has no rules
    deal = _deal_in_negotiation(replica)
    editing.move_stage(replica, deal.meta.id, "won", ME)
    assert _view(replica, deal.account_id).account.status == "prospect"

    with replica.writing() as conn:
        configuration.save_status_rules(conn, [StatusRule("lost", "dormant")])
        assert configuration.status_rules(conn) == [StatusRule("lost", "dormant")]
    other = _deal_in_negotiation(replica, "Lost one")
    editing.move_stage(replica, other.meta.id, "lost", ME)
    view = _view(replica, other.account_id)
    assert view.account.status == "dormant"
    assert view.status_history[-1].reason == "lost: Lost one"
