"""Export and erase a person, archive and restore accounts, search the archive."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from desktop_crm.protocol.messages import ErrorBody, Role, WireText
from desktop_crm.protocol.privacy import (
    ArchivedAccountInfo,
    ArchiveRequest,
    ArchiveResponse,
    ArchiveSearchResponse,
    EraseRequest,
    EraseResponse,
    PersonExport,
    RestoreResponse,
)
from desktop_crm.server import archive, erasure
from desktop_crm.server.auth import CurrentUser, Principal, require_roles
from desktop_crm.server.db import write_transaction
from desktop_crm.server.deps import DbDep
from desktop_crm.server.routes.auth import AUTH_ERRORS, BODY_ERRORS, INVALID_INPUT
from desktop_crm.server.scope import can_see_account

router = APIRouter(tags=["privacy"])

_NOT_FOUND: dict[int | str, dict[str, object]] = {
    **AUTH_ERRORS,
    **INVALID_INPUT,
    404: {"model": ErrorBody, "description": "Not found, or not allowed for this role"},
}
_REFUSED: dict[int | str, dict[str, object]] = {
    **_NOT_FOUND,
    **BODY_ERRORS,
    409: {"model": ErrorBody, "description": "Already erased or archived"},
}
AdminOnly = Annotated[Principal, require_roles(Role.ADMIN)]
ManagerOrAdmin = Annotated[Principal, require_roles(Role.MANAGER, Role.ADMIN)]
IdPath = Annotated[WireText, Path(max_length=64)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")


@router.get("/admin/people/{contact_id}/export", responses=_NOT_FOUND)
def export_person(contact_id: IdPath, principal: ManagerOrAdmin, conn: DbDep) -> PersonExport:
    """Everything held about a contact (managers: their team's). The export is audited."""
    with write_transaction(conn):
        try:
            found = erasure.export_person(conn, contact_id)
        except erasure.PersonNotFound:
            raise _not_found() from None
        if not can_see_account(conn, principal, found["contact"]["account_id"]):
            raise _not_found()
        erasure.audit_export(conn, contact_id, found, principal.user_id, principal.device_id)
    return PersonExport(**found)


@router.post("/admin/people/{contact_id}/erase", responses=_REFUSED)
def erase_person(
    contact_id: IdPath, body: EraseRequest, principal: AdminOnly, conn: DbDep
) -> EraseResponse:
    """Replace the person's data everywhere on the server; replicas follow at their next sync."""
    with write_transaction(conn):
        try:
            report = erasure.erase_person(
                conn, contact_id, body.reason, principal.user_id, principal.device_id
            )
        except erasure.PersonNotFound:
            raise _not_found() from None
        except erasure.ErasureRefused as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return EraseResponse(
        contact_id=report.contact_id,
        activities=report.activities,
        audit_entries=report.audit_entries,
        former_names=report.former_names,
    )


@router.post("/admin/archive", responses={**_NOT_FOUND, **BODY_ERRORS})
def archive_inactive(body: ArchiveRequest, principal: AdminOnly, conn: DbDep) -> ArchiveResponse:
    """Archive (or with ``dry_run`` list) the accounts quiet for ``older_than``."""
    try:
        age = archive.parse_age(body.older_than)
    except archive.ArchiveError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    with write_transaction(conn):
        report = archive.archive_inactive(conn, age, principal.user_id, dry_run=body.dry_run)
    return ArchiveResponse(accounts=report.accounts, dry_run=report.dry_run)


@router.post("/accounts/{account_id}/archive", responses=_REFUSED)
def archive_account(account_id: IdPath, principal: AdminOnly, conn: DbDep) -> ArchiveResponse:
    """Archive one account now (an administrator's decision, whatever its activity)."""
    with write_transaction(conn):
        try:
            archive.archive_account(conn, account_id, principal.user_id)
        except archive.ArchiveNotFound:
            raise _not_found() from None
        except archive.ArchiveError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return ArchiveResponse(accounts=[account_id], dry_run=False)


@router.post("/accounts/{account_id}/restore", responses=_NOT_FOUND)
def restore_account(account_id: IdPath, principal: AdminOnly, conn: DbDep) -> RestoreResponse:
    """Bring an archived account back to its owner's replica."""
    with write_transaction(conn):
        try:
            owner = archive.restore(conn, account_id, principal.user_id)
        except archive.ArchiveNotFound:
            raise _not_found() from None
    return RestoreResponse(account_id=account_id, owner_id=owner)


@router.get("/archive/accounts", responses={**AUTH_ERRORS, **INVALID_INPUT})
def search_archive(
    principal: CurrentUser,
    conn: DbDep,
    q: Annotated[WireText, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ArchiveSearchResponse:
    """Archived accounts by name: those the caller would see were they not archived."""
    with conn.begin():
        found = archive.search(conn, principal, q, limit)
    return ArchiveSearchResponse(
        accounts=[
            ArchivedAccountInfo(
                id=a.id, name=a.name, owner_id=a.owner_id, archived_at=a.archived_at
            )
            for a in found
        ]
    )
