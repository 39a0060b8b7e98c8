"""What an operation changed: the algebra the window's selective refresh relies on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.session import sync_changes
from desktop_crm.domain.records import Account, Activity, Contact, Entity
from desktop_crm.sync.engine import SyncSummary


def test_a_record_change_names_its_entity_and_account() -> None:
    account = Account(name="Acme")
    contact = Contact(account_id=account.meta.id, name="Li Wei")
    changed = Changes.of_record(contact)
    assert changed.touches(Entity.CONTACT)
    assert not changed.touches(Entity.ACCOUNT, Entity.ACTIVITY)
    assert changed.touches_record(Entity.CONTACT, contact.meta.id)
    assert not changed.touches_record(Entity.CONTACT, "someone-else")
    assert changed.touches_account(account.meta.id)
    assert not changed.touches_account("another-account")
    # An account is its own account.
    assert Changes.of_record(account).touches_account(account.meta.id)


def test_many_changes_of_one_kind_touch_every_record_and_account() -> None:
    changed = Changes.of_entities([Entity.ACTIVITY])
    assert changed.touches_record(Entity.ACTIVITY, "any")
    assert changed.touches_account("any")
    assert not changed.touches(Entity.OPPORTUNITY)
    assert not NOTHING and not Changes.of_entities([])
    assert Changes.everything().touches(*Entity)


ids = st.frozensets(st.sampled_from(["a", "b", "c", "d"]), max_size=3)
changes = st.builds(
    lambda per_entity, accounts: Changes(per_entity, accounts),
    st.dictionaries(st.sampled_from(list(Entity)), st.one_of(st.none(), ids), max_size=4),
    st.one_of(st.none(), ids),
)


@given(changes, changes)
def test_a_union_touches_exactly_what_either_side_touches(a: Changes, b: Changes) -> None:
    both = a | b
    for entity in Entity:
        assert both.touches(entity) == (a.touches(entity) or b.touches(entity))
        for record_id in "abcd":
            assert both.touches_record(entity, record_id) == (
                a.touches_record(entity, record_id) or b.touches_record(entity, record_id)
            )
    for account_id in "abcd":
        assert both.touches_account(account_id) == (
            a.touches_account(account_id) or b.touches_account(account_id)
        )
    assert dict((a | NOTHING).records) == dict(a.records)
    assert (a | NOTHING).accounts == a.accounts


def test_a_sync_reports_the_kinds_it_received_or_everything_when_records_left() -> None:
    quiet = SyncSummary(pushed=3)
    assert not sync_changes(quiet)  # sent changes only: nothing on screen is different
    pulled = SyncSummary(pulled=2, received={Entity.ACTIVITY})
    assert sync_changes(pulled).touches(Entity.ACTIVITY)
    assert not sync_changes(pulled).touches(Entity.ACCOUNT)
    for summary in (
        SyncSummary(removed=1),
        SyncSummary(resynced=True),
        SyncSummary(new_conflicts=[("account", "x")]),
        SyncSummary(new_issues=1),
    ):
        assert sync_changes(summary).touches(*Entity)


def test_an_activity_change_names_its_account_not_the_activity_as_an_account() -> None:
    when = Account(name="x").meta.updated_at
    activity = Activity(account_id="acct-1", kind="call", start_at=when)
    changed = Changes.of_record(activity)
    assert changed.touches_account("acct-1")
    assert not changed.touches_account(activity.meta.id)
