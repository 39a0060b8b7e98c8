"""The status rules applied to an opportunity saved on this device (``domain/status_rules.py``):
the account's new status is saved as a local edit in the caller's transaction, with its reason
in the status log. The server applies the same rule on push, so both arrive at one value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from desktop_crm.domain.records import Account, Opportunity, SyncedRecord
from desktop_crm.domain.status_rules import status_change_for
from desktop_crm.storage import configuration
from desktop_crm.storage import records_store as store


def opportunity_before(conn: Connection, record: SyncedRecord) -> dict[str, Any] | None:
    """An opportunity's data as the replica has it before a save (None: new, or deleted, or
    not an opportunity): what :func:`follow_status_rules` compares the saved one with."""
    if not isinstance(record, Opportunity):
        return None
    before = store.opportunities.get(conn, record.meta.id)
    return None if before is None else before.data()


def follow_status_rules(
    conn: Connection,
    before: dict[str, Any] | None,
    saved: SyncedRecord,
    replica_id: str,
    user_id: str,
) -> Account | None:
    """Apply the replica's status rules to a saved opportunity (``before``: its data before
    the save); the account as saved when a rule changed its status, else None."""
    if not isinstance(saved, Opportunity):
        return None
    account = store.accounts.get(conn, saved.account_id)
    if account is None:
        return None
    change = status_change_for(
        configuration.status_rules(conn),
        configuration.pipeline(conn),
        before,
        saved.data(),
        account.status,
        deleted=saved.meta.deleted,
    )
    if change is None:
        return None
    account.status = change.to_status
    return store.save_local(conn, account, replica_id, user_id, status_reason=change.reason)
