"""The customer's history for the screens: activity pages and closed opportunities (plain
functions of an open replica, run on the window's replica worker)."""

from __future__ import annotations

from desktop_crm.domain.records import Opportunity
from desktop_crm.storage import customer_history
from desktop_crm.storage.customer_history import ActivityPage, TimelineCursor, TimelineFilter
from desktop_crm.storage.replica import Replica

__all__ = ["ActivityPage", "TimelineCursor", "TimelineFilter", "activity_page", "closed"]


def activity_page(
    replica: Replica,
    account_id: str,
    flt: TimelineFilter,
    after: TimelineCursor | None = None,
    limit: int = customer_history.PAGE_SIZE,
) -> ActivityPage:
    with replica.engine.connect() as conn:
        return customer_history.activity_page(conn, account_id, flt, after, limit)


def closed(replica: Replica, account_id: str) -> list[Opportunity]:
    """The account's won and lost opportunities."""
    with replica.engine.connect() as conn:
        return customer_history.closed_opportunities(conn, account_id)
