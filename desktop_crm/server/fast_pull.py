"""A raw ASGI answer for ``GET /sync/pull``, in front of FastAPI.

Idle clients pull every few seconds, and an idle pull's own work (the caller's checks and the
feed's high-water mark: two reads) is a small share of what the framework costs around it:
the middleware stack, routing, dependency resolution and query validation took most of the
server's CPU per idle pull (docs/benchmarks.md, "Server under many clients"). This path
serves only well-formed pulls (a bearer token, no unknown or malformed query parameter, no
body) by doing the same work as the route and writing the same answer: an idle pull from
its one read made on the event loop (:mod:`desktop_crm.server.idle_read`) with the route's
own checks and decision, anything else with :func:`routes.sync.pull_answer` on the same
thread pool as the route.
Anything else, and any failure (a refused token, a bad cursor, a database error), falls
through to FastAPI untouched, which then answers it as it always has; nothing was written
before such a failure, so doing it again there is safe. The route stays declared, so the
OpenAPI schema is unchanged. ``tests/server/test_fast_pull.py`` holds the two paths equal.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from anyio import to_thread
from starlette.middleware.gzip import GZipMiddleware

from desktop_crm.protocol.messages import DEFAULT_PULL_PAGE, MAX_PULL_PAGE
from desktop_crm.server import feed
from desktop_crm.server.auth import AuthError, principal_of, read_token
from desktop_crm.server.feed import BadCursor
from desktop_crm.server.idle_read import IdleReader
from desktop_crm.server.routes.sync import OPENING_WIDTH, note_pull_position, pull_answer
from desktop_crm.server.settings import Settings

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

PATH = "/sync/pull"
#: The route's ``cursor`` bound (``Query(max_length=40)``).
_CURSOR_MAX = 40
#: Only plain decimal limits; anything pydantic might also accept (``+5``, `` 5``, ``05``)
#: is left to FastAPI.
_LIMIT = re.compile(r"[1-9][0-9]{0,8}")
#: The route's gzip threshold (``app.add_middleware(GZipMiddleware, minimum_size=1000)``).
GZIP_MINIMUM = 1000


def _query(raw: bytes) -> tuple[str | None, int] | None:
    """``(cursor, limit)`` when the query is one the route would accept as is; else None."""
    if not raw:
        return None, DEFAULT_PULL_PAGE
    # As Starlette reads it (request.query_params).
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or not set(names) <= {"cursor", "limit"}:
        return None
    given = dict(pairs)
    cursor = given.get("cursor")
    if cursor is not None and len(cursor) > _CURSOR_MAX:
        return None
    limit = given.get("limit")
    if limit is None:
        return cursor, DEFAULT_PULL_PAGE
    if not _LIMIT.fullmatch(limit) or int(limit) > MAX_PULL_PAGE:
        return None
    return cursor, int(limit)


def _request(scope: Scope) -> tuple[str, str | None, int] | None:
    """The bearer token, cursor and limit of a pull this path serves; None for anything
    FastAPI must see (a body, no bearer token, an odd query)."""
    query = _query(scope.get("query_string", b""))
    if query is None:
        return None
    token = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            if token is not None:
                continue  # Starlette's ``headers.get`` takes the first
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return None
        elif name in (b"content-length", b"transfer-encoding"):
            return None  # a body: the body limit and FastAPI decide
    if token is None:
        return None
    return token, query[0], query[1]


async def serve(
    scope: Scope, send: Send, settings: Settings, engine: Any, reader: IdleReader | None = None
) -> bool:
    """Answer a well-formed pull; False (nothing sent) when FastAPI must answer it."""
    request = _request(scope)
    if request is None:
        return False
    token, cursor, limit = request
    try:
        text = await _answer(engine, settings, reader, token, cursor, limit)
    except (AuthError, BadCursor):
        return False
    except Exception:  # noqa: BLE001 - FastAPI answers it (503 for a busy database, …)
        log.debug("fast pull fell through", exc_info=True)
        return False
    body = text.encode()
    if len(body) >= GZIP_MINIMUM:  # compressed, or marked ``Vary``, as the middleware does
        await _send_compressed(scope, send, body, settings.gzip_level)
    else:
        await _send_json(send, body)
    return True


async def _answer(
    engine: Any,
    settings: Settings,
    reader: IdleReader | None,
    token: str,
    cursor: str | None,
    limit: int,
) -> str:
    """The pull's answer: an idle pull (or a resync) from the one read made on the event loop
    (:mod:`desktop_crm.server.idle_read`) with the same checks as :func:`pull_answer`; any
    other pull, or when that read could not be made, :func:`pull_answer` on the thread pool.
    Raises what they raise."""
    # The token's signature and expiry, before any database work.
    user_id, device_id, token_version = read_token(settings, token)
    row = None if reader is None else await reader.read(user_id, device_id)
    if row is not None:
        principal = principal_of(None if row.id is None else row, token_version)  # type: ignore[attr-defined]
        answer = feed.pull_without_records(cursor, row[:OPENING_WIDTH])
        if answer is not None:
            if answer.note is not None:  # a write: never on the loop
                await to_thread.run_sync(note_pull_position, engine, principal.device_id, answer)
            return answer.body
    _principal, text = await to_thread.run_sync(pull_answer, engine, settings, token, cursor, limit)
    return text


async def _send_json(send: Send, body: bytes) -> None:
    """A 200 answer with a JSON body, as the route's ``Response`` sends it."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-length", str(len(body)).encode("latin-1")),
                (b"content-type", b"application/json"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_compressed(scope: Scope, send: Send, body: bytes, level: int) -> None:
    """A large page, through the same gzip middleware as the route's answers (it compresses
    when the client accepts gzip)."""

    async def answer(_scope: Any, _receive: Any, inner_send: Send) -> None:
        await _send_json(inner_send, body)

    async def no_receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    await GZipMiddleware(answer, minimum_size=GZIP_MINIMUM, compresslevel=level)(
        scope, no_receive, send
    )
