"""Duplicates over HTTP: the review queue (manager, admin; in their scope), dismissing a pair,
merging two records (manager, admin) and undoing a merge (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from desktop_crm.domain.records import Entity
from desktop_crm.protocol.duplicates import (
    DuplicatePair,
    MergeRequest,
    MergeResponse,
    PairRequest,
    UndoResponse,
)
from desktop_crm.protocol.messages import ErrorBody, WireText
from desktop_crm.server import duplicates, merge
from desktop_crm.server.db import write_transaction
from desktop_crm.server.deps import DbDep, SettingsDep
from desktop_crm.server.routes.admin import NOT_FOUND, AdminOnly, ManagerOrAdmin
from desktop_crm.server.routes.auth import BODY_ERRORS
from desktop_crm.server.scope import can_see_accounts, masks_for
from desktop_crm.server.store import ServerRecord, load_many, to_wire

router = APIRouter(tags=["duplicates"])
_ERRORS = {**NOT_FOUND, **BODY_ERRORS}


def _visible_records(
    conn: DbDep, principal: ManagerOrAdmin, entity: Entity, ids: list[str]
) -> dict[str, ServerRecord]:
    """The live records among ``ids`` that the caller sees."""
    found = load_many(conn, [(entity.value, i) for i in ids])
    records = {key[1]: r for key, r in found.items() if not r.deleted}
    visible = can_see_accounts(conn, principal, {r.account_id for r in records.values()})
    return {i: r for i, r in records.items() if visible.get(r.account_id)}


@router.get("/duplicates", responses=NOT_FOUND)
def list_duplicates(
    principal: ManagerOrAdmin,
    conn: DbDep,
    entity: Entity = Entity.ACCOUNT,
    pair_status: Annotated[str, Query(alias="status", pattern="^(open|dismissed|merged)$")] = (
        "open"
    ),
) -> list[DuplicatePair]:
    """The review queue: suspected duplicate pairs whose both records the caller sees."""
    with conn.begin():
        pairs = duplicates.list_pairs(conn, entity, pair_status)
        ids = sorted({p.id_a for p in pairs} | {p.id_b for p in pairs})
        records = _visible_records(conn, principal, entity, ids) if ids else {}
    out = []
    for p in pairs:
        a, b = records.get(p.id_a), records.get(p.id_b)
        if pair_status == duplicates.OPEN and (a is None or b is None):
            continue
        if pair_status != duplicates.OPEN and (a is None and b is None):
            continue
        out.append(
            DuplicatePair(
                entity=p.entity,
                id_a=p.id_a,
                id_b=p.id_b,
                name_a=str(a.data.get("name") or "") if a else "",
                name_b=str(b.data.get("name") or "") if b else "",
                score=p.score,
                reasons=list(p.reasons),
                status=p.status,
                found_at=p.found_at,
            )
        )
    return out


@router.post("/duplicates/dismiss", responses=_ERRORS)
def dismiss_pair(body: PairRequest, principal: ManagerOrAdmin, conn: DbDep) -> DuplicatePair:
    """Mark a pair as not a duplicate: later scans leave it dismissed."""
    with write_transaction(conn):
        records = _visible_records(conn, principal, body.entity, [body.id_a, body.id_b])
        if body.id_a == body.id_b or len(records) != 2:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        duplicates.set_status(
            conn, body.entity, body.id_a, body.id_b, duplicates.DISMISSED, principal.user_id
        )
        pair = next(
            p
            for p in duplicates.list_pairs(conn, body.entity, duplicates.DISMISSED)
            if {p.id_a, p.id_b} == {body.id_a, body.id_b}
        )
    return DuplicatePair(
        entity=pair.entity,
        id_a=pair.id_a,
        id_b=pair.id_b,
        name_a=str(records[pair.id_a].data.get("name") or ""),
        name_b=str(records[pair.id_b].data.get("name") or ""),
        score=pair.score,
        reasons=list(pair.reasons),
        status=pair.status,
        found_at=pair.found_at,
    )


@router.post("/merges", responses=_ERRORS)
def merge_records(
    body: MergeRequest, principal: ManagerOrAdmin, conn: DbDep, settings: SettingsDep
) -> MergeResponse:
    """Merge ``loser_id`` into ``survivor_id`` (both in the caller's scope)."""
    with write_transaction(conn):
        records = _visible_records(conn, principal, body.entity, [body.survivor_id, body.loser_id])
        if body.survivor_id not in records or body.loser_id not in records:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        try:
            result = merge.merge(
                conn,
                body.entity,
                body.survivor_id,
                body.loser_id,
                list(body.take_from_loser),
                principal.user_id,
                principal.device_id,
            )
        except merge.MergeError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return MergeResponse(
        merge_id=result.merge_id,
        survivor=to_wire(result.survivor, masks_for(principal, settings), principal.user_id),
        moved=result.moved,
    )


_UNDO_ERRORS: dict[int | str, dict[str, object]] = {
    **_ERRORS,
    409: {"model": ErrorBody, "description": "No such merge, already undone, or newer work on it"},
}


@router.post("/admin/merges/{merge_id}/undo", responses=_UNDO_ERRORS)
def undo_merge(
    merge_id: Annotated[WireText, Path(max_length=64)], principal: AdminOnly, conn: DbDep
) -> UndoResponse:
    """Undo a merge from the audit log: the merged-away record restored, its children back."""
    with write_transaction(conn):
        try:
            restored = merge.undo(conn, merge_id, principal.user_id, principal.device_id)
        except merge.MergeError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return UndoResponse(merge_id=merge_id, restored_id=restored)
