"""Writing services: local edits into the replica and its outbox (they reach the server with
the next sync). Each runs in one transaction and returns the saved value with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.identity import Identity
from desktop_crm.domain.pipeline import check_stage_entry, find_stage
from desktop_crm.domain.records import Account, Activity, Entity, Opportunity, SyncedRecord
from desktop_crm.domain.status_rules import status_change_for
from desktop_crm.storage import configuration, overview
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica

T = TypeVar("T")
R = TypeVar("R", bound=SyncedRecord)


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """A write's result and what it changed (for the screens to refresh)."""

    value: T
    changes: Changes


def save(replica: Replica, record: R, who: Identity) -> Written[R]:
    """A local edit or a new record (validated: raises ValidationFailed with field messages)."""
    if isinstance(record, Activity) and not record.author_id:
        record.author_id = who.user_id
    with replica.writing() as conn:
        before = _opportunity_before(conn, record)
        saved = store.save_local(conn, record, who.replica_id, who.user_id)
        account = _follow_status_rules(conn, before, saved, who)
    return Written(saved, _changes(saved, account))


def delete(replica: Replica, entity: Entity, record_id: str, who: Identity) -> Written[bool]:
    """Delete a record on this device (a tombstone, synced like any edit); False if it was
    already gone."""
    with replica.writing() as conn:
        gone = store.delete_local(conn, entity.value, record_id, who.replica_id, who.user_id)
    if gone is None:
        return Written(False, NOTHING)
    return Written(True, Changes.of_record(gone))


def complete_follow_up(replica: Replica, activity_id: str, who: Identity) -> Written[bool]:
    """Tick a follow-up off the to-do list; False if the activity is no longer here."""
    with replica.writing() as conn:
        activity = store.activities.get(conn, activity_id)
        if activity is None:
            return Written(False, NOTHING)
        activity.follow_up_done = True
        saved = store.save_local(conn, activity, who.replica_id, who.user_id)
    return Written(True, Changes.of_record(saved))


def move_stage(
    replica: Replica, opportunity_id: str, stage_key: str, who: Identity
) -> Written[Opportunity]:
    """Move an opportunity to another stage, enforcing the stage's entry rules here (the server
    checks the same rules when the change arrives): raises StageRuleViolation saying what is
    missing, LookupError if the opportunity left the replica."""
    with replica.writing() as conn:
        opportunity = store.opportunities.get(conn, opportunity_id)
        if opportunity is None:
            raise LookupError("This opportunity is no longer in your replica.")
        target = find_stage(configuration.pipeline(conn), stage_key)
        if opportunity.stage == target.key:
            return Written(opportunity, NOTHING)
        check_stage_entry(
            opportunity, target, overview.activities_since_stage_change(conn, opportunity)
        )
        before = opportunity.data()
        opportunity.stage = target.key
        opportunity.probability = target.default_probability
        saved = store.save_local(conn, opportunity, who.replica_id, who.user_id)
        account = _follow_status_rules(conn, before, saved, who)
    return Written(saved, _changes(saved, account))


def _opportunity_before(conn: Connection, record: SyncedRecord) -> dict[str, Any] | None:
    """An opportunity's data as the replica has it before a save (None: new, or deleted)."""
    if not isinstance(record, Opportunity):
        return None
    before = store.opportunities.get(conn, record.meta.id)
    return None if before is None or before.meta.deleted else before.data()


def _follow_status_rules(
    conn: Connection, before: dict[str, Any] | None, saved: SyncedRecord, who: Identity
) -> Account | None:
    """Apply the status rules (``domain/status_rules.py``) to a saved opportunity, in the same
    transaction: the account's new status is a local edit like any other, with its reason in
    the status log. The server applies the same rule on push, so both arrive at one value."""
    if not isinstance(saved, Opportunity):
        return None
    account = store.accounts.get(conn, saved.account_id)
    if account is None or account.meta.deleted:
        return None
    change = status_change_for(
        configuration.status_rules(conn),
        configuration.pipeline(conn),
        before,
        saved.data(),
        account.status,
        deleted=saved.meta.deleted,
    )
    if change is None:
        return None
    account.status = change.to_status
    return store.save_local(
        conn, account, who.replica_id, who.user_id, status_reason=change.reason
    )


def _changes(saved: SyncedRecord, account: Account | None) -> Changes:
    """What a save changed: the record, and the account a status rule changed with it."""
    if account is None:
        return Changes.of_record(saved)
    return Changes.of_record(saved) | Changes.of_record(account)
