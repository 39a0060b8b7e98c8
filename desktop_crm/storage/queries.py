"""Read-side queries over the replica: the account 360° view, follow-ups due, account paging.

All functions take an open SQLAlchemy Connection and hide tombstones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, func, select, text

from desktop_crm.domain.records import (
    DEFAULT_PIPELINE,
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
)
from desktop_crm.storage import records_store as store
from desktop_crm.storage import system_tags
from desktop_crm.storage.consent_filter import ReachableBy, accounts_reachable
from desktop_crm.storage.schema import (
    account_former_names,
    account_status_log,
    account_system_tags,
    accounts,
    activities,
    contacts,
    pipeline_stages,
)
from desktop_crm.storage.search import next_prefix
from desktop_crm.storage.system_tags import SystemTag

# The account 360° view ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    from_status: str | None  # None: the account's first status
    to_status: str
    changed_at: datetime
    changed_by: str
    #: Why a status rule changed it ("won: <opportunity>"); None for a plain edit.
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class FormerName:
    name: str
    changed_at: datetime  # when this name stopped being used
    changed_by: str


@dataclass(frozen=True, slots=True)
class Account360:
    account: Account
    contacts: list[Contact]
    #: Open opportunities, highest score (amount × probability) first.
    open_opportunities: list[Opportunity]
    #: The timeline: newest first, at most ``activity_limit``.
    recent_activities: list[Activity]
    #: Oldest first.
    status_history: list[StatusChange] = field(default_factory=list)
    #: Most recently dropped first.
    former_names: list[FormerName] = field(default_factory=list)
    #: Record id -> its fields the server masked for this user's role (only records that have
    #: any): shown as "hidden for your role", not as empty.
    masked: dict[str, frozenset[str]] = field(default_factory=dict)
    #: The system tags the server's rules computed, each with its reason (read-only).
    system_tags: list[SystemTag] = field(default_factory=list)

    @property
    def pipeline_value(self) -> Decimal:
        """Sum of the open opportunities' scores."""
        return sum((o.score for o in self.open_opportunities), Decimal(0))


def _time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _time_text(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def closed_stages(conn: Connection) -> set[str]:
    """Keys of closed pipeline stages: the configured ones, or the default pipeline's."""
    rows = conn.execute(select(pipeline_stages.c.key).where(pipeline_stages.c.is_closed.is_(True)))
    configured = {str(r[0]) for r in rows}
    if configured:
        return configured
    has_config = conn.execute(select(func.count()).select_from(pipeline_stages)).scalar_one()
    if has_config:
        return set()
    return {s.key for s in DEFAULT_PIPELINE if s.is_closed}


def _score(opportunity: Opportunity) -> Decimal:
    try:
        return opportunity.score
    except (InvalidOperation, TypeError):
        return Decimal(0)


def account_360(
    conn: Connection, account_id: str, *, activity_limit: int = 50
) -> Account360 | None:
    """Everything about one customer on one screen; None if there is no such (live) account."""
    account = store.accounts.get(conn, account_id)
    if account is None:
        return None
    people = store.contacts.list(conn, account_id=account_id, order_by=[contacts.c.name])
    closed = closed_stages(conn)
    open_opps = [
        o for o in store.opportunities.list(conn, account_id=account_id) if o.stage not in closed
    ]
    open_opps.sort(key=lambda o: (-_score(o), o.name))
    timeline = store.activities.list(
        conn,
        account_id=account_id,
        order_by=[activities.c.start_at.desc()],
        limit=activity_limit,
    )
    log = account_status_log.c
    status_rows = conn.execute(
        select(log.from_status, log.to_status, log.changed_at, log.changed_by, log.reason)
        .where(log.account_id == account_id)
        .order_by(log.changed_at, log.id)
    ).all()
    names = account_former_names.c
    name_rows = conn.execute(
        select(names.name, names.changed_at, names.changed_by)
        .where(names.account_id == account_id)
        .order_by(names.changed_at.desc(), names.id.desc())
    ).all()
    return Account360(
        account=account,
        contacts=people,
        open_opportunities=open_opps,
        recent_activities=timeline,
        status_history=[StatusChange(r[0], r[1], _time(r[2]), r[3], r[4]) for r in status_rows],
        former_names=[FormerName(r[0], _time(r[1]), r[2]) for r in name_rows],
        masked=_masked_in_view(conn, account, people, timeline),
        system_tags=system_tags.tags_of(conn, [account_id]).get(account_id, []),
    )


def _masked_in_view(
    conn: Connection, account: Account, people: list[Contact], timeline: list[Activity]
) -> dict[str, frozenset[str]]:
    masked = store.masked_of(conn, Entity.ACCOUNT, [account.meta.id])
    masked |= store.masked_of(conn, Entity.CONTACT, [p.meta.id for p in people])
    masked |= store.masked_of(conn, Entity.ACTIVITY, [a.meta.id for a in timeline])
    return masked


# Follow-ups -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUp:
    activity: Activity
    account_name: str
    contact_name: str | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class FollowUpsDue:
    overdue: list[FollowUp]
    today: list[FollowUp]

    def __len__(self) -> int:
        return len(self.overdue) + len(self.today)


def end_of_day(now: datetime) -> datetime:
    """Midnight after ``now`` in ``now``'s own time zone (the user's "today")."""
    local = now if now.tzinfo else now.replace(tzinfo=UTC)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)


