"""Administration over HTTP: devices (admin) and account assignment (manager, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field

from desktop_crm.domain.tag_rules import TagRuleError, parse_rule_file
from desktop_crm.protocol.messages import (
    ErrorBody,
    Role,
    TagRulesBody,
    TagRulesResponse,
    WireText,
)
from desktop_crm.server import directory, tag_store, tags
from desktop_crm.server.auth import Principal, require_roles
from desktop_crm.server.db import write_transaction
from desktop_crm.server.deps import DbDep, EngineDep
from desktop_crm.server.routes.auth import AUTH_ERRORS, BODY_ERRORS, INVALID_INPUT
from desktop_crm.server.scope import can_see_account

router = APIRouter(tags=["admin"])

NOT_FOUND: dict[int | str, dict[str, object]] = {
    **AUTH_ERRORS,
    **INVALID_INPUT,
    404: {"model": ErrorBody, "description": "Not found, or not allowed for this role"},
}
AdminOnly = Annotated[Principal, require_roles(Role.ADMIN)]
ManagerOrAdmin = Annotated[Principal, require_roles(Role.MANAGER, Role.ADMIN)]


class DeviceInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    username: str
    name: str
    replica_id: str
    created_at: str
    last_seen_at: str | None
    revoked_at: str | None


class AssignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    #: The new owner; null leaves the account unassigned (administrators only).
    username: WireText | None = Field(default=None, min_length=1, max_length=100)


class AssignResponse(BaseModel):
    account_id: str
    owner_id: str | None


@router.get("/admin/devices", responses=NOT_FOUND)
def list_devices(principal: AdminOnly, conn: DbDep) -> list[DeviceInfo]:
    with conn.begin():
        return [DeviceInfo(**row) for row in directory.list_devices(conn)]


@router.post("/admin/devices/{device_id}/revoke", responses={**NOT_FOUND, **INVALID_INPUT})
def revoke_device(
    device_id: Annotated[WireText, Path(max_length=64)], principal: AdminOnly, conn: DbDep
) -> DeviceInfo:
    """Revoke a device: its tokens are refused from the next request on."""
    with write_transaction(conn):
        try:
            directory.revoke_device(conn, device_id, principal.user_id)
        except directory.DirectoryError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.") from None
        rows = [d for d in directory.list_devices(conn) if d["id"] == device_id]
    return DeviceInfo(**rows[0])


@router.post("/accounts/{account_id}/assign", responses={**NOT_FOUND, **BODY_ERRORS})
def assign_account(
    account_id: Annotated[WireText, Path(max_length=64)],
    body: AssignRequest,
    principal: ManagerOrAdmin,
    conn: DbDep,
) -> AssignResponse:
    """Give an account to another user. Managers assign within their own team."""
    with write_transaction(conn):
        if "\x00" in account_id or not can_see_account(conn, principal, account_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.")
        target_id: str | None = None
        if body.username is not None:
            try:
                target = directory.find_user(conn, body.username)
            except directory.DirectoryError:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "No such user.") from None
            if (
                principal.role == Role.MANAGER
                and target.id != principal.user_id
                and (principal.team_id is None or target.team_id != principal.team_id)
            ):
                raise HTTPException(status.HTTP_404_NOT_FOUND, "No such user in your team.")
            target_id = target.id
        elif principal.role != Role.ADMIN:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "Name the user to assign the account to."
            )
        try:
            directory.assign(conn, account_id, target_id, principal.user_id)
        except directory.DirectoryError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Not found.") from None
    return AssignResponse(account_id=account_id, owner_id=target_id)


_RULES_ERRORS: dict[int | str, dict[str, object]] = {
    **NOT_FOUND,
    **BODY_ERRORS,
    # 409, not 422: the request is well-formed (any text is), it is the rule file in it that
    # the server cannot take; 422 stays for a malformed request, as on every route.
    409: {
        "model": ErrorBody,
        "description": "The rule file is refused (its line and why); the rules stay as they were",
    },
}


@router.get("/admin/tag-rules", responses=NOT_FOUND)
def get_tag_rules(principal: AdminOnly, conn: DbDep) -> TagRulesResponse:
    """The tag rules in force (``docs/tag-rules.md``)."""
    with conn.begin():
        return TagRulesResponse(rules=[r.to_dict() for r in tag_store.load_rules(conn)])


@router.post("/admin/set-tag-rules", responses=_RULES_ERRORS)
def put_tag_rules(body: TagRulesBody, principal: AdminOnly, engine: EngineDep) -> TagRulesResponse:
    """Replace the tag rules with a rule file's text (TOML or JSON) and evaluate every account
    under them. A refused file changes nothing; the answer names its line and the reason."""
    try:
        rules = parse_rule_file(
            body.text, json_format=None if body.format is None else body.format == "json"
        )
    except TagRuleError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    with engine.connect() as conn, write_transaction(conn):
        tag_store.save_rules(conn, rules)
    report = tags.evaluate_all(engine)
    return TagRulesResponse(
        rules=[r.to_dict() for r in rules], evaluated=report.evaluated, tagged=report.tagged
    )


@router.post("/admin/evaluate-tags", responses=NOT_FOUND)
def evaluate_tags(principal: AdminOnly, engine: EngineDep) -> TagRulesResponse:
    """Evaluate the tag rules for every account now (``serve`` also does it daily)."""
    report = tags.evaluate_all(engine)
    with engine.connect() as conn:
        rules = tag_store.load_rules(conn)
    return TagRulesResponse(
        rules=[r.to_dict() for r in rules], evaluated=report.evaluated, tagged=report.tagged
    )
