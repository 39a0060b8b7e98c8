"""The queries behind the Reports tab: the stage history of the period's opportunities, open
opportunities by month of expected close, activities per author and day, and open follow-ups
past due per author.

Each aggregates in SQL and returns a few small rows; the client service
(``client/reports.py``) turns them into the report. Times are compared as the replica stores
them (UTC ISO text), so a period is a pair of UTC instants. ``owner_id`` narrows every query to
one person: opportunities by owner, activities and follow-ups by author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    text,
)

from desktop_crm.storage.schema import (
    activities,
    activity_day_counts,
    opportunities,
    opportunity_stage_history,
)


def time_text(value: datetime) -> str:
    """A time as the replica stores it (UTC ISO text), so text comparison orders by time."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class StageReach:
    """How far the period's opportunities got: ``reached[n]`` counts those whose history
    entered the open stage at position ``n`` of ``open_keys`` or a later one before the
    period's end (a won one went through every open stage; one with no open stage recorded
    at least entered the first), ``won``/``lost`` those won or lost within the period (a
    deal both won and lost there counts as won)."""

    reached: list[int]
    won: int
    lost: int


def stage_reach(
    conn: Connection,
    start: datetime,
    end: datetime,
    open_keys: Sequence[str],
    won_keys: Sequence[str],
    lost_keys: Sequence[str],
    owner_id: str | None = None,
) -> StageReach:
    """The live opportunities whose stage changed (or that were created) in ``[start, end)``,
    counted by the furthest open stage their history reached before ``end`` and by whether
    they were won or lost in the period."""
    h = opportunity_stage_history.c
    o = opportunities.c
    since, until = time_text(start), time_text(end)
    position = (
        case({key: n for n, key in enumerate(open_keys)}, value=h.to_stage, else_=None)
        if open_keys
        else literal(None)
    )
    in_period = h.changed_at >= since

    def flag(keys: Sequence[str]) -> ColumnElement[int]:
        if not keys:
            return literal(0)
        return func.max(case((and_(h.to_stage.in_(list(keys)), in_period), 1), else_=0))

    # For everyone, "not deleted" is a probe into the few deleted ids held in memory while
    # the history is read in index order (ix_stage_history_report), one group per
    # opportunity; one person's live ids are looked up in ix_opportunities_report. Both
    # avoid visiting each opportunity's row (a join did, at twice the cost).
    if owner_id is None:
        wanted = h.opportunity_id.not_in(select(o.id).where(o.deleted == 1))
    else:
        wanted = h.opportunity_id.in_(select(o.id).where(o.deleted == 0, o.owner_id == owner_id))
    per_opportunity = (
        select(
            func.coalesce(func.max(position), 0).label("furthest"),
            flag(won_keys).label("won"),
            flag(lost_keys).label("lost"),
        )
        .where(h.changed_at < until, wanted)
        .group_by(h.opportunity_id)
        .having(func.max(h.changed_at) >= since)
    ).subquery()
    # Added up in the same pass, one row out: grouping the per-opportunity rows by outcome
    # first sorted them all, two thirds of the query's time over 150,000 opportunities.
    won, lost, furthest = per_opportunity.c.won, per_opportunity.c.lost, per_opportunity.c.furthest
    reached = [
        func.sum(case((or_(won == 1, furthest >= n), 1), else_=0)) for n in range(1, len(open_keys))
    ]
    row = conn.execute(
        select(
            func.count(),
            func.sum(won),
            func.sum(case((and_(lost == 1, won == 0), 1), else_=0)),
            *reached,
        ).select_from(per_opportunity)
    ).one()
    counts = [int(v or 0) for v in row]
    return StageReach(
        reached=counts[:1] + counts[3:] if open_keys else [], won=counts[1], lost=counts[2]
    )


@dataclass(frozen=True, slots=True)
class OpenAmount:
    """Open opportunities closing in one month, in one currency at one probability."""

    month: str  # YYYY-MM; "" for no expected close date
    currency: str
    probability: int
    amount: Decimal  # their amounts added up, exactly
    count: int


#: Amounts SQLite can add up exactly: plain integers of up to 12 digits (a million of them
#: stay far below its 64-bit limit). Any other amount is added up in Python as a Decimal.
_WHOLE_AMOUNT = and_(
    opportunities.c.amount.op("NOT GLOB", is_comparison=True)("*[^0-9]*"),
    func.length(opportunities.c.amount).between(1, 12),
)


