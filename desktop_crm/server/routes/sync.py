"""The sync API: configuration, snapshot, pull, push, and single-record reads.

These routes open their own connection inside the endpoint rather than taking ``DbDep`` (a
generator dependency costs two trips through the thread pool). Snapshot, pull and push also
check the caller's device and user on that connection (:data:`auth.TokenDep`,
:func:`auth.authenticate`): one trip per request instead of four."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy import Engine, select, true

from desktop_crm.domain.records import Entity
from desktop_crm.protocol.messages import (
    DEFAULT_PULL_PAGE,
    DEFAULT_SNAPSHOT_PAGE,
    MAX_PULL_PAGE,
    MAX_SNAPSHOT_PAGE,
    ConfigResponse,
    ErrorBody,
    PullResponse,
    PushRequest,
    PushResponse,
    SnapshotResponse,
    TagsResponse,
    WireRecord,
    WireText,
)
from desktop_crm.server import feed, tag_store
from desktop_crm.server.auth import (
    PRINCIPAL_QUERY,
    CurrentUser,
    Principal,
    TokenDep,
    authenticate,
    principal_of,
    read_token,
)
from desktop_crm.server.config_store import config_response
from desktop_crm.server.deps import EngineDep, SettingsDep
from desktop_crm.server.push import push_answer
from desktop_crm.server.routes.auth import AUTH_ERRORS, BODY_ERRORS, INVALID_INPUT
from desktop_crm.server.scope import can_see_account, masks_for, scoped_accounts
from desktop_crm.server.settings import Settings
from desktop_crm.server.store import load, to_wire

router = APIRouter(tags=["sync"])

_BAD_CURSOR: dict[int | str, dict[str, object]] = {
    **AUTH_ERRORS,
    **INVALID_INPUT,
    400: {"model": ErrorBody, "description": "A cursor or page token this server did not issue"},
}


def _json(text: str) -> Response:
    return Response(content=text.encode(), media_type="application/json")


@router.get("/config", responses={**AUTH_ERRORS, **INVALID_INPUT})
def get_config(_principal: CurrentUser, engine: EngineDep) -> ConfigResponse:
    """Pipeline stages (with their entry rules) and account statuses."""
    with engine.connect() as conn, conn.begin():
        return config_response(conn)


@router.get("/sync/snapshot", response_model=SnapshotResponse, responses=_BAD_CURSOR)
def snapshot(
    request: Request,
    token: TokenDep,
    engine: EngineDep,
    settings: SettingsDep,
    after: Annotated[WireText | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SNAPSHOT_PAGE)] = DEFAULT_SNAPSHOT_PAGE,
) -> Response:
    """One page of every live record in the caller's scope, in key order (first sync).

    Pass ``next_page`` back as ``after`` until it is null; then pull from ``cursor``."""
    try:
        with engine.connect() as conn:
            with conn.begin():
                principal = authenticate(request, conn, settings, token)
                answer = feed.snapshot_page(
                    conn, principal, masks_for(principal, settings), after, limit
                )
            feed.note_position(conn, principal.device_id, answer)
    except feed.BadCursor as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    return _json(answer.body)


@router.get("/sync/pull", response_model=PullResponse, responses=_BAD_CURSOR)
def pull(
    request: Request,
    token: TokenDep,
    engine: EngineDep,
    settings: SettingsDep,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
) -> Response:
    """Changes in the caller's scope since ``cursor``: records (tombstones included) and
    removals of records that left the scope. Repeat with the returned cursor while
    ``has_more``."""
    try:
        principal, body = pull_answer(engine, settings, token.text, cursor, limit)
    except feed.BadCursor as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    request.state.principal = principal
    return _json(body)


_OPENING = feed.PULL_OPENING.subquery()
OPENING_WIDTH = len(feed.PULL_OPENING.selected_columns)
_CALLER = PRINCIPAL_QUERY.subquery()
#: An idle pull in one read: the feed's opening (always one row) and the caller's device and
#: user (NULLs when the token names neither). Parameters ``user_id`` and ``device_id``; also
#: run outside SQLAlchemy by :mod:`desktop_crm.server.idle_read`.
CALLER_AND_OPENING = select(_OPENING, _CALLER).select_from(_OPENING.outerjoin(_CALLER, true()))


def pull_answer(
    engine: Engine, settings: Settings, token: str, cursor: str | None, limit: int
) -> tuple[Principal, str]:
    """The pull's work, shared with the raw fast path (:mod:`desktop_crm.server.fast_pull`):
    the caller's checks and the page on one connection, then the device's position noted.
    Raises :class:`AuthError` or :class:`feed.BadCursor` before anything is written."""
    user_id, device_id, token_version = read_token(settings, token)
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        # Each statement reads its own snapshot under READ COMMITTED, in a transaction or
        # not: without one, an idle pull makes two round trips to the database, not four
        # (no BEGIN, no COMMIT; the other is the pool's ping). SQLite keeps its transaction:
        # there it is the snapshot.
        conn.execution_options(isolation_level="AUTOCOMMIT")
    with conn:
        with conn.begin():
            row = conn.execute(
                CALLER_AND_OPENING, {"user_id": user_id, "device_id": device_id}
            ).one()
            principal = principal_of(None if row.id is None else row, token_version)
            opening: feed.PullOpening = tuple(row)[:OPENING_WIDTH]
            masks = masks_for(principal, settings)
            answer = feed.pull_page(conn, principal, masks, cursor, limit, opening)
        # The device's position for the tombstone watermark, when it moved.
        feed.note_position(conn, principal.device_id, answer)
    return principal, answer.body


def note_pull_position(engine: Engine, device_id: str, answer: feed.FeedAnswer) -> None:
    """:func:`feed.note_position` on a connection of its own (the fast path's idle pulls)."""
    with engine.connect() as conn:
        feed.note_position(conn, device_id, answer)


@router.get("/sync/tags", response_model=TagsResponse, responses=_BAD_CURSOR)
def system_tags(
    principal: CurrentUser,
    engine: EngineDep,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
) -> TagsResponse:
    """The system tags (computed by the tag rules) of the accounts in the caller's scope that
    changed since ``cursor``; each account's list replaces what the replica had. Repeat with
    the returned cursor while ``has_more``; start from no cursor after a snapshot."""
    try:
        after = feed.parse_cursor(cursor)
    except feed.BadCursor as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    with engine.connect() as conn, conn.begin():
        return tag_store.page(conn, scoped_accounts(principal), after, limit)


@router.post(
    "/sync/push",
    response_model=PushResponse,
    responses={
        **AUTH_ERRORS,
        **BODY_ERRORS,
        413: {"model": ErrorBody, "description": "Too many changes or too large a body"},
    },
)
def push(
    request: Request, body: PushRequest, token: TokenDep, engine: EngineDep, settings: SettingsDep
) -> Response:
    """Apply a batch of changes; each is answered applied, already_applied, conflict or
    rejected, in order. One bad change never blocks the others."""
    with engine.connect() as conn:
        with conn.begin():
            principal = authenticate(request, conn, settings, token)
        answer = push_answer(conn, principal, settings, masks_for(principal, settings), body)
    # The PushResponse's JSON, written directly (building and serializing the models cost
    # more than the answer's own work; the models' schema stays declared above).
    return Response(answer.json(), media_type="application/json")


@router.get(
    "/records/{entity}/{record_id}",
    responses={
        **AUTH_ERRORS,
        **INVALID_INPUT,
        404: {"model": ErrorBody, "description": "Not found or out of scope"},
    },
)
def get_record(
    entity: Entity,
    record_id: Annotated[WireText, Path(max_length=64)],
    principal: CurrentUser,
    engine: EngineDep,
    settings: SettingsDep,
) -> WireRecord:
    """One record as the server has it now (tombstones included), if it is in scope."""
    if "\x00" in record_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
    with engine.connect() as conn, conn.begin():
        record = load(conn, entity, record_id)
        if record is None or not can_see_account(conn, principal, record.account_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        return to_wire(record, masks_for(principal, settings), principal.user_id)
