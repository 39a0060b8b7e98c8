"""Reading services: what the screens and the command line show, from the open replica.

Each is a plain function of a :class:`Replica` (run on the replica's worker thread in the
window) returning plain data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from desktop_crm.domain.records import Account, Opportunity, PipelineStage
from desktop_crm.storage import configuration, overview, queries, system_tags
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.overview import ListChoices
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.search import SearchHit
from desktop_crm.storage.search import search as search_replica
from desktop_crm.storage.system_tags import SystemTag
from desktop_crm.sync.deleted_customers import DeletedCustomer, open_notices
from desktop_crm.sync.state_keys import LAST_SYNC_KEY

__all__ = ["ListChoices", "SystemTag"]


def search(
    replica: Replica, text: str, region: str | None = None, limit: int = 50
) -> list[SearchHit]:
    """Customers by phone number (any format, or its last 4+ digits) or by name."""
    with replica.engine.connect() as conn:
        if region:
            return search_replica(conn, text, region, limit)
        return search_replica(conn, text, limit=limit)


def account_360(replica: Replica, account_id: str) -> queries.Account360 | None:
    with replica.engine.connect() as conn:
        return queries.account_360(conn, account_id)


def user_names(replica: Replica) -> dict[str, str]:
    """User id -> name, from the server's directory as of the last sync."""
    with replica.engine.connect() as conn:
        return book.user_names(conn)


def list_choices(replica: Replica) -> ListChoices:
    with replica.engine.connect() as conn:
        return overview.list_choices(conn)


def account_ids(
    replica: Replica, flt: queries.AccountFilter, sort: queries.AccountSort, descending: bool
) -> list[str]:
    """The ids of one filter and sort, in display order (rows load lazily by id)."""
    with replica.engine.connect() as conn:
        return queries.account_ids(conn, flt, sort=sort, descending=descending)


def accounts_by_id(replica: Replica, ids: Sequence[str]) -> dict[str, Account]:
    with replica.engine.connect() as conn:
        return queries.accounts_by_id(conn, list(ids))


def system_tags_by_id(replica: Replica, ids: Sequence[str]) -> dict[str, list[SystemTag]]:
    """The system tags of these accounts (those that have any), for the list's rows."""
    with replica.engine.connect() as conn:
        return system_tags.tags_of(conn, ids)


def follow_ups(replica: Replica, now: datetime, user_id: str | None) -> queries.FollowUpsDue:
    with replica.engine.connect() as conn:
        return queries.follow_ups_due(conn, now, user_id or None)


def activity_feed(replica: Replica, author_id: str | None, limit: int) -> list[queries.FeedItem]:
    with replica.engine.connect() as conn:
        return queries.activity_feed(conn, author_id=author_id, limit=limit)


def pipeline(replica: Replica) -> list[PipelineStage]:
    with replica.engine.connect() as conn:
        return configuration.pipeline(conn)


def first_stage(replica: Replica) -> PipelineStage:
    """Where new opportunities start: the first open stage of the pipeline."""
    stages = pipeline(replica)
    return next((s for s in stages if not s.is_closed), stages[0])


@dataclass(frozen=True, slots=True)
class StageBar:
    stage: PipelineStage
    count: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PipelineSummary:
    bars: list[StageBar]
    #: Open opportunities (not closed), biggest first, for the list under the chart.
    opportunities: list[tuple[Opportunity, str]] = field(default_factory=list)
    #: Amounts are added up in one currency only (the most common one): there are no exchange
    #: rates in the data, and a sum of yuan and pounds means nothing.
    currency: str = ""
    #: Opportunities counted in the bars whose amount is in another currency (not summed).
    other_currencies: int = 0


def _stage_totals(
    amounts: Sequence[tuple[str, str, str]],
) -> tuple[dict[str, tuple[int, Decimal]], str, int]:
    """Count and amount per stage in the most common currency; (totals, currency, others)."""
    currency = Counter(row[2] for row in amounts).most_common(1)[0][0] if amounts else ""
    totals: dict[str, tuple[int, Decimal]] = {}
    other_currencies = 0
    for stage_key, amount_text, row_currency in amounts:
        count, amount = totals.get(stage_key, (0, Decimal(0)))
        try:
            value = Decimal(amount_text or "0")
        except ArithmeticError:
            value = Decimal(0)
        if row_currency != currency:
            other_currencies += 1
            value = Decimal(0)
        totals[stage_key] = (count + 1, amount + value)
    return totals, currency, other_currencies


def pipeline_summary(replica: Replica, limit: int = 500) -> PipelineSummary:
    with replica.engine.connect() as conn:
        stages = configuration.pipeline(conn)
        totals, currency, other_currencies = _stage_totals(overview.opportunity_amounts(conn))
        open_keys = [s.key for s in stages if not s.is_closed]
        opps = overview.recent_opportunities(conn, open_keys, limit)
        names = overview.account_names(conn, {x.account_id for x in opps})
    bars = [StageBar(s, *totals.get(s.key, (0, Decimal(0)))) for s in stages]
    opps.sort(key=lambda x: (-x.amount, x.name))
    return PipelineSummary(
        bars,
        [(x, names.get(x.account_id, "")) for x in opps],
        currency=currency,
        other_currencies=other_currencies,
    )


@dataclass(frozen=True, slots=True)
class SyncStatus:
    pending: int
    conflicts: int
    issues: int
    last_sync_at: datetime | None
    #: Customers deleted by someone else while we had unsynced work on them (held back).
    deleted_customers: tuple[DeletedCustomer, ...] = ()


def sync_status(replica: Replica) -> SyncStatus:
    with replica.engine.connect() as conn:
        last = book.get_state(conn, LAST_SYNC_KEY)
        return SyncStatus(
            pending=book.outbox_count(conn),
            conflicts=book.conflict_count(conn),
            issues=book.sync_issue_count(conn),
            last_sync_at=datetime.fromisoformat(last) if last else None,
            deleted_customers=tuple(open_notices(conn)),
        )