#: The condition of the partial index ``ix_activities_follow_up_open``, spelled exactly as in
#: the index: SQLite uses a partial index only when the query contains its WHERE terms, and
#: ``follow_up_done = ?`` with a bound parameter would not do.
OPEN_FOLLOW_UP = text(
    "activities.follow_up_done = 0 AND activities.follow_up_at IS NOT NULL "
    "AND activities.deleted = 0"
)


def follow_ups_query(before: datetime, user_id: str | None = None, limit: int = 500) -> Select[Any]:
    """Open follow-ups due before ``before``, oldest first."""
    a = activities.c
    query = (
        select(activities)
        .where(OPEN_FOLLOW_UP, a.follow_up_at < _time_text(before))
        .order_by(a.follow_up_at)
        .limit(limit)
    )
    if user_id is not None:
        query = query.where(a.author_id == user_id)
    return query


def follow_ups_due(
    conn: Connection, now: datetime, user_id: str | None = None, *, limit: int = 500
) -> FollowUpsDue:
    """Open follow-ups that are overdue or due before the end of today (in ``now``'s time
    zone), oldest first; only ``user_id``'s own (as author) when given.

    Uses the partial index ``ix_activities_follow_up_open``: its condition is repeated
    verbatim in the query so SQLite can prove the index applies.
    """
    query = follow_ups_query(end_of_day(now), user_id, limit)
    records = store.stored_from_rows(Entity.ACTIVITY, conn, conn.execute(query).all())
    found = [r.to_record() for r in records]
    acts = [r for r in found if isinstance(r, Activity)]
    account_names = _names(conn, accounts.c.id, accounts.c.name, {x.account_id for x in acts})
    contact_names = _names(
        conn, contacts.c.id, contacts.c.name, {x.contact_id for x in acts if x.contact_id}
    )
    now_text = _time_text(now)
    overdue: list[FollowUp] = []
    today: list[FollowUp] = []
    for act in acts:
        if act.account_id not in account_names:
            continue  # its account was deleted
        assert act.follow_up_at is not None
        late = _time_text(act.follow_up_at) < now_text
        item = FollowUp(
            activity=act,
            account_name=account_names[act.account_id],
            contact_name=contact_names.get(act.contact_id) if act.contact_id else None,
            overdue=late,
        )
        (overdue if late else today).append(item)
    return FollowUpsDue(overdue=overdue, today=today)


# The activity feed ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedItem:
    activity: Activity
    account_name: str
    contact_name: str | None
    #: The activity's fields the server masked for this user's role.
    masked: frozenset[str] = frozenset()


#: How many index entries the feed reads at most while looking for one person's activities
#: (newest first): bounds the cost of a filter that matches rarely.
FEED_SCAN_LIMIT = 20_000


