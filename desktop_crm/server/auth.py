"""Passwords, bearer tokens, devices, and the request's principal.

Tokens are HMAC-SHA256-signed, expiring, and bound to a device: ``v1.<payload>.<signature>``
with a base64url JSON payload ``{"u": user id, "d": device id, "e": expiry (unix seconds),
"v": the user's token version}``. The server stays stateless (any worker can check any token),
but every request also loads the device and user (one prebuilt query on its own short
transaction), so revoking a device, disabling a user or changing their password (which raises
``users.token_version``: the token's ``v`` no longer matches) takes effect on the next request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Row, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from desktop_crm.domain.shape import text_problem
from desktop_crm.protocol.messages import LoginRequest, LoginResponse, Role
from desktop_crm.server import audit
from desktop_crm.server import models as m
from desktop_crm.server.deps import EngineDep, SettingsDep
from desktop_crm.server.settings import Settings
from desktop_crm.server.timeutil import iso, now

_hasher = PasswordHasher()
#: Verified against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not a password")


def configure_hasher(hasher: PasswordHasher) -> None:
    """Swap the Argon2 parameters (tests use cheap ones)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not a password")


def hash_password(password: str) -> str:
    problem = text_problem(password)
    if problem:  # Argon2 hashes the UTF-8 bytes: a lone surrogate has none
        raise ValueError(f"the password {problem}")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the signed-in user on one device."""

    user_id: str
    username: str
    role: Role
    team_id: str | None
    device_id: str
    replica_id: str


class AuthError(HTTPException):
    def __init__(self, detail: str, code: int = status.HTTP_401_UNAUTHORIZED) -> None:
        headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
        super().__init__(status_code=code, detail=detail, headers=headers)


class WrongCredentials(AuthError):
    """Unknown user name or wrong password (one answer for both)."""

    def __init__(self) -> None:
        super().__init__("Wrong user name or password.")


# Tokens ----------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def mint_token(
    settings: Settings, user_id: str, device_id: str, token_version: int = 0
) -> tuple[str, datetime]:
    # Rounded up: a token lives at least its whole time to live.
    expires = math.ceil(time.time() + settings.token_ttl.total_seconds())
    claims = {"u": user_id, "d": device_id, "e": expires, "v": token_version}
    body = json.dumps(claims, separators=(",", ":"))
    payload = _b64(body.encode())
    token = f"v1.{payload}.{_sign(settings.secret_key, payload)}"
    return token, datetime.fromtimestamp(expires, UTC)


def read_token(settings: Settings, token: str) -> tuple[str, str, int]:
    """Check signature and expiry; return ``(user_id, device_id, token_version)``.

    A token without ``v`` (minted before revision 0005) reads as version 0, which every user
    had then: it works until it expires, unless the password was changed since."""
    parts = token.split(".")
    # Tokens this server mints are ASCII; a header may carry any byte (read as Latin-1).
    if not token.isascii() or len(parts) != 3 or parts[0] != "v1":
        raise AuthError("The access token is malformed. Sign in again.")
    payload, signature = parts[1], parts[2]
    if not hmac.compare_digest(_sign(settings.secret_key, payload), signature):
        raise AuthError("The access token is not valid. Sign in again.")
    try:
        claims = json.loads(_unb64(payload))
        user_id, device_id, expires = str(claims["u"]), str(claims["d"]), int(claims["e"])
        token_version = int(claims.get("v", 0))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise AuthError("The access token is malformed. Sign in again.") from None
    if expires <= time.time():
        raise AuthError("The access token has expired. Sign in again.")
    return user_id, device_id, token_version


# Sign-in ---------------------------------------------------------------------------------------


def check_password(conn: Connection, request: LoginRequest) -> Row[Any]:
    """The user named in ``request`` if the password is right; :class:`WrongCredentials` for a
    wrong password and for an unknown user alike (the same answer, and the same Argon2 work)."""
    user = None
    if "\x00" not in request.username:
        user = conn.execute(select(m.users).where(m.users.c.username == request.username)).first()
    if user is None:
        verify_password(_DUMMY_HASH, request.password)
        raise WrongCredentials()
    if not verify_password(user.password_hash, request.password):
        raise WrongCredentials()
    return user


#: The actor of an audit entry for a sign-in with an unknown user name.
UNKNOWN_ACTOR = "unknown"


def audit_failed_sign_in(conn: Connection, username: str) -> None:
    """Audit a wrong password or an unknown user name (the name tried is kept either way)."""
    user_id = None
    if text_problem(username) is None:
        user_id = conn.scalar(select(m.users.c.id).where(m.users.c.username == username))
    # Any text a client sent, made storable (no lone surrogates, no NUL).
    tried = username[:200].encode("utf-8", "backslashreplace").decode("utf-8")
    tried = tried.replace("\x00", "\\x00")
    audit_event(conn, user_id or UNKNOWN_ACTOR, None, "login.failed", {"username": tried})


def login(conn: Connection, settings: Settings, request: LoginRequest) -> LoginResponse:
    """Check the password, then :func:`open_session`."""
    return open_session(conn, settings, request, check_password(conn, request))


def open_session(
    conn: Connection, settings: Settings, request: LoginRequest, user: Row[Any]
) -> LoginResponse:
    """For a user whose password was right: find or register the device; mint a token.

    The device is, in order: the one named by ``device_id`` (it must be this user's); the one
    this user registered before from ``installation_id`` (so a first sign-in retried after its
    answer was lost registers nothing new); else a new device with a new replica id. A revoked
    device is refused whichever way it is found.
    """
    if not user.active:
        raise AuthError(DISABLED, status.HTTP_403_FORBIDDEN)
    stamp = iso(now())
    device = None
    if request.device_id is not None:
        device = conn.execute(select(m.devices).where(m.devices.c.id == request.device_id)).first()
        if device is None or device.user_id != user.id:
            raise AuthError(
                "This device is not registered for this user. Sign in without a device id "
                "to register it again.",
                status.HTTP_403_FORBIDDEN,
            )
    if device is None:
        device = _register(conn, user.id, request, stamp)
    if device.revoked_at is not None:
        raise AuthError(_REVOKED, status.HTTP_403_FORBIDDEN)
    values: dict[str, Any] = {"last_seen_at": stamp}
    if request.installation_id is not None and device.installation_id is None:
        # A device registered by a client that did not send one yet: adopt it, unless this
        # user has another device with it already (then the unique index would refuse).
        taken = conn.scalar(
            select(m.devices.c.id).where(
                m.devices.c.user_id == user.id,
                m.devices.c.installation_id == request.installation_id,
            )
        )
        if taken is None:
            values["installation_id"] = request.installation_id
    conn.execute(update(m.devices).where(m.devices.c.id == device.id).values(**values))
    audit_event(conn, user.id, device.id, "login", {})
    token, expires_at = mint_token(settings, user.id, device.id, user.token_version)
    return LoginResponse(
        access_token=token,
        expires_at=expires_at,
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        device_id=device.id,
        replica_id=device.replica_id,
    )


def _register(conn: Connection, user_id: str, request: LoginRequest, stamp: str) -> Row[Any]:
    """A new device with a new replica id; with an ``installation_id``, the device this user
    already registered from that installation if there is one (also when a concurrent retry
    of the same sign-in registers it first: the unique index on (user, installation) decides).
    """
    device_id = str(uuid.uuid4())
    values = {
        "id": device_id,
        "user_id": user_id,
        "replica_id": str(uuid.uuid4()),
        "name": request.device_name,
        "installation_id": request.installation_id,
        "created_at": stamp,
        "last_seen_at": stamp,
    }
    if request.installation_id is None:
        conn.execute(m.devices.insert().values(**values))
    else:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(m.devices)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["user_id", "installation_id"])
        )
    device = conn.execute(
        select(m.devices).where(
            m.devices.c.id == device_id
            if request.installation_id is None
            else (m.devices.c.user_id == user_id)
            & (m.devices.c.installation_id == request.installation_id)
        )
    ).one()
    if device.id == device_id:
        audit_event(conn, user_id, device_id, "device.register", {"name": request.device_name})
    return device


DISABLED = "This account is disabled. Ask your administrator."
_REVOKED = (
    "This device was revoked by an administrator. Export any unsynced changes and ask your "
    "administrator to register it again."
)


def audit_event(
    conn: Connection,
    actor_id: str,
    device_id: str | None,
    action: str,
    detail: dict[str, object],
    entity: str | None = None,
    record_id: str | None = None,
) -> None:
    """Append an entry to the audit chain (:mod:`desktop_crm.server.audit`) in the caller's
    write transaction; the request's client address is recorded with it."""
    audit.event(conn, actor_id, device_id, action, detail, entity, record_id)


# The request's principal -----------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="The access_token from POST /auth/login")


#: The caller's device and user (parameters ``device_id`` and ``user_id``).
PRINCIPAL_QUERY = (
    select(
        m.users.c.id,
        m.users.c.username,
        m.users.c.role,
        m.users.c.team_id,
        m.users.c.active,
        m.users.c.token_version,
        m.devices.c.id.label("device_id"),
        m.devices.c.replica_id,
        m.devices.c.revoked_at,
    )
    .select_from(m.devices.join(m.users, m.users.c.id == m.devices.c.user_id))
    .where(m.devices.c.id == bindparam("device_id"), m.users.c.id == bindparam("user_id"))
)


def principal_for_token(conn: Connection, settings: Settings, token: str) -> Principal:
    user_id, device_id, token_version = read_token(settings, token)
    row = conn.execute(PRINCIPAL_QUERY, {"device_id": device_id, "user_id": user_id}).first()
    return principal_of(row, token_version)


def principal_of(row: Any, token_version: int) -> Principal:
    """The caller, from :data:`PRINCIPAL_QUERY`'s row (None: none found) for a token of
    ``token_version``: refused if the device was revoked, the user disabled, or the token
    is from before a password change."""
    if row is None:
        raise AuthError("The access token names an unknown device or user. Sign in again.")
    if row.revoked_at is not None:
        raise AuthError(_REVOKED, status.HTTP_403_FORBIDDEN)
    if not row.active:
        raise AuthError(DISABLED, status.HTTP_403_FORBIDDEN)
    if row.token_version != token_version:
        # The password was changed (or the user disabled and enabled again) since sign-in.
        raise AuthError("The access token is no longer valid. Sign in again.")
    return Principal(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        team_id=row.team_id,
        device_id=row.device_id,
        replica_id=row.replica_id,
    )


def current_principal(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, checked against the database on its own pooled connection: routes that
    open their own connection then need no per-request connection dependency (each sync
    dependency costs a trip through the thread pool)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Sign in first: this request needs a bearer access token.")
    read_token(settings, credentials.credentials)  # signature and expiry: no database needed
    with engine.connect() as conn, conn.begin():
        principal = principal_for_token(conn, settings, credentials.credentials)
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True, slots=True)
class SignedToken:
    """A bearer token whose signature and expiry have been checked, but not yet its device and
    user: the route does that with :func:`authenticate` on its own connection, saving the
    trip through the thread pool that :func:`current_principal` costs (the sync feed and push
    routes, where that trip is a large share of an empty pull)."""

    text: str


#: Where :func:`signed_token` leaves the token for the validation-error handler: an
#: invalid query or body must not hide that the device was revoked (see
#: :func:`errors.validation_error`), as it does not with :data:`CurrentUser`.
UNCHECKED_TOKEN = "unchecked_token"


async def signed_token(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> SignedToken:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Sign in first: this request needs a bearer access token.")
    read_token(settings, credentials.credentials)
    setattr(request.state, UNCHECKED_TOKEN, credentials.credentials)
    return SignedToken(credentials.credentials)


TokenDep = Annotated[SignedToken, Depends(signed_token)]


def authenticate(
    request: Request, conn: Connection, settings: Settings, token: SignedToken | str
) -> Principal:
    """The caller behind a :class:`SignedToken` (device not revoked, user active)."""
    text = token.text if isinstance(token, SignedToken) else token
    principal = principal_for_token(conn, settings, text)
    request.state.principal = principal
    return principal


def require_roles(*roles: Role) -> object:
    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            # Outside the caller's authority reads as absent, like everything out of scope.
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        return principal

    return Depends(check)
