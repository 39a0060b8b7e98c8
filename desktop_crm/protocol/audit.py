"""The audit trail's wire models (``GET /admin/audit``): administrators read every entry,
managers the entries of their team's members."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

#: Entries per page, at most.
MAX_AUDIT_PAGE = 1000
DEFAULT_AUDIT_PAGE = 200


class AuditEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int
    at: str
    #: The user's id ("server" for the command line, "unknown" for a sign-in with an unknown
    #: user name); ``username`` is their current name, if they are a user.
    actor_id: str
    username: str | None = None
    device_id: str | None = None
    #: The client's network address, for requests.
    address: str | None = None
    #: What was done: ``login``, ``login.failed``, ``user.role``, ``record.delete``, …
    action: str
    entity: str | None = None
    record_id: str | None = None
    #: What changed: old and new values, counts, filters (as the action records them).
    detail: Any = None


class AuditPage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entries: list[AuditEntry]
    #: Pass as ``before_id`` for the next (older) page; null at the end.
    next_before_id: int | None = None
