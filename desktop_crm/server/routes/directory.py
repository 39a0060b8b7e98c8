"""Who is who: the user names behind the ids in records (owner, author, updated by)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from desktop_crm.protocol.messages import DirectoryResponse, DirectoryUser, Role
from desktop_crm.server import models as m
from desktop_crm.server.auth import CurrentUser
from desktop_crm.server.deps import DbDep
from desktop_crm.server.routes.auth import AUTH_ERRORS, INVALID_INPUT

router = APIRouter(tags=["directory"])


@router.get("/directory", responses={**AUTH_ERRORS, **INVALID_INPUT})
def directory(principal: CurrentUser, conn: DbDep) -> DirectoryResponse:
    """Every active user's id, name and role, for any signed-in user: a colleague's name on a
    record is not a secret inside the company, and a rep sees records other people touched
    (authors of calls, the manager who reassigned an account). Passwords, teams and devices are
    not included."""
    del principal  # only the sign-in matters
    rows = conn.execute(
        select(m.users.c.id, m.users.c.username, m.users.c.role)
        .where(m.users.c.active.is_(True))
        .order_by(m.users.c.username)
    ).all()
    return DirectoryResponse(
        users=[DirectoryUser(id=r.id, username=r.username, role=Role(r.role)) for r in rows]
    )
