"""Archiving inactive accounts (``admin archive``, the archive API) and restoring them.

An account is archivable when it, and everything under it, has not changed for the given age,
no activity under it is that recent (or planned), and none of its opportunities is open.
Archiving takes the account from its owner (its assignment goes, the owner is kept in
``archived_accounts``): through the ordinary scope change (:class:`server.scope.ScopeChange`)
it leaves the replicas of the owner and their managers at their next pull, which pushes the
edits they still hold first and parks those the server refuses. The records stay on the
server, are found by :func:`search` ("Search the archive" in the app), and :func:`restore`
gives the account back to its owner, whose next pull brings it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, select

from desktop_crm.domain.records import Entity
from desktop_crm.domain.shape import text_problem
from desktop_crm.protocol.messages import Role
from desktop_crm.protocol.privacy import AGE_PATTERN
from desktop_crm.server import models as m
from desktop_crm.server.auth import Principal, audit_event
from desktop_crm.server.config_store import load_stages
from desktop_crm.server.directory import owner_of, set_assignment, user_by_id
from desktop_crm.server.scope import ALL_ROLES
from desktop_crm.server.store import allocate_seq, touch_account
from desktop_crm.server.timeutil import iso, now

DEFAULT_AGE = "2y"
_AGE = re.compile(AGE_PATTERN)
_DAYS = {"y": 365, "m": 30, "w": 7, "d": 1}


class ArchiveError(ValueError):
    """An archive request that cannot be done as asked."""


class ArchiveNotFound(LookupError):
    """No such account, or not archived (or not visible to the caller)."""


def parse_age(text: str) -> timedelta:
    """``"2y"``, ``"18m"``, ``"6w"``, ``"90d"`` as a span of time (a year is 365 days)."""
    match = _AGE.match(text or "")
    if match is None:
        raise ArchiveError(
            f"“{text}” is not an age: write a number and y, m, w or d (for example 2y)"
        )
    return timedelta(days=int(match.group(1)) * _DAYS[match.group(2).lower()])


def archived_ids(conn: Connection) -> set[str]:
    return set(conn.scalars(select(m.archived_accounts.c.account_id)))


def archived_for(conn: Connection, user_id: str, account_ids: Iterable[str]) -> set[str]:
    """Which of ``account_ids`` are archived with ``user_id`` as their owner."""
    ids = sorted(set(account_ids))
    return set(
        conn.scalars(
            select(m.archived_accounts.c.account_id).where(
                m.archived_accounts.c.owner_id == user_id,
                m.archived_accounts.c.account_id.in_(ids),
            )
        )
    )


def candidates(conn: Connection, age: timedelta, at: datetime | None = None) -> list[str]:
    """The live accounts quiet for ``age``: nothing under them changed since, no activity
    since (nor planned), no open opportunity."""
    cutoff = iso((at or now()) - age)
    quiet = (
        select(m.records.c.account_id)
        .group_by(m.records.c.account_id)
        .having(func.max(m.records.c.updated_at) < cutoff)
    )
    accounts = set(
        conn.scalars(
            select(m.records.c.id).where(
                m.records.c.entity == Entity.ACCOUNT.value,
                m.records.c.deleted.is_(False),
                m.records.c.id.in_(quiet),
            )
        )
    ) - archived_ids(conn)
    if not accounts:
        return []
    closed = {s.key for s in load_stages(conn) if s.is_closed}
    busy: set[str] = set()
    rows = conn.execute(
        select(m.records.c.entity, m.records.c.account_id, m.records.c.data).where(
            m.records.c.entity.in_([Entity.ACTIVITY.value, Entity.OPPORTUNITY.value]),
            m.records.c.deleted.is_(False),
            m.records.c.account_id.in_(sorted(accounts)),
        )
    ).all()
    for entity, account_id, text in rows:
        data = json.loads(text)
        if entity == Entity.OPPORTUNITY.value and data.get("stage") not in closed:
            busy.add(account_id)
        elif entity == Entity.ACTIVITY.value and str(data.get("start_at") or "") >= cutoff:
            busy.add(account_id)
    return sorted(accounts - busy)


@dataclass(frozen=True, slots=True)
class ArchiveReport:
    accounts: list[str]
    dry_run: bool


def archive_inactive(
    conn: Connection, age: timedelta, actor_id: str, *, dry_run: bool = False
) -> ArchiveReport:
    found = candidates(conn, age)
    if not dry_run:
        for account_id in found:
            archive_account(conn, account_id, actor_id)
    return ArchiveReport(found, dry_run)


def _live_account(conn: Connection, account_id: str) -> bool:
    return (
        conn.scalar(
            select(m.records.c.id).where(
                m.records.c.entity == Entity.ACCOUNT.value,
                m.records.c.id == account_id,
                m.records.c.deleted.is_(False),
            )
        )
        is not None
    )


def archive_account(conn: Connection, account_id: str, actor_id: str) -> None:
    """Archive one account now (whatever its activity: an administrator's decision)."""
    if text_problem(account_id) or not _live_account(conn, account_id):
        raise ArchiveNotFound(account_id)
    if account_id in archived_ids(conn):
        raise ArchiveError(f"account {account_id} is already archived")
    owner = owner_of(conn, account_id)
    conn.execute(
        m.archived_accounts.insert().values(
            account_id=account_id, owner_id=owner, archived_at=iso(now()), archived_by=actor_id
        )
    )
    set_assignment(conn, account_id, None, actor_id)
    for user_id in _seeing_everything(conn):
        # They see every account, so the assignment did not decide: tell them directly.
        allocate_seq(
            conn,
            kind="scope",
            entity=Entity.ACCOUNT,
            record_id=account_id,
            account_id=account_id,
            actor_id=actor_id,
            user_id=user_id,
        )
    audit_event(
        conn,
        actor_id,
        None,
        "account.archive",
        {"owner": owner},
        entity=Entity.ACCOUNT.value,
        record_id=account_id,
    )


def _seeing_everything(conn: Connection) -> list[str]:
    roles = [r.value for r in ALL_ROLES]
    return list(
        conn.scalars(select(m.users.c.id).where(m.users.c.role.in_(roles)).order_by(m.users.c.id))
    )


def _archived_row(conn: Connection, account_id: str) -> Any:
    return conn.execute(
        select(m.archived_accounts).where(m.archived_accounts.c.account_id == account_id)
    ).first()


def restore(conn: Connection, account_id: str, actor_id: str) -> str | None:
    """Give an archived account back to its owner (their next pull brings it back). Returns
    the owner's id (None: the owner is gone; the account stays unassigned)."""
    row = None if text_problem(account_id) else _archived_row(conn, account_id)
    if row is None:
        raise ArchiveNotFound(account_id)
    owner = row.owner_id
    info = user_by_id(conn, owner) if owner else None
    conn.execute(delete(m.archived_accounts).where(m.archived_accounts.c.account_id == account_id))
    touched = set_assignment(conn, account_id, owner, actor_id)[1] if info is not None else 0
    if not touched:
        # Nobody gained it by the assignment: re-queue its records for those who see
        # everything (the owner's gain re-queues them otherwise).
        touch_account(conn, account_id, actor_id)
    audit_event(
        conn,
        actor_id,
        None,
        "account.restore",
        {"owner": owner if info is not None else None},
        entity=Entity.ACCOUNT.value,
        record_id=account_id,
    )
    return owner if info is not None else None


@dataclass(frozen=True, slots=True)
class ArchivedAccount:
    id: str
    name: str
    owner_id: str | None
    archived_at: str


def _may_see(principal: Principal, owner_id: str | None, owner_team: str | None) -> bool:
    if principal.role in (Role.ADMIN, Role.SERVICE_DESK):
        return True
    if owner_id == principal.user_id:
        return True
    return (
        principal.role == Role.MANAGER
        and principal.team_id is not None
        and (owner_team == principal.team_id)
    )


def search(
    conn: Connection, principal: Principal, text: str, limit: int = 50
) -> list[ArchivedAccount]:
    """Archived accounts whose name contains ``text`` (any case) that the caller would see if
    they were not archived (their owner is the caller, or in a manager's team)."""
    needle = text.strip().casefold()
    rows = conn.execute(
        select(
            m.archived_accounts.c.account_id,
            m.archived_accounts.c.owner_id,
            m.archived_accounts.c.archived_at,
            m.records.c.data,
            m.users.c.team_id,
        )
        .join(
            m.records,
            (m.records.c.entity == Entity.ACCOUNT.value)
            & (m.records.c.id == m.archived_accounts.c.account_id),
        )
        .outerjoin(m.users, m.users.c.id == m.archived_accounts.c.owner_id)
        .order_by(m.archived_accounts.c.account_id)
    ).all()
    out: list[ArchivedAccount] = []
    for account_id, owner_id, archived_at, data, team_id in rows:
        name = str(json.loads(data).get("name") or "")
        if needle in name.casefold() and _may_see(principal, owner_id, team_id):
            out.append(ArchivedAccount(account_id, name, owner_id, archived_at))
    out.sort(key=lambda a: (a.name.casefold(), a.id))
    return out[:limit]
