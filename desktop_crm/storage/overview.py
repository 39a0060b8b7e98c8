"""Read-side queries for the window's lists and the pipeline: filter choices, opportunity
amounts by stage, open opportunities, account names, and the activity count a stage rule needs.

All functions take an open Connection and hide tombstones.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from desktop_crm.domain.records import Opportunity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import system_tags
from desktop_crm.storage.configuration import status_choices
from desktop_crm.storage.schema import (
    accounts,
    activities,
    opportunities,
    opportunity_stage_history,
)

#: How many distinct tag lists are read to offer the tag filter (a bound, not a guarantee).
TAG_LISTS_READ = 2000
#: Ids per ``IN (…)`` list: well under SQLite's limit on bound parameters.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ListChoices:
    """What the account list's filters offer."""

    statuses: list[tuple[str, str]]
    owners: list[str]
    tags: list[str]
    #: The system tags (computed by the server's rules) some account carries.
    system_tags: list[str] = field(default_factory=list)


def list_choices(conn: Connection) -> ListChoices:
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
        select(accounts.c.tags).where(accounts.c.deleted == 0).distinct().limit(TAG_LISTS_READ)
    ):
        for tag in json.loads(text or "[]"):
            tag_counts[str(tag)] += 1
    return ListChoices(status_choices(conn), owners, sorted(tag_counts), system_tags.names(conn))


def opportunity_amounts(conn: Connection) -> list[tuple[str, str, str]]:
    """(stage, amount as text, currency) of every live opportunity."""
    o = opportunities.c
    rows = conn.execute(select(o.stage, o.amount, o.currency).where(o.deleted == 0))
    return [(str(r[0]), str(r[1] or "0"), str(r[2] or "")) for r in rows]


def recent_opportunities(
    conn: Connection, stage_keys: Collection[str], limit: int
) -> list[Opportunity]:
    """The live opportunities in these stages, most recently changed first."""
    o = opportunities.c
    ids = [
        str(r[0])
        for r in conn.execute(
            select(o.id)
            .where(o.deleted == 0, o.stage.in_(list(stage_keys)))
            .order_by(o.updated_at.desc())
            .limit(limit)
        )
    ]
    found = store.opportunities.get_many(conn, ids)
    return [found[i] for i in ids if i in found]


def account_names(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Account id -> name, for the ids that name an account in the replica (live or not: a
    label for a record that points at it)."""
    wanted = sorted(set(ids))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = conn.execute(select(accounts.c.id, accounts.c.name).where(accounts.c.id.in_(chunk)))
        out.update({str(r[0]): str(r[1]) for r in rows})
    return out


def activities_since_stage_change(conn: Connection, opportunity: Opportunity) -> int:
    """Live activities logged for the opportunity after its last stage change (all of them if
    it never changed stage here)."""
    h = opportunity_stage_history.c
    last = conn.execute(
        select(func.max(h.changed_at)).where(h.opportunity_id == opportunity.meta.id)
    ).scalar()
    a = activities.c
    query = (
        select(func.count())
        .select_from(activities)
        .where(a.opportunity_id == opportunity.meta.id, a.deleted == 0)
    )
    if last:
        since = datetime.fromisoformat(str(last))
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        query = query.where(a.start_at > since.astimezone(UTC).isoformat())
    return int(conn.execute(query).scalar_one())
