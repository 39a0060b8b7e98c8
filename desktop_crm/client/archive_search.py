"""The archive, over the server: archived accounts are on no replica, so searching, archiving
and restoring them are online operations (``docs/user-guide.md``, "The archive").

Each function takes a signed-in :class:`~desktop_crm.sync.http_client.SyncClient`; the window
runs them off the GUI thread through :meth:`desktop_crm.client.session.ProfileSync.online`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the window imports this module at start; the HTTP client comes with a sync
    from desktop_crm.sync.http_client import SyncClient


@dataclass(frozen=True, slots=True)
class ArchivedAccount:
    id: str
    name: str
    owner_id: str | None
    #: ISO-8601 UTC text, as the server stores it.
    archived_at: str


def search(client: SyncClient, text: str, limit: int = 50) -> list[ArchivedAccount]:
    """Archived accounts whose name contains ``text`` that the user would otherwise see."""
    answer = client.search_archive(text.strip(), limit)
    return [ArchivedAccount(a.id, a.name, a.owner_id, a.archived_at) for a in answer.accounts]


def archive(client: SyncClient, account_id: str) -> None:
    """Archive an account now (administrators): it leaves every replica at their next sync."""
    client.archive_account(account_id)


def restore(client: SyncClient, account_id: str) -> str | None:
    """Bring an archived account back (administrators); its owner's id (None: unassigned)."""
    return client.restore_account(account_id).owner_id
