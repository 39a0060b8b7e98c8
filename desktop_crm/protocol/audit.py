"""The audit trail's wire models (``GET /admin/audit``): administrators read every entry,
managers the entries of their team's members."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from desktop_crm.domain.fields import bounded_time

#: Entries per page, at most.
MAX_AUDIT_PAGE = 1000
DEFAULT_AUDIT_PAGE = 200


def _iso_date_or_time(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO-8601 date or time, e.g. 2026-12-01") from None
    return value


#: ``since``: an ISO-8601 date or time (one without a zone is UTC) within the dates records hold.
AuditSince = Annotated[datetime, BeforeValidator(_iso_date_or_time), AfterValidator(bounded_time)]


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
