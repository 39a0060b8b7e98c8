"""The duplicate check of the new-customer and new-contact dialogs (and of edits that change a
name or a phone): similar records already in the replica, before saving, offline.

Plain functions of a :class:`Replica`, run on the replica worker in the window."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_crm.domain.phones import DEFAULT_REGION, InvalidPhoneNumber, normalize_phone
from desktop_crm.storage import duplicates
from desktop_crm.storage.duplicates import SimilarRecord
from desktop_crm.storage.replica import Replica

__all__ = ["SimilarRecord", "similar_accounts", "similar_contacts"]


def _e164(phones: Sequence[str], region: str) -> list[str]:
    """The E.164 forms of the numbers typed; one that is not a valid number is no match (the
    dialog's own validation says what is wrong with it)."""
    out = []
    for raw in phones:
        if not raw.strip():
            continue
        try:
            out.append(normalize_phone(raw, region).e164)
        except (InvalidPhoneNumber, ValueError):
            continue
    return out


def similar_accounts(
    replica: Replica, name: str, *, exclude_id: str | None = None
) -> list[SimilarRecord]:
    """Customers already stored that a customer named ``name`` may duplicate, best first."""
    if not name.strip():
        return []
    with replica.engine.connect() as conn:
        return duplicates.similar_accounts(conn, name, exclude_id=exclude_id)


def similar_contacts(
    replica: Replica,
    name: str,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    *,
    exclude_id: str | None = None,
    region: str = DEFAULT_REGION,
) -> list[SimilarRecord]:
    """Contacts already stored that this one may duplicate (name, same phone or e-mail)."""
    numbers = _e164(phones, region)
    addresses = [e for e in emails if e.strip()]
    if not name.strip() and not numbers and not addresses:
        return []
    with replica.engine.connect() as conn:
        return duplicates.similar_contacts(conn, name, numbers, addresses, exclude_id=exclude_id)
