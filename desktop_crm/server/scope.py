"""Who may see which accounts, and how scope changes reach the clients.

- rep: accounts assigned to them (and every record under them);
- manager: accounts assigned to members of their team (themselves included);
- service desk: every account, with the configured fields masked;
- admin: everything.

When an admin operation changes who sees an account, :class:`ScopeChange` compares visibility
before and after: each user who lost an account gets a "scope" entry in the change log (the pull
turns it into removals), and an account someone gained has its records re-queued in the feed
(:func:`store.touch_account`). A wholesale change (a new role, a manager changing team) sets the
user's ``scope_reset_seq`` instead, and their next pull asks for a fresh snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, bindparam, select, update

from desktop_crm.domain.records import Entity
from desktop_crm.protocol.messages import Role
from desktop_crm.server import models as m
from desktop_crm.server import tag_store
from desktop_crm.server.auth import Principal
from desktop_crm.server.settings import Settings
from desktop_crm.server.store import Masks, allocate_seq, touch_account
from desktop_crm.server.timeutil import now

ALL_ROLES = (Role.ADMIN, Role.SERVICE_DESK)


def _scoped_accounts(role: Role, user_id: str, team_id: str | None) -> Select[Any] | None:
    """The ids of the accounts the user sees, as a subquery; None means every account."""
    if role in ALL_ROLES:
        return None
    if role == Role.MANAGER and team_id is not None:
        members = select(m.users.c.id).where(m.users.c.team_id == team_id)
        return select(m.account_assignments.c.account_id).where(
            m.account_assignments.c.user_id.in_(members)
        )
    return select(m.account_assignments.c.account_id).where(
        m.account_assignments.c.user_id == user_id
    )


def scoped_accounts(principal: Principal) -> Select[Any] | None:
    """The ids of the accounts the caller sees, as a subquery; None means every account."""
    return _scoped_accounts(principal.role, principal.user_id, principal.team_id)


def account_filter(
    principal: Principal, *, correlated: bool = False, from_account: str | None = None
) -> ColumnElement[bool] | None:
    """A WHERE clause on ``records.account_id`` for the caller's scope.

    ``correlated``: an EXISTS per row instead of ``IN (subquery)``, for queries driven by
    another index (the pull walks ``change_seq``; with ``IN`` the planners preferred to
    enumerate the whole scope through the account index and sort).

    ``from_account``: the query only wants accounts from this id on (a snapshot page); saying
    so lets the planners start the scope's side there too instead of at the first account,
    which made every later page slower than the one before."""
    accounts = _scoped_accounts(principal.role, principal.user_id, principal.team_id)
    if accounts is None:
        # Everything but the archive: archived accounts are unassigned, so the other roles
        # lose them with their assignment (:mod:`server.archive`).
        archived = select(m.archived_accounts.c.account_id)
        if not correlated:
            return m.records.c.account_id.not_in(archived)
        return ~archived.where(m.archived_accounts.c.account_id == m.records.c.account_id).exists()
    if from_account is not None:
        accounts = accounts.where(m.account_assignments.c.account_id >= from_account)
    if not correlated:
        return m.records.c.account_id.in_(accounts)
    return accounts.where(m.account_assignments.c.account_id == m.records.c.account_id).exists()


_OWNER_OF_ACCOUNT = (
    select(m.account_assignments.c.user_id, m.users.c.team_id)
    .join(m.users, m.users.c.id == m.account_assignments.c.user_id)
    .where(m.account_assignments.c.account_id == bindparam("account_id"))
)
_OWNERS_OF_ACCOUNTS = (
    select(m.account_assignments.c.account_id, m.account_assignments.c.user_id, m.users.c.team_id)
    .join(m.users, m.users.c.id == m.account_assignments.c.user_id)
    .where(m.account_assignments.c.account_id.in_(bindparam("ids", expanding=True)))
)


def _owner_visible(principal: Principal, owner_id: str, owner_team_id: str | None) -> bool:
    if owner_id == principal.user_id:
        return True
    return (
        principal.role == Role.MANAGER
        and principal.team_id is not None
        and owner_team_id == principal.team_id
    )


def can_see_account(conn: Connection, principal: Principal, account_id: str) -> bool:
    if principal.role in ALL_ROLES:
        return True
    owner = conn.execute(_OWNER_OF_ACCOUNT, {"account_id": account_id}).first()
    if owner is None:
        return False
    return _owner_visible(principal, owner.user_id, owner.team_id)


def can_see_accounts(
    conn: Connection, principal: Principal, account_ids: Iterable[str], chunk: int = 500
) -> dict[str, bool]:
    """:func:`can_see_account` for many accounts in a few queries."""
    ids = sorted(set(account_ids))
    if principal.role in ALL_ROLES:
        return dict.fromkeys(ids, True)
    seen = dict.fromkeys(ids, False)
    for start in range(0, len(ids), chunk):
        rows = conn.execute(_OWNERS_OF_ACCOUNTS, {"ids": ids[start : start + chunk]})
        for account_id, owner_id, team_id in rows:
            seen[account_id] = _owner_visible(principal, owner_id, team_id)
    return seen


def masks_for(principal: Principal, settings: Settings) -> Masks:
    if principal.role != Role.SERVICE_DESK:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for entity, field_name in sorted(settings.masked_fields):
        out[entity] = (*out.get(entity, ()), field_name)
    return out


def masked_names(principal: Principal, settings: Settings) -> list[str]:
    return [f"{e}.{f}" for e, names in masks_for(principal, settings).items() for f in names]


# Scope changes -------------------------------------------------------------------------------


def _user_row(conn: Connection, user_id: str) -> Any:
    return conn.execute(
        select(m.users.c.id, m.users.c.role, m.users.c.team_id).where(m.users.c.id == user_id)
    ).first()


def visible_accounts(
    conn: Connection, user_id: str, among: Iterable[str] | None = None
) -> set[str] | None:
    """Account ids the user sees now (None: all), optionally only among ``among``."""
    user = _user_row(conn, user_id)
    if user is None:
        return set()
    query = _scoped_accounts(Role(user.role), user.id, user.team_id)
    if query is None:
        return None
    if among is not None:
        query = query.where(m.account_assignments.c.account_id.in_(list(among)))
    return set(conn.scalars(query))


def managers_of_team(conn: Connection, team_id: str | None) -> list[str]:
    if team_id is None:
        return []
    return list(
        conn.scalars(
            select(m.users.c.id).where(
                m.users.c.team_id == team_id, m.users.c.role == Role.MANAGER.value
            )
        )
    )


class ScopeChange:
    """Record visibility of ``accounts`` for ``users`` before an admin operation; call
    :meth:`finish` after it to log removals and re-queue gained accounts."""

    def __init__(
        self, conn: Connection, users: Iterable[str], accounts: Iterable[str], actor_id: str
    ) -> None:
        self.conn = conn
        self.users = sorted(set(users))
        self.accounts = sorted(set(accounts))
        self.actor_id = actor_id
        self.before = {u: self._visible(u) for u in self.users}

    def _visible(self, user_id: str) -> set[str]:
        seen = visible_accounts(self.conn, user_id, self.accounts)
        return set(self.accounts) if seen is None else seen

    def finish(self) -> tuple[int, int]:
        """Returns (removal entries logged, records re-queued)."""
        gained: set[str] = set()
        lost_count = 0
        for user_id in self.users:
            after = self._visible(user_id)
            for account_id in sorted(self.before[user_id] - after):
                allocate_seq(
                    self.conn,
                    kind="scope",
                    entity=Entity.ACCOUNT,
                    record_id=account_id,
                    account_id=account_id,
                    actor_id=self.actor_id,
                    user_id=user_id,
                )
                lost_count += 1
            gained |= after - self.before[user_id]
        touched = sum(touch_account(self.conn, a, self.actor_id) for a in sorted(gained))
        tag_store.bump(self.conn, gained, now())  # their system tags are re-sent too
        return lost_count, touched


def reset_scope(conn: Connection, user_id: str, actor_id: str) -> None:
    """The user's scope changed wholesale: their next pull asks for a fresh snapshot."""
    seq = allocate_seq(
        conn,
        kind="reset",
        entity="user",
        record_id=user_id,
        account_id="",
        actor_id=actor_id,
        user_id=user_id,
    )
    conn.execute(update(m.users).where(m.users.c.id == user_id).values(scope_reset_seq=seq))