def open_amounts_by_month(
    conn: Connection, open_keys: Sequence[str], owner_id: str | None = None
) -> list[OpenAmount]:
    """The live opportunities in open stages, grouped by month of expected close, currency and
    probability, with their exact total amount. Money is never summed as floating point:
    whole amounts are summed as integers in SQL, the others read one by one."""
    o = opportunities.c
    month = func.coalesce(func.substr(o.expected_close, 1, 7), "")
    whole = _WHOLE_AMOUNT
    live = [o.deleted == 0, o.stage.in_(list(open_keys))]
    if owner_id is not None:
        live.append(o.owner_id == owner_id)
    whole_sum = func.sum(case((whole, cast(o.amount, Integer)), else_=0))
    others = func.sum(case((whole, 0), else_=1))
    # Grouped in the index's order (stage, then expected close day, currency, probability),
    # so without a sort; the days are folded into months here, a few thousand rows.
    grouped = (
        select(o.expected_close, o.currency, o.probability, whole_sum, func.count(), others)
        .where(*live)
        .group_by(o.stage, o.expected_close, o.currency, o.probability)
    )
    sums: dict[tuple[str, str, int], tuple[int, int]] = {}
    any_others = False
    for r in conn.execute(grouped):
        count, other = int(r[4]), int(r[5] or 0)
        any_others = any_others or other > 0
        if count > other:
            key = ((r[0] or "")[:7], str(r[1] or ""), int(r[2] or 0))
            total, counted = sums.get(key, (0, 0))
            sums[key] = (total + int(r[3] or 0), counted + count - other)
    out = [OpenAmount(*key, Decimal(total), count) for key, (total, count) in sums.items()]
    if not any_others:
        return out  # the common case: one pass over the index
    query = select(month, o.currency, o.probability, o.amount).where(*live, not_(whole))
    for r in conn.execute(query):
        try:
            amount = Decimal(str(r[3] or "0"))
        except InvalidOperation:
            continue  # not a number: counted nowhere rather than guessed
        out.append(OpenAmount(str(r[0]), str(r[1] or ""), int(r[2] or 0), amount, 1))
    return out


def activities_per_day(
    conn: Connection, start: datetime, end: datetime, owner_id: str | None = None
) -> list[tuple[str, str, int]]:
    """(author, UTC day YYYY-MM-DD, count) of the live activities started in ``[start, end)``.
    Days, not weeks: the week is folded in Python, cheaper than a date function per row.

    The whole days inside the period come from ``activity_day_counts`` (kept by triggers,
    revision 0013); only the period's first and last day, which it covers in part, are counted
    from the activities' time index."""
    since, until = time_text(start), time_text(end)
    first, last = since[:10], until[:10]
    c = activity_day_counts.c
    whole_days = select(c.author_id, c.day, c.count).where(c.day > first, c.day < last)
    if owner_id is not None:
        whole_days = whole_days.where(c.author_id == owner_id)
    rows = [(str(r[0]), str(r[1]), int(r[2])) for r in conn.execute(whole_days)]
    for day in dict.fromkeys((first, last)):
        # Text starting with ``day`` sorts from ``day`` to just before ``day`` with its last
        # character bumped, so the index range holds that one day's activities.
        after_day = day[:-1] + chr(ord(day[-1]) + 1)
        rows += _counted_in(conn, max(since, day), min(until, after_day), day, owner_id)
    return rows


def _counted_in(
    conn: Connection, since: str, until: str, day: str, owner_id: str | None
) -> list[tuple[str, str, int]]:
    """(author, ``day``, count) of the live activities started in ``[since, until)``, a part
    of ``day``, from ``ix_activities_start_at``."""
    a = activities.c
    query = (
        select(a.author_id, func.count())
        .where(a.deleted == 0, a.start_at >= since, a.start_at < until)
        .where(func.substr(a.start_at, 1, 10) == day)
        .group_by(a.author_id)
    )
    if owner_id is not None:
        query = query.where(a.author_id == owner_id)
    return [(str(r[0] or ""), day, int(r[1])) for r in conn.execute(query)]


#: Open follow-ups past due per author. Written out because it names its index: without
#: statistics SQLite takes the older partial index ``ix_activities_follow_up_open`` (same
#: condition), which lacks the author, and then visits every overdue activity's row.
_OVERDUE = (
    "SELECT author_id, count(*) FROM activities INDEXED BY ix_activities_overdue_report "
    "WHERE follow_up_done = 0 AND follow_up_at IS NOT NULL AND deleted = 0 "
    "AND follow_up_at < :now {owner} GROUP BY author_id"
)


def overdue_follow_ups(
    conn: Connection, now: datetime, owner_id: str | None = None
) -> list[tuple[str, int]]:
    """(author, count) of the open follow-ups due before ``now``, read from
    ``ix_activities_overdue_report`` alone."""
    query = text(_OVERDUE.format(owner="" if owner_id is None else "AND author_id = :owner"))
    rows = conn.execute(query, {"now": time_text(now), "owner": owner_id})
    return [(str(r[0] or ""), int(r[1])) for r in rows]
