"""Request and response bodies of the erasure and archive API (``docs/sync-protocol.md``,
"Erasure and archive"). Not part of sync: the sync messages are untouched by both."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from desktop_crm.protocol.messages import WireModel, WireText

#: An age: a number (1 to 999) and y(ears), m(onths), w(eeks) or d(ays): "2y", "18m", "90d".
AGE_PATTERN = r"^\s*0*([1-9][0-9]{0,2})\s*([ymwdYMWD])\s*$"
AgeText = Annotated[str, StringConstraints(pattern=AGE_PATTERN, max_length=20)]


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
    older_than: AgeText = "2y"
    dry_run: StrictBool = False


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
