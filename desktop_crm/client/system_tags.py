"""Fetching the system tags (computed by the server's tag rules) into the replica after a sync.

The tags travel outside the record feed (``GET /sync/tags``, ``docs/sync-protocol.md``): they
are the server's, never edited on a replica, so they need no versions and no outbox. Each page
is written with the cursor that follows it, in one transaction: a sync stopped between pages
resumes after the last page written. After a fresh snapshot the replica fetches them all
again (its scope may have changed wholesale).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desktop_crm.domain.records import Entity
from desktop_crm.storage import system_tags
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.errors import ServerRefused, SyncError

if TYPE_CHECKING:
    from desktop_crm.sync.engine import SyncSummary
    from desktop_crm.sync.http_client import SyncClient

log = logging.getLogger(__name__)


def fetch_system_tags(replica: Replica, client: SyncClient, *, from_start: bool = False) -> int:
    """Bring the replica's system tags up to date; returns how many accounts' tags changed."""
    with replica.engine.connect() as conn:
        cursor = None if from_start else system_tags.cursor(conn)
    changed = 0
    while True:
        page = client.system_tags(cursor)
        with replica.writing() as conn:
            if cursor is None:
                system_tags.clear(conn)  # everything follows: drop what may be stale
            changed += system_tags.replace(
                conn,
                (
                    (a.account_id, [system_tags.SystemTag(t.name, t.reason) for t in a.tags])
                    for a in page.accounts
                ),
            )
            system_tags.set_cursor(conn, page.cursor)
        cursor = page.cursor
        if not page.has_more:
            return changed


def keep_system_tags(replica: Replica, client: SyncClient, summary: SyncSummary) -> None:
    """:func:`fetch_system_tags` after a sync; the account views refresh when tags changed.
    A server older than tag rules (404) has none; any other failure keeps the tags the replica
    has until the next sync."""
    try:
        changed = fetch_system_tags(replica, client, from_start=summary.resynced)
    except ServerRefused as exc:
        if exc.status_code != 404:
            log.warning("could not fetch the system tags: %s", exc)
        return
    except SyncError as exc:
        log.warning("could not fetch the system tags: %s", exc)
        return
    if changed:
        summary.received.add(Entity.ACCOUNT)
