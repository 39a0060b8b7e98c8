"""Filtering contacts and accounts by consent: who may be called, e-mailed or texted, and who
asked not to be contacted at all (the rule of ``domain/consent.py``, in SQL)."""

from __future__ import annotations

import enum

from sqlalchemy import ColumnElement, and_, exists, select

from desktop_crm.storage.schema import accounts, contacts


class ReachableBy(enum.StrEnum):
    #: Agreed to calls (and not do-not-contact).
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    #: Marked do-not-contact.
    DO_NOT_CONTACT = "do_not_contact"
    #: Agreed to no channel, or do-not-contact: nobody may reach out to them unasked.
    NO_CONSENT = "no_consent"


def contact_reachable(by: ReachableBy) -> ColumnElement[bool]:
    """A live contact matching ``by``."""
    c = contacts.c
    live = c.deleted == 0
    if by is ReachableBy.DO_NOT_CONTACT:
        return and_(live, c.do_not_contact == 1)
    if by is ReachableBy.NO_CONSENT:
        agreed_to_none = and_(c.consent_phone == 0, c.consent_email == 0, c.consent_sms == 0)
        return and_(live, (c.do_not_contact == 1) | agreed_to_none)
    agreed = {
        ReachableBy.PHONE: c.consent_phone,
        ReachableBy.EMAIL: c.consent_email,
        ReachableBy.SMS: c.consent_sms,
    }[by]
    return and_(live, c.do_not_contact == 0, agreed == 1)


def accounts_reachable(by: ReachableBy) -> ColumnElement[bool]:
    """Accounts with at least one contact matching ``by`` (over ``ix_contacts``' account
    index: one probe per account)."""
    return exists(
        select(contacts.c.id).where(
            contacts.c.account_id == accounts.c.id, contact_reachable(by)
        )
    )
