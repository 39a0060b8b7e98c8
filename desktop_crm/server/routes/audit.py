"""``GET /admin/audit``: the audit trail for administrators (everything) and managers (the
entries of their own team's members). Other roles get 404, like everything out of scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy import select

from desktop_crm.protocol.audit import (
    DEFAULT_AUDIT_PAGE,
    MAX_AUDIT_PAGE,
    AuditEntry,
    AuditPage,
    AuditSince,
)
from desktop_crm.protocol.messages import Role, WireText
from desktop_crm.server import admin, audit
from desktop_crm.server import models as m
from desktop_crm.server.deps import DbDep
from desktop_crm.server.routes.admin import NOT_FOUND, ManagerOrAdmin

router = APIRouter(tags=["admin"])


@router.get("/admin/audit", responses=NOT_FOUND)
def read_audit(
    principal: ManagerOrAdmin,
    conn: DbDep,
    user: Annotated[WireText | None, Query(max_length=100)] = None,
    record: Annotated[WireText | None, Query(max_length=64)] = None,
    since: Annotated[AuditSince | None, Query()] = None,
    action: Annotated[WireText | None, Query(max_length=40)] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE)] = DEFAULT_AUDIT_PAGE,
) -> AuditPage:
    """Audit entries, newest first. ``since``: an ISO-8601 date or time (422 otherwise);
    ``user``: a user name (404 when there is none, or, for a manager, not in their team);
    ``action``: an action or its family (``user`` finds ``user.role``, ``user.team``, …)."""
    with conn.begin():
        try:
            flt = admin.audit_filter(
                conn,
                username=user,
                record_id=record,
                since=None if since is None else since.isoformat(),
                action=action,
                limit=limit,
            )
        except audit.AuditQueryError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        if principal.role == Role.MANAGER:
            team: set[str] = set()
            if principal.team_id is not None:
                team = set(
                    conn.scalars(select(m.users.c.id).where(m.users.c.team_id == principal.team_id))
                )
            team.add(principal.user_id)
            if flt.user_id is not None and flt.user_id not in team:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "No such user in your team.")
            flt = replace(flt, actors=frozenset(team))
        flt = replace(flt, before_id=before_id)
        rows = audit.list_entries(conn, flt)
    entries = [AuditEntry(**row) for row in rows]
    more = len(entries) == flt.limit and entries[-1].id > 1
    return AuditPage(entries=entries, next_before_id=entries[-1].id if more else None)
