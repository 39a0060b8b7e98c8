"""Operations the window submits to the replica worker: plain functions of an open replica.

No Qt here. Each operation reads or writes in one transaction and returns what the screen needs
(or what changed), so screens refresh from results instead of reloading everything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from desktop_crm.domain.pipeline import find_stage, missing_for_stage
from desktop_crm.domain.records import (
    DEFAULT_ACCOUNT_STATUSES,
    DEFAULT_PIPELINE,
    Account,
    Activity,
    Contact,
    Opportunity,
    PipelineStage,
    SyncedRecord,
)
from desktop_crm.storage import queries
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import (
    account_statuses,
    accounts,
    activities,
    opportunities,
    opportunity_stage_history,
    pipeline_stages,
)
from desktop_crm.storage.search import SearchHit, search

#: What an operation is: a function of the open replica, run on the worker thread.
Op = Callable[[Replica], Any]


@dataclass(frozen=True, slots=True)
class Identity:
    """Who edits: stamped on every local change."""

    replica_id: str
    user_id: str
    username: str = ""
    role: str = ""


# Reading ------------------------------------------------------------------------------------


def search_op(text: str, region: str | None = None, limit: int = 50) -> Callable[
    [Replica], list[SearchHit]
]:
    def run(replica: Replica) -> list[SearchHit]:
        with replica.engine.connect() as conn:
            if region:
                return search(conn, text, region, limit)
            return search(conn, text, limit=limit)

    return run


def account_360_op(account_id: str) -> Callable[[Replica], queries.Account360 | None]:
    def run(replica: Replica) -> queries.Account360 | None:
        with replica.engine.connect() as conn:
            return queries.account_360(conn, account_id)

    return run


def stages(conn: Connection) -> list[PipelineStage]:
    """The configured pipeline (pulled from the server), or the default one."""
    rows = conn.execute(select(pipeline_stages).order_by(pipeline_stages.c.position)).all()
    if not rows:
        return list(DEFAULT_PIPELINE)
    return [
        PipelineStage(
            key=r.key,
            name=r.name,
            position=r.position,
            default_probability=r.default_probability,
            requires_activity_since_stage_change=bool(r.requires_activity_since_stage_change),
            requires_expected_close=bool(r.requires_expected_close),
            is_closed=bool(r.is_closed),
            is_won=bool(r.is_won),
        )
        for r in rows
    ]


def user_names(replica: Replica) -> dict[str, str]:
    """User id -> name, from the server's directory as of the last sync."""
    with replica.engine.connect() as conn:
        return book.user_names(conn)


def status_names(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        select(account_statuses.c.key, account_statuses.c.name).order_by(
            account_statuses.c.position
        )
    ).all()
    if rows:
        return [(str(r[0]), str(r[1])) for r in rows]
    return [(s.key, s.name) for s in DEFAULT_ACCOUNT_STATUSES]


@dataclass(frozen=True, slots=True)
class ListChoices:
    """What the account list's filters offer."""

    statuses: list[tuple[str, str]]
    owners: list[str]
    tags: list[str]


def list_choices(replica: Replica) -> ListChoices:
    with replica.engine.connect() as conn:
        owners = [
            str(r[0])
            for r in conn.execute(
                select(accounts.c.owner_id)
                .where(accounts.c.deleted == 0, accounts.c.owner_id != "")
                .distinct()
                .order_by(accounts.c.owner_id)
            )
        ]
        tag_counts: Counter[str] = Counter()
        for (text,) in conn.execute(
            select(accounts.c.tags).where(accounts.c.deleted == 0).distinct().limit(2000)
        ):
            for tag in json.loads(text or "[]"):
                tag_counts[str(tag)] += 1
        return ListChoices(status_names(conn), owners, sorted(tag_counts))


@dataclass(frozen=True, slots=True)
class AccountPage:
    """The ids of one filter and sort, in display order (ids only: rows load lazily)."""

    ids: list[str]


def account_ids_op(
    flt: queries.AccountFilter, sort: queries.AccountSort, descending: bool
) -> Callable[[Replica], list[str]]:
    def run(replica: Replica) -> list[str]:
        with replica.engine.connect() as conn:
            return queries.account_ids(conn, flt, sort=sort, descending=descending)

    return run


def accounts_by_id_op(ids: Sequence[str]) -> Callable[[Replica], dict[str, Account]]:
    wanted = list(ids)

    def run(replica: Replica) -> dict[str, Account]:
        with replica.engine.connect() as conn:
            return queries.accounts_by_id(conn, wanted)

    return run


def follow_ups_op(
    now: datetime, user_id: str | None
) -> Callable[[Replica], queries.FollowUpsDue]:
    def run(replica: Replica) -> queries.FollowUpsDue:
        with replica.engine.connect() as conn:
            return queries.follow_ups_due(conn, now, user_id or None)

    return run


def activity_feed_op(
    author_id: str | None, limit: int
) -> Callable[[Replica], list[queries.FeedItem]]:
    def run(replica: Replica) -> list[queries.FeedItem]:
        with replica.engine.connect() as conn:
            return queries.activity_feed(conn, author_id=author_id, limit=limit)

    return run


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


