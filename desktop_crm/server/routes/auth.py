"""Sign-in and the caller's own session."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select

from desktop_crm.protocol.client_version import (
    CLIENT_TOO_OLD_STATUS,
    is_too_old,
    too_old_message,
)
from desktop_crm.protocol.messages import ErrorBody, LoginRequest, LoginResponse, MeResponse
from desktop_crm.server import auth, db, throttle
from desktop_crm.server import models as m
from desktop_crm.server.auth import CurrentUser
from desktop_crm.server.deps import DbDep, SettingsDep
from desktop_crm.server.scope import masked_names

router = APIRouter(tags=["auth"])

AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Missing, invalid or expired token"},
    403: {"model": ErrorBody, "description": "Device revoked or user disabled"},
}
#: Every route: invalid parameters or body, and unknown query parameters
#: (``errors.reject_unknown_query``), are answered by ``errors.validation_error`` with one
#: readable ``detail``, not FastAPI's list of errors.
INVALID_INPUT: dict[int | str, dict[str, object]] = {
    422: {"model": ErrorBody, "description": "Invalid parameters or body; detail says which"},
}
#: Every route with a JSON body, also.
BODY_ERRORS: dict[int | str, dict[str, object]] = {
    **INVALID_INPUT,
    400: {"model": ErrorBody, "description": "The body is not valid JSON"},
    413: {"model": ErrorBody, "description": "The body is over the server's size limit"},
}


@router.post(
    "/auth/login",
    responses={
        **AUTH_ERRORS,
        **BODY_ERRORS,
        429: {
            "model": ErrorBody,
            "description": "Too many failed sign-ins for this user name or from this address; "
            "the Retry-After header gives the seconds to wait",
        },
        CLIENT_TOO_OLD_STATUS: {
            "model": ErrorBody,
            "description": "The client is older than the server's minimum client version "
            "(or names none while a minimum is set); detail says which version to install",
        },
    },
)
def login(
    body: LoginRequest, request: Request, conn: DbDep, settings: SettingsDep
) -> LoginResponse:
    """Sign in. Without ``device_id`` this registers a device and mints its replica id, or,
    given an ``installation_id`` this user signed in from before, finds that device again."""
    if is_too_old(body.client_version, settings.min_client_version):
        # Before the password check: an old build learns what to install, and no sign-in
        # attempt is counted against the user.
        raise HTTPException(
            CLIENT_TOO_OLD_STATUS, too_old_message(settings.min_client_version or "")
        )
    address = request.client.host if request.client is not None else None
    attempt = throttle.Attempt.of(settings, body.username, address)
    attempt.charge(conn)  # 429 once a limit is reached; counts a failure until refunded
    try:
        with conn.begin():  # read-only: Argon2 must not hold SQLite's write lock
            user = auth.check_password(conn, body)  # 401: the charge stands
    except auth.WrongCredentials:
        with db.short_write(conn):
            auth.audit_failed_sign_in(conn, body.username)
        raise
    if attempt.limits:
        with db.short_write(conn):  # committed even if the device is refused below
            attempt.refund(conn)
    with db.short_write(conn):
        return auth.open_session(conn, settings, body, user)


@router.get("/me", responses={**AUTH_ERRORS, **INVALID_INPUT})
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
