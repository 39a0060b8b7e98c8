"""Request and response bodies of the erasure and archive API (``docs/sync-protocol.md``,
"Erasure and archive"). Not part of sync: the sync messages are untouched by both."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from desktop_crm.protocol.messages import WireModel, WireText


class EraseRequest(WireModel):
    #: Why (kept in the audit trail): a ticket number, "request by e-mail of 2 Dec"; no
    #: personal data.
    reason: WireText = Field(min_length=1, max_length=500)


class EraseResponse(WireModel):
    contact_id: str
    activities: int
    audit_entries: int
    former_names: int


class PersonExport(WireModel):
    """Everything the server holds about a contact (``admin person export``)."""

    contact: dict[str, Any]
    erased: dict[str, Any] | None
    activities: list[dict[str, Any]]
    history: list[dict[str, Any]]
    audit: list[dict[str, Any]]


class ArchiveRequest(WireModel):
    #: How long the accounts have been quiet: "2y", "18m", "90d".
    older_than: WireText = Field(default="2y", max_length=10)
    dry_run: bool = False


class ArchiveResponse(WireModel):
    accounts: list[str]
    dry_run: bool


class ArchivedAccountInfo(WireModel):
    id: str
    name: str
    owner_id: str | None
    archived_at: str


class ArchiveSearchResponse(WireModel):
    accounts: list[ArchivedAccountInfo]


class RestoreResponse(WireModel):
    account_id: str
    #: Who has it now (its owner when archived); None: that user is gone, it is unassigned.
    owner_id: str | None
