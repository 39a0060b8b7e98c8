"""Clear 4xx answers for bad input, and a logged 500 for bugs (never a stack trace on the wire).

- malformed JSON → 400; wrong types or shapes → 422, with the first problems spelled out;
- a push batch over MAX_PUSH_BATCH → 413; a body over the configured limit → 413 before reading;
- a busy or unreachable database → 503 so clients retry with back-off.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request, Response, status
from fastapi.dependencies.models import Dependant
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from desktop_crm.domain.shape import shown
from desktop_crm.protocol.messages import MAX_PUSH_BATCH
from desktop_crm.server.auth import (
    UNCHECKED_TOKEN,
    AuthError,
    current_principal,
    principal_for_token,
    read_token,
    signed_token,
)

log = logging.getLogger(__name__)


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
    # loc holds the request's own keys: a lone surrogate there would break the JSON answer.
    return shown(f"{loc}: {error.get('msg', 'invalid')}", 300)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse(
            {"detail": "The request body is not valid JSON."}, status.HTTP_400_BAD_REQUEST
        )
    refused = await _refused_caller(request)
    if refused is not None:
        return refused
    for e in errors:
        if e.get("type") == "too_long" and tuple(e.get("loc", ()))[-1:] == ("changes",):
            return JSONResponse(
                {"detail": f"Too many changes in one push: at most {MAX_PUSH_BATCH} per batch."},
                status.HTTP_413_CONTENT_TOO_LARGE,
            )
    shown = "; ".join(_describe(e) for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return JSONResponse(
        {"detail": f"Invalid request: {shown}{more}"}, status.HTTP_422_UNPROCESSABLE_CONTENT
    )


async def _refused_caller(request: Request) -> Response | None:
    """For routes that check the caller's device and user inside the endpoint
    (:data:`auth.TokenDep`): the answer to a revoked device or a disabled user, which comes
    before complaints about the query or body, as with :data:`auth.CurrentUser`."""
    token = getattr(request.state, UNCHECKED_TOKEN, None)
    if token is None:
        return None

    def check() -> None:
        with request.app.state.engine.connect() as conn, conn.begin():
            principal_for_token(conn, request.app.state.settings, token)

    try:
        await run_in_threadpool(check)
    except AuthError as refusal:
        return await http_exception_handler(request, refusal)
    except DBAPIError as failure:
        return await database_error(request, failure)
    return None


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, OperationalError):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"detail": "The database is busy or unavailable; try again shortly."},
            status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    log.exception("database error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "Internal server error."}, status.HTTP_500_INTERNAL_SERVER_ERROR)


#: (path, methods) -> the query parameters the route declares.
_QUERY_NAMES: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}


async def reject_unknown_query(request: Request) -> None:
    """Unknown query parameters are refused (422), as unknown body fields are
    (``extra="forbid"``): a misspelt ``limt=10`` must not silently mean the default."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    key = (route.path, tuple(sorted(route.methods or ())))
    known = _QUERY_NAMES.get(key)
    if known is None:
        known = _QUERY_NAMES[key] = frozenset(_query_names(route.dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        if _signs_in(route.dependant):
            # This runs before the route's own dependencies: a missing or refused token
            # still comes first, as it does for every other invalid request.
            await _check_caller(request)
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "unknown parameter"}
                for name in unknown
            ]
        )


def _signs_in(dependant: Dependant) -> bool:
    """Whether the route checks a bearer token (:data:`auth.CurrentUser`, :data:`auth.TokenDep`)."""
    if dependant.call in (current_principal, signed_token):
        return True
    return any(_signs_in(inner) for inner in dependant.dependencies)


async def _check_caller(request: Request) -> None:
    """Raise the :class:`AuthError` the route's own sign-in check would raise."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Sign in first: this request needs a bearer access token.")
    settings = request.app.state.settings
    read_token(settings, token.strip())

    def check() -> None:
        with request.app.state.engine.connect() as conn, conn.begin():
            principal_for_token(conn, settings, token.strip())

    await run_in_threadpool(check)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for inner in dependant.dependencies:
        names |= _query_names(inner)
    return names


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DBAPIError, database_error)


class BodyLimit:
    """Refuse bodies larger than ``limit`` bytes (by Content-Length, or while streaming)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = self.limit + 1
                if size > self.limit:
                    await self._refuse(send)
                    return
        received = 0
        too_large = False
        answered = False

        async def limited_receive() -> Any:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Any) -> None:
            nonlocal answered
            # A body cut off at the limit (chunked, no Content-Length) is answered 413 here;
            # whatever the app made of the exception while reading it (FastAPI: a 400 "error
            # parsing the body") is dropped.
            if too_large and not answered:
                return
            answered = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        if too_large and not answered:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"The request body is too large (limit {self.limit} bytes)."},
            status.HTTP_413_CONTENT_TOO_LARGE,
        )
        await response({"type": "http"}, _empty_receive, send)


class _TooLarge(Exception):
    pass


async def _empty_receive() -> Any:
    return {"type": "http.disconnect"}
