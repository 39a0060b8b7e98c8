"""Working one deal: reading it with its own timeline, and saving an edit of it (name, amount,
currency, probability, close date, owner, stage and customer) in one transaction.

The stage goes through the same entry rules as "Move to stage" (``domain/pipeline.py``; the
server checks them again on push). A deal moved to another customer takes its activities
along when asked to: they are re-saved under the new customer, synced like any edit.
"""

from __future__ import annotations

from desktop_crm.client.changes import Changes
from desktop_crm.client.editing import Written
from desktop_crm.client.identity import Identity
from desktop_crm.domain.records import Entity, Opportunity
from desktop_crm.storage import opportunity_view as deals
from desktop_crm.storage import records_store as store
from desktop_crm.storage.opportunity_view import OpportunityView
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.status_rules import follow_status_rules

__all__ = ["OpportunityView", "opportunity_view", "open_opportunities", "save_opportunity"]


def opportunity_view(replica: Replica, opportunity_id: str) -> OpportunityView | None:
    with replica.engine.connect() as conn:
        return deals.opportunity_view(conn, opportunity_id)


def open_opportunities(replica: Replica, account_id: str) -> list[Opportunity]:
    with replica.engine.connect() as conn:
        return deals.open_opportunities(conn, account_id)


def save_opportunity(
    replica: Replica, opportunity: Opportunity, who: Identity, *, move_activities: bool = False
) -> Written[Opportunity]:
    """Save an edited (or new) deal. A changed stage must meet its entry rules (raises
    StageRuleViolation saying what is missing); ValidationFailed for bad fields; LookupError
    when an edited deal left the replica. ``move_activities``: when the customer changed,
    move the deal's activities that were under the old customer to the new one."""
    with replica.writing() as conn:
        before = None
        if store.read_record(conn, Entity.OPPORTUNITY, opportunity.meta.id) is not None:
            before = store.opportunities.get(conn, opportunity.meta.id)
            if before is None:
                raise LookupError("This opportunity is no longer in your replica.")
        deals.check_stage_move(conn, opportunity, None if before is None else before.stage)
        saved = store.save_local(conn, opportunity, who.replica_id, who.user_id)
        account = follow_status_rules(
            conn, None if before is None else before.data(), saved, who.replica_id, who.user_id
        )
        changes = Changes.of_record(saved)
        if account is not None:
            changes |= Changes.of_record(account)
        if before is not None and before.account_id != saved.account_id:
            changes |= Changes.of(Entity.OPPORTUNITY, saved.meta.id, before.account_id)
            if move_activities:
                moved_ones = deals.move_activities_with(
                    conn, saved, before.account_id, who.replica_id, who.user_id
                )
                for moved in moved_ones:
                    changes |= Changes.of_record(moved)
                    changes |= Changes.of(Entity.ACTIVITY, moved.meta.id, before.account_id)
    return Written(saved, changes)