def pipeline_summary(replica: Replica, limit: int = 500) -> PipelineSummary:
    o = opportunities.c
    with replica.engine.connect() as conn:
        pipeline = stages(conn)
        rows = conn.execute(select(o.stage, o.amount, o.currency).where(o.deleted == 0)).all()
        currency = Counter(str(r[2]) for r in rows).most_common(1)[0][0] if rows else ""
        totals: dict[str, tuple[int, Decimal]] = {}
        other_currencies = 0
        for stage_key, amount_text, row_currency in rows:
            count, amount = totals.get(stage_key, (0, Decimal(0)))
            try:
                value = Decimal(amount_text or "0")
            except ArithmeticError:
                value = Decimal(0)
            if row_currency != currency:
                other_currencies += 1
                value = Decimal(0)
            totals[stage_key] = (count + 1, amount + value)
        bars = [StageBar(s, *totals.get(s.key, (0, Decimal(0)))) for s in pipeline]
        open_keys = [s.key for s in pipeline if not s.is_closed]
        ids = [
            str(r[0])
            for r in conn.execute(
                select(o.id)
                .where(o.deleted == 0, o.stage.in_(open_keys))
                .order_by(o.updated_at.desc())
                .limit(limit)
            )
        ]
        opps = list(store.opportunities.get_many(conn, ids).values())
        names = {
            str(r[0]): str(r[1])
            for r in conn.execute(
                select(accounts.c.id, accounts.c.name).where(
                    accounts.c.id.in_({x.account_id for x in opps})
                )
            )
        }
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


def sync_status(replica: Replica) -> SyncStatus:
    with replica.engine.connect() as conn:
        last = book.get_state(conn, "last_sync_at")
        return SyncStatus(
            pending=book.outbox_count(conn),
            conflicts=book.conflict_count(conn),
            issues=book.sync_issue_count(conn),
            last_sync_at=datetime.fromisoformat(last) if last else None,
        )


# Writing ------------------------------------------------------------------------------------


def save_op(record: SyncedRecord, who: Identity) -> Callable[[Replica], SyncedRecord]:
    """A local edit (validated; raises ValidationFailed with field messages) into the outbox."""

    def run(replica: Replica) -> SyncedRecord:
        with replica.engine.begin() as conn:
            return store.save_local(conn, record, who.replica_id, who.user_id)

    return run


def delete_op(entity: str, record_id: str, who: Identity) -> Callable[[Replica], bool]:
    """Delete a record on this device (a tombstone, synced like any edit). False if it was
    already gone."""

    def run(replica: Replica) -> bool:
        with replica.engine.begin() as conn:
            gone = store.delete_local(conn, entity, record_id, who.replica_id, who.user_id)
            return gone is not None

    return run


def first_stage(replica: Replica) -> PipelineStage:
    """Where new opportunities start: the first open stage of the pipeline."""
    with replica.engine.connect() as conn:
        pipeline = stages(conn)
    return next((s for s in pipeline if not s.is_closed), pipeline[0])


def log_activity_op(activity: Activity, who: Identity) -> Callable[[Replica], Activity]:
    def run(replica: Replica) -> Activity:
        if not activity.author_id:
            activity.author_id = who.user_id
        with replica.engine.begin() as conn:
            return store.save_local(conn, activity, who.replica_id, who.user_id)

    return run


def complete_follow_up_op(activity_id: str, who: Identity) -> Callable[[Replica], Activity | None]:
    def run(replica: Replica) -> Activity | None:
        with replica.engine.begin() as conn:
            act = store.activities.get(conn, activity_id)
            if act is None:
                return None
            act.follow_up_done = True
            return store.save_local(conn, act, who.replica_id, who.user_id)

    return run


class StageMoveRefused(ValueError):
    """The stage's entry rules are not met; ``missing`` says what to do, in words."""

    def __init__(self, stage: PipelineStage, missing: list[str]) -> None:
        self.stage = stage
        self.missing = missing
        super().__init__("; ".join(missing))


def activities_since_stage_change(conn: Connection, opportunity: Opportunity) -> int:
    h = opportunity_stage_history.c
    last = conn.execute(
        select(func.max(h.changed_at)).where(h.opportunity_id == opportunity.meta.id)
    ).scalar()
    a = activities.c
    query = select(func.count()).select_from(activities).where(
        a.opportunity_id == opportunity.meta.id, a.deleted == 0
    )
    if last:
        since = datetime.fromisoformat(str(last))
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        query = query.where(a.start_at > since.astimezone(UTC).isoformat())
    return int(conn.execute(query).scalar_one())


def move_stage_op(
    opportunity_id: str, stage_key: str, who: Identity
) -> Callable[[Replica], Opportunity]:
    """Move an opportunity to another stage, enforcing the stage's entry rules locally (the
    server checks the same rules when the change arrives)."""

    def run(replica: Replica) -> Opportunity:
        with replica.engine.begin() as conn:
            opp = store.opportunities.get(conn, opportunity_id)
            if opp is None:
                raise LookupError("This opportunity is no longer in your replica.")
            target = find_stage(stages(conn), stage_key)
            if opp.stage == target.key:
                return opp
            missing = missing_for_stage(opp, target, activities_since_stage_change(conn, opp))
            if missing:
                raise StageMoveRefused(target, missing)
            opp.stage = target.key
            opp.probability = target.default_probability
            return store.save_local(conn, opp, who.replica_id, who.user_id)

    return run


def contacts_of_op(account_id: str) -> Callable[[Replica], list[Contact]]:
    def run(replica: Replica) -> list[Contact]:
        with replica.engine.connect() as conn:
            return store.contacts.list(conn, account_id=account_id)

    return run
