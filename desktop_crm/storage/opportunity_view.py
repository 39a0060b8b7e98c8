"""One opportunity on one screen: the deal, its customer, the customer's contacts and other
open deals (for the log dialogs), and the deal's own timeline (the activities linked to it).

Functions take an open Connection and hide tombstones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from desktop_crm.domain.pipeline import check_stage_entry, find_stage
from desktop_crm.domain.records import (
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
    PipelineStage,
)
from desktop_crm.storage import configuration
from desktop_crm.storage import records_store as store
from desktop_crm.storage.overview import activities_since_stage_change
from desktop_crm.storage.queries import closed_stages
from desktop_crm.storage.schema import activities, contacts


@dataclass(frozen=True, slots=True)
class OpportunityView:
    opportunity: Opportunity
    account: Account
    contacts: list[Contact]
    #: The customer's open opportunities (this one included, even when closed): what a log
    #: dialog offers to link an activity to.
    open_opportunities: list[Opportunity]
    #: The deal's own timeline, newest first.
    activities: list[Activity]
    #: Activities linked since the last stage change (what a stage's entry rule counts).
    activities_since_stage_change: int = 0
    #: Record id -> its fields masked for this user's role (see ``Account360.masked``).
    masked: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The pipeline, in order: the stages the deal may be moved to.
    stages: list[PipelineStage] = field(default_factory=list)


def opportunity_activities(conn: Connection, opportunity_id: str) -> list[Activity]:
    """The activities linked to a deal, newest first."""
    return store.activities.list(
        conn,
        where=[activities.c.opportunity_id == opportunity_id],
        order_by=[activities.c.start_at.desc()],
    )


def open_opportunities(conn: Connection, account_id: str) -> list[Opportunity]:
    """A customer's deals not in a closed stage, by name."""
    closed = closed_stages(conn)
    found = store.opportunities.list(conn, account_id=account_id)
    return sorted((o for o in found if o.stage not in closed), key=lambda o: o.name.casefold())


def opportunity_view(conn: Connection, opportunity_id: str) -> OpportunityView | None:
    """None when the deal or its customer is no longer in the replica."""
    opportunity = store.opportunities.get(conn, opportunity_id)
    if opportunity is None:
        return None
    account = store.accounts.get(conn, opportunity.account_id)
    if account is None:
        return None
    people = store.contacts.list(conn, account_id=account.meta.id, order_by=[contacts.c.name])
    deals = open_opportunities(conn, account.meta.id)
    if all(d.meta.id != opportunity_id for d in deals):
        deals.append(opportunity)
    timeline = opportunity_activities(conn, opportunity_id)
    masked = store.masked_of(conn, Entity.OPPORTUNITY, [opportunity_id])
    masked |= store.masked_of(conn, Entity.ACTIVITY, [a.meta.id for a in timeline])
    return OpportunityView(
        opportunity=opportunity,
        account=account,
        contacts=people,
        open_opportunities=deals,
        activities=timeline,
        activities_since_stage_change=activities_since_stage_change(conn, opportunity),
        masked=masked,
        stages=configuration.pipeline(conn),
    )


def check_stage_move(
    conn: Connection, opportunity: Opportunity, from_stage: str | None
) -> PipelineStage | None:
    """The stage ``opportunity`` enters when it was at ``from_stage`` (None: a new deal), its
    entry rules checked against the deal as it will be saved (a close date set in the same
    edit counts); None when the stage does not change. Raises StageRuleViolation saying what
    is missing, ValueError for an unknown stage. A new deal may start at the first stage
    without conditions, as on the server."""
    if opportunity.stage == from_stage:
        return None
    stages = configuration.pipeline(conn)
    target = find_stage(stages, opportunity.stage)
    if from_stage is None and stages and target.key == stages[0].key:
        return target
    done = 0 if from_stage is None else activities_since_stage_change(conn, opportunity)
    check_stage_entry(opportunity, target, done)
    return target


def move_activities_with(
    conn: Connection, deal: Opportunity, old_account_id: str, replica_id: str, user_id: str
) -> list[Activity]:
    """Re-save, under the deal's (new) customer, its activities still under ``old_account_id``.
    A contact stays with its own customer, so a moved activity keeps the person's name among
    its participants instead of a link the server would refuse."""
    moved: list[Activity] = []
    names = {c.meta.id: c.name for c in store.contacts.list(conn, account_id=old_account_id)}
    for activity in opportunity_activities(conn, deal.meta.id):
        if activity.account_id != old_account_id:
            continue
        activity.account_id = deal.account_id
        if activity.contact_id is not None:
            name = names.get(activity.contact_id)
            if name and name not in activity.participants:
                activity.participants = [*activity.participants, name]
            activity.contact_id = None
        moved.append(store.save_local(conn, activity, replica_id, user_id))
    return moved
