"""Users, teams, devices and account assignments: the operations behind the admin CLI and the
admin routes. Each runs inside the caller's write transaction and keeps scope changes flowing
to clients (see :mod:`desktop_crm.server.scope`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from desktop_crm.domain.records import Entity
from desktop_crm.domain.shape import text_problem
from desktop_crm.protocol.messages import Role
from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event, hash_password
from desktop_crm.server.scope import ScopeChange, managers_of_team, reset_scope
from desktop_crm.server.store import server_edit
from desktop_crm.server.timeutil import iso, now


class DirectoryError(ValueError):
    """An admin operation that cannot be done; the message says why."""


#: The minimum password policy for ``admin create-user`` / ``admin set-password``: a length,
#: not a list of banned words. (The demo users' password "demo" is set by ``demo-data``, which
#: is demo mode by definition: see ``server/admin.py``.)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def check_password_policy(password: str) -> None:
    """Raise :class:`DirectoryError` for a password the policy refuses."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DirectoryError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DirectoryError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise DirectoryError("a password cannot be only spaces")


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str
    username: str
    role: Role
    team_id: str | None
    active: bool = True


def checked(what: str, value: str) -> str:
    """``value`` if the databases take it (:func:`desktop_crm.domain.shape.text_problem`: a
    command-line argument in a wrong encoding arrives with lone surrogates), else
    :class:`DirectoryError`."""
    problem = text_problem(value)
    if problem:
        raise DirectoryError(f"the {what} {problem}")
    return value


def find_user(conn: Connection, username: str) -> UserInfo:
    checked("user name", username)
    row = conn.execute(select(m.users).where(m.users.c.username == username)).first()
    if row is None:
        raise DirectoryError(f"no user named “{username}”")
    return UserInfo(row.id, row.username, Role(row.role), row.team_id, bool(row.active))


def user_by_id(conn: Connection, user_id: str) -> UserInfo | None:
    row = conn.execute(select(m.users).where(m.users.c.id == user_id)).first()
    if row is None:
        return None
    return UserInfo(row.id, row.username, Role(row.role), row.team_id, bool(row.active))


def find_team(conn: Connection, name: str) -> str:
    checked("team name", name)
    team_id = conn.scalar(select(m.teams.c.id).where(m.teams.c.name == name))
    if team_id is None:
        raise DirectoryError(f"no team named “{name}”")
    return str(team_id)


def create_team(conn: Connection, name: str, actor_id: str) -> str:
    name = checked("team name", name).strip()
    if not name:
        raise DirectoryError("a team needs a name")
    if conn.scalar(select(m.teams.c.id).where(m.teams.c.name == name)) is not None:
        raise DirectoryError(f"a team named “{name}” already exists")
    team_id = str(uuid.uuid4())
    conn.execute(insert(m.teams).values(id=team_id, name=name, created_at=iso(now())))
    audit_event(conn, actor_id, None, "team.create", {"name": name})
    return team_id


def create_user(
    conn: Connection,
    username: str,
    password: str,
    role: Role,
    actor_id: str,
    team: str | None = None,
) -> str:
    username = checked("user name", username).strip()
    if not username or len(username) > 100:
        raise DirectoryError("a user name has 1 to 100 characters")
    if not password:
        raise DirectoryError("a password is required")
    if conn.scalar(select(m.users.c.id).where(m.users.c.username == username)) is not None:
        raise DirectoryError(f"a user named “{username}” already exists")
    team_id = find_team(conn, team) if team else None
    user_id = str(uuid.uuid4())
    conn.execute(
        insert(m.users).values(
            id=user_id,
            username=username,
            password_hash=hash_password(password),
            role=role.value,
            team_id=team_id,
            active=True,
            created_at=iso(now()),
        )
    )
    audit_event(conn, actor_id, None, "user.create", {"username": username, "role": role.value})
    return user_id


def set_role(conn: Connection, username: str, role: Role, actor_id: str) -> None:
    user = find_user(conn, username)
    if user.role == role:
        return
    conn.execute(update(m.users).where(m.users.c.id == user.id).values(role=role.value))
    reset_scope(conn, user.id, actor_id)
    audit_event(conn, actor_id, None, "user.role", {"user": username, "role": role.value})


def set_team(conn: Connection, username: str, team: str | None, actor_id: str) -> None:
    user = find_user(conn, username)
    team_id = find_team(conn, team) if team else None
    if user.team_id == team_id:
        return
    accounts = list(
        conn.scalars(
            select(m.account_assignments.c.account_id).where(
                m.account_assignments.c.user_id == user.id
            )
        )
    )
    watchers = managers_of_team(conn, user.team_id) + managers_of_team(conn, team_id)
    change = ScopeChange(conn, [w for w in watchers if w != user.id], accounts, actor_id)
    conn.execute(update(m.users).where(m.users.c.id == user.id).values(team_id=team_id))
    change.finish()
    if user.role == Role.MANAGER:
        reset_scope(conn, user.id, actor_id)
    audit_event(conn, actor_id, None, "user.team", {"user": username, "team": team})