def activity_feed(
    conn: Connection, *, author_id: str | None = None, limit: int = 200
) -> list[FeedItem]:
    """The newest activities in the replica (a manager's team, a rep's accounts), newest
    first; only ``author_id``'s when given. Walks ``ix_activities_start_at`` backwards."""
    a = activities.c
    newest = select(activities.c.id).where(a.deleted.is_(False)).order_by(a.start_at.desc())
    if author_id is not None:
        # Filter inside a bounded window of the newest entries: the index serves the order.
        window = newest.limit(FEED_SCAN_LIMIT).subquery()
        query = (
            select(activities)
            .where(a.id.in_(select(window.c.id)), a.author_id == author_id)
            .order_by(a.start_at.desc())
            .limit(limit)
        )
    else:
        query = (
            select(activities).where(a.deleted.is_(False)).order_by(a.start_at.desc()).limit(limit)
        )
    records = store.stored_from_rows(Entity.ACTIVITY, conn, conn.execute(query).all())
    acts = [r for r in (x.to_record() for x in records) if isinstance(r, Activity)]
    account_names = _names(conn, accounts.c.id, accounts.c.name, {x.account_id for x in acts})
    contact_names = _names(
        conn, contacts.c.id, contacts.c.name, {x.contact_id for x in acts if x.contact_id}
    )
    masked = store.masked_of(conn, Entity.ACTIVITY, [x.meta.id for x in acts])
    return [
        FeedItem(
            activity=act,
            account_name=account_names[act.account_id],
            contact_name=contact_names.get(act.contact_id) if act.contact_id else None,
            masked=masked.get(act.meta.id, frozenset()),
        )
        for act in acts
        if act.account_id in account_names  # not under a deleted account
    ]


def _names(conn: Connection, id_col: Any, name_col: Any, ids: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    table = id_col.table
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(select(id_col, name_col).where(id_col.in_(chunk), table.c.deleted == 0))
        out.update({str(r[0]): str(r[1]) for r in rows})
    return out


# Account list paging --------------------------------------------------------------------------

AccountSort = Literal["name", "status", "owner", "updated"]
_SORT_COLUMNS = {
    "name": accounts.c.name,
    "status": accounts.c.status,
    "owner": accounts.c.owner_id,
    "updated": accounts.c.updated_at,
}


@dataclass(frozen=True, slots=True)
class AccountFilter:
    """What the account list shows: every criterion given must hold."""

    status: str | None = None
    owner_id: str | None = None
    #: Names starting with this text (case-sensitive, uses the name index).
    name_prefix: str | None = None
    tag: str | None = None
    #: A system tag (computed by the server's rules) the account carries.
    system_tag: str | None = None
    #: Accounts with a contact reachable this way (``storage.consent_filter``).
    reachable: ReachableBy | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        c = accounts.c
        out: list[ColumnElement[bool]] = [c.deleted == 0]
        if self.reachable is not None:
            out.append(accounts_reachable(self.reachable))
        if self.status is not None:
            out.append(c.status == self.status)
        if self.owner_id is not None:
            out.append(c.owner_id == self.owner_id)
        if self.name_prefix:
            out += [c.name >= self.name_prefix, c.name < next_prefix(self.name_prefix)]
        if self.tag is not None:
            # Tags are a JSON list of strings: match the quoted element.
            quoted = '"' + self.tag.replace("\\", "\\\\").replace('"', '\\"') + '"'
            out.append(func.instr(c.tags, quoted) > 0)
        if self.system_tag is not None:
            t = account_system_tags.c
            out.append(
                select(t.account_id)
                .where(t.name == self.system_tag, t.account_id == c.id)
                .exists()
            )
        return out


def account_count(conn: Connection, filter: AccountFilter | None = None) -> int:
    flt = filter or AccountFilter()
    query = select(func.count()).select_from(accounts).where(*flt.clauses())
    return int(conn.execute(query).scalar_one())


def account_ids(
    conn: Connection,
    filter: AccountFilter | None = None,
    *,
    sort: AccountSort = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[str]:
    """Ids of the matching accounts in display order (ties broken by name, then id), for a
    lazy item model that fetches rows by id as they scroll into view."""
    flt = filter or AccountFilter()
    column = _SORT_COLUMNS[sort]
    order: list[Any] = [column.desc() if descending else column.asc()]
    if sort != "name":
        order.append(accounts.c.name)
    order.append(accounts.c.id)
    query = select(accounts.c.id).where(*flt.clauses()).order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [str(r[0]) for r in conn.execute(query)]


def accounts_by_id(conn: Connection, ids: Sequence[str]) -> dict[str, Account]:
    """The live accounts among ``ids`` (for the rows a lazy model is about to show)."""
    return store.accounts.get_many(conn, ids)
