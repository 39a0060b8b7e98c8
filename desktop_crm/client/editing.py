"""Writing services: local edits into the replica and its outbox (they reach the server with
the next sync). Each runs in one transaction and returns the saved value with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from desktop_crm.client.changes import NOTHING, Changes
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Account, Activity, Entity, Opportunity, SyncedRecord
from desktop_crm.storage import records_store as store
from desktop_crm.storage.opportunity_view import check_stage_move
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.status_rules import follow_status_rules, opportunity_before

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
        before = opportunity_before(conn, record)
        saved = store.save_local(conn, record, who.replica_id, who.user_id)
        # A deal entering a won stage makes its account active (the status rules), in the
        # same transaction; the server applies the same rule when the change arrives.
        account = follow_status_rules(conn, before, saved, who.replica_id, who.user_id)
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
        before = opportunity.data()
        from_stage, opportunity.stage = opportunity.stage, stage_key
        target = check_stage_move(conn, opportunity, from_stage)
        if target is None:
            return Written(opportunity, NOTHING)
        opportunity.probability = target.default_probability
        saved = store.save_local(conn, opportunity, who.replica_id, who.user_id)
        account = follow_status_rules(conn, before, saved, who.replica_id, who.user_id)
    return Written(saved, _changes(saved, account))


def _changes(saved: SyncedRecord, account: Account | None) -> Changes:
    """What a save changed: the record, and the account a status rule changed with it."""
    if account is None:
        return Changes.of_record(saved)
    return Changes.of_record(saved) | Changes.of_record(account)
