"""Sign-in and the caller's own session."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from desktop_crm.server import auth
from desktop_crm.server import models as m
from desktop_crm.server.auth import CurrentUser
from desktop_crm.server.deps import DbDep, SettingsDep
from desktop_crm.server.scope import masked_names
from desktop_crm.sync.protocol import ErrorBody, LoginRequest, LoginResponse, MeResponse

router = APIRouter(tags=["auth"])

AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or expired token"},
    403: {"model": ErrorBody, "description": "Device revoked or user disabled"},
}


@router.post("/auth/login", responses=AUTH_ERRORS)
def login(body: LoginRequest, conn: DbDep, settings: SettingsDep) -> LoginResponse:
    """Sign in. Without ``device_id`` this registers a new device and mints its replica id."""
    with conn.begin():
        return auth.login(conn, settings, body)


@router.get("/me", responses=AUTH_ERRORS)
def me(principal: CurrentUser, conn: DbDep, settings: SettingsDep) -> MeResponse:
    """Who the token belongs to, on which device, and which fields are masked for them."""
    with conn.begin():
        team = None
        if principal.team_id is not None:
            team = conn.scalar(select(m.teams.c.name).where(m.teams.c.id == principal.team_id))
    return MeResponse(
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role,
        team=team,
        device_id=principal.device_id,
        replica_id=principal.replica_id,
        masked_fields=masked_names(principal, settings),
    )