def set_password(conn: Connection, username: str, password: str, actor_id: str) -> None:
    """Change the password; the user's existing tokens stop working at once."""
    user = find_user(conn, username)
    conn.execute(
        update(m.users)
        .where(m.users.c.id == user.id)
        .values(password_hash=hash_password(password), token_version=m.users.c.token_version + 1)
    )
    audit_event(conn, actor_id, None, "user.password", {"user": username})


def set_active(conn: Connection, username: str, active: bool, actor_id: str) -> bool:
    """Disable or enable a user; False when it already was. A disabled user's tokens are
    refused (403) from the next request on, and it cannot sign in; its devices, accounts and
    records stay as they are. Disabling raises the token version, so enabling again does not
    bring the old tokens back: the user signs in anew."""
    row = conn.execute(
        select(m.users.c.id, m.users.c.active).where(m.users.c.username == username)
    ).first()
    if row is None:
        raise DirectoryError(f"no user named “{username}”")
    if bool(row.active) == active:
        return False
    values: dict[str, Any] = {"active": active}
    if not active:
        values["token_version"] = m.users.c.token_version + 1
    conn.execute(update(m.users).where(m.users.c.id == row.id).values(**values))
    action = "user.enable" if active else "user.disable"
    audit_event(conn, actor_id, None, action, {"user": username})
    return True


def owner_of(conn: Connection, account_id: str) -> str | None:
    value = conn.scalar(
        select(m.account_assignments.c.user_id).where(
            m.account_assignments.c.account_id == account_id
        )
    )
    return None if value is None else str(value)


def set_assignment(
    conn: Connection,
    account_id: str,
    user_id: str | None,
    actor_id: str,
    *,
    announce: bool = True,
) -> tuple[int, int]:
    """Point an account at a new owner (None: unassigned) and tell affected clients.

    Does not edit the account record itself; see :func:`assign` for that. ``announce=False``
    for an account created in the same transaction, which nobody can have seen yet."""
    old = owner_of(conn, account_id)
    if old == user_id:
        return 0, 0
    affected: list[str] = []
    for uid in (old, user_id):
        if uid is None:
            continue
        affected.append(uid)
        info = user_by_id(conn, uid)
        if info is not None:
            affected += managers_of_team(conn, info.team_id)
    change = ScopeChange(conn, affected if announce else [], [account_id], actor_id)
    if user_id is None:
        conn.execute(
            delete(m.account_assignments).where(m.account_assignments.c.account_id == account_id)
        )
    elif old is None:
        conn.execute(
            insert(m.account_assignments).values(
                account_id=account_id, user_id=user_id, assigned_at=iso(now()), assigned_by=actor_id
            )
        )
    else:
        conn.execute(
            update(m.account_assignments)
            .where(m.account_assignments.c.account_id == account_id)
            .values(user_id=user_id, assigned_at=iso(now()), assigned_by=actor_id)
        )
    audit_event(
        conn,
        actor_id,
        None,
        "account.assign",
        {"from": old, "to": user_id},
        entity=Entity.ACCOUNT,
        record_id=account_id,
    )
    return change.finish()


def assign(conn: Connection, account_id: str, user_id: str | None, actor_id: str) -> None:
    """Assign an account and record the new owner in the account itself (a server-side edit)."""
    checked("account id", account_id)
    if (
        conn.scalar(
            select(m.records.c.id).where(
                m.records.c.entity == Entity.ACCOUNT, m.records.c.id == account_id
            )
        )
        is None
    ):
        raise DirectoryError(f"no account with id {account_id}")
    server_edit(conn, Entity.ACCOUNT, account_id, {"owner_id": user_id or ""}, actor_id)
    set_assignment(conn, account_id, user_id, actor_id)


def reassign_all(conn: Connection, from_user: str, to_user: str, actor_id: str) -> int:
    source, target = find_user(conn, from_user), find_user(conn, to_user)
    accounts = list(
        conn.scalars(
            select(m.account_assignments.c.account_id)
            .where(m.account_assignments.c.user_id == source.id)
            .order_by(m.account_assignments.c.account_id)
        )
    )
    for account_id in accounts:
        assign(conn, account_id, target.id, actor_id)
    return len(accounts)


def list_devices(conn: Connection, username: str | None = None) -> list[dict[str, Any]]:
    query = (
        select(
            m.devices.c.id,
            m.users.c.username,
            m.devices.c.name,
            m.devices.c.replica_id,
            m.devices.c.created_at,
            m.devices.c.last_seen_at,
            m.devices.c.revoked_at,
        )
        .join(m.users, m.users.c.id == m.devices.c.user_id)
        .order_by(m.users.c.username, m.devices.c.created_at)
    )
    if username is not None:
        query = query.where(m.users.c.username == username)
    return [dict(row._mapping) for row in conn.execute(query)]


def revoke_device(conn: Connection, device_id: str, actor_id: str) -> None:
    checked("device id", device_id)
    row = conn.execute(select(m.devices).where(m.devices.c.id == device_id)).first()
    if row is None:
        raise DirectoryError(f"no device with id {device_id}")
    if row.revoked_at is not None:
        return
    conn.execute(
        update(m.devices)
        .where(m.devices.c.id == device_id)
        .values(revoked_at=iso(now()), revoked_by=actor_id)
    )
    audit_event(conn, actor_id, None, "device.revoke", {"device": device_id, "user": row.user_id})
