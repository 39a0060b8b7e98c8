"""Consent to be contacted: per channel (phone, e-mail, SMS) and the do-not-contact flag.

One rule, used wherever the app is about to reach out (logging an outbound call or e-mail) and
by the lists' "reachable by" filter: a person may be contacted on a channel when they agreed to
it and are not marked do-not-contact. Pure data: works offline, on the replica's copy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from desktop_crm.domain.records import ActivityKind, Contact, Direction


class Channel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"


class Verdict(enum.Enum):
    AGREED = "agreed"
    NOT_AGREED = "not_agreed"
    DO_NOT_CONTACT = "do_not_contact"


#: Channel -> the contact's (agreed, date, source) field names.
CONSENT_FIELDS: dict[Channel, tuple[str, str, str]] = {
    Channel.PHONE: ("consent_phone", "consent_phone_at", "consent_phone_source"),
    Channel.EMAIL: ("consent_email", "consent_email_at", "consent_email_source"),
    Channel.SMS: ("consent_sms", "consent_sms_at", "consent_sms_source"),
}


@dataclass(frozen=True, slots=True)
class ChannelConsent:
    agreed: bool
    #: When the answer was given (or withdrawn); None: not recorded.
    since: date | None
    source: str


def consent_of(contact: Contact, channel: Channel) -> ChannelConsent:
    agreed, since, source = CONSENT_FIELDS[channel]
    return ChannelConsent(
        bool(getattr(contact, agreed)), getattr(contact, since), str(getattr(contact, source))
    )


def set_consent(contact: Contact, channel: Channel, consent: ChannelConsent) -> None:
    agreed, since, source = CONSENT_FIELDS[channel]
    setattr(contact, agreed, consent.agreed)
    setattr(contact, since, consent.since)
    setattr(contact, source, consent.source)


def verdict(contact: Contact, channel: Channel) -> Verdict:
    """May ``contact`` be reached on ``channel``?"""
    if contact.do_not_contact:
        return Verdict.DO_NOT_CONTACT
    return Verdict.AGREED if consent_of(contact, channel).agreed else Verdict.NOT_AGREED


def outreach_channel(kind: str, direction: str | None) -> Channel | None:
    """The channel an activity reaches the person on, when it is our initiative: an outbound
    call (phone) or an e-mail that is not inbound. None for what they started, meetings,
    visits and notes (nobody is contacted unasked)."""
    if kind == ActivityKind.CALL and direction == Direction.OUTBOUND:
        return Channel.PHONE
    if kind == ActivityKind.EMAIL and direction != Direction.INBOUND:
        return Channel.EMAIL
    return None
