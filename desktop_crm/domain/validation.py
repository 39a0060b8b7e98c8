"""Validation of records, with messages a user understands.

Phone numbers are normalized here too: a contact that passes validation carries E.164 for each
of its phones.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from desktop_crm.domain.consent import CONSENT_FIELDS
from desktop_crm.domain.customer_clock import is_time_zone
from desktop_crm.domain.fields import EARLIEST_DATE, LATEST_DATE, FieldKind, out_of_bounds
from desktop_crm.domain.phones import DEFAULT_REGION, InvalidPhoneNumber, normalize_phone
from desktop_crm.domain.records import (
    FIELDS,
    Account,
    Activity,
    ActivityKind,
    Contact,
    Direction,
    Opportunity,
    PhoneKind,
    SyncedRecord,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 20_000
MAX_CONSENT_SOURCE = 500


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class ValidationFailed(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


def _check_name(errors: list[FieldError], value: str, what: str) -> None:
    if not value.strip():
        errors.append(FieldError("name", f"Enter a name for the {what}."))
    elif len(value) > MAX_NAME_LENGTH:
        errors.append(FieldError("name", f"The name is too long (at most {MAX_NAME_LENGTH})."))


def _check_text(errors: list[FieldError], name: str, value: str) -> None:
    if len(value) > MAX_TEXT_LENGTH:
        errors.append(FieldError(name, f"Too long: at most {MAX_TEXT_LENGTH} characters."))


def validate_account(account: Account) -> list[FieldError]:
    errors: list[FieldError] = []
    _check_name(errors, account.name, "customer")
    _check_text(errors, "notes", account.notes)
    if account.currency and not re.fullmatch(r"[A-Z]{3}", account.currency):
        errors.append(FieldError("currency", "Use a three-letter currency code such as CNY."))
    if account.country and not re.fullmatch(r"[A-Z]{2}", account.country):
        errors.append(FieldError("country", "Use a two-letter country code such as CN."))
    if account.timezone and not is_time_zone(account.timezone):
        message = f"“{account.timezone}” is not a time zone such as Asia/Shanghai."
        errors.append(FieldError("timezone", message))
    if account.language and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", account.language):
        errors.append(FieldError("language", "Use a language code such as zh or en."))
    return errors


# Built once: iterating an enum class costs more than the check (run per pushed record).
_PHONE_KINDS = frozenset(k.value for k in PhoneKind)
_ACTIVITY_KINDS = frozenset(k.value for k in ActivityKind)
_DIRECTIONS = frozenset(d.value for d in Direction)

#: Numbers already normalized: raw text as typed -> (E.164, extension).
KnownPhones = Mapping[str, tuple[str, str | None]]


def validate_contact(
    contact: Contact, region: str = DEFAULT_REGION, known_phones: KnownPhones | None = None
) -> list[FieldError]:
    """Validate and normalize the contact's phones in place. ``known_phones``: numbers whose
    normalization is already known (the stored copy's, when an edit leaves them as they were):
    parsing a number is the costliest check here, and its result depends on the text only."""
    errors: list[FieldError] = []
    _check_name(errors, contact.name, "contact")
    if not contact.account_id:
        errors.append(FieldError("account_id", "A contact belongs to a customer account."))
    for email in contact.emails:
        if not _EMAIL.match(email):
            errors.append(FieldError("emails", f"“{email}” is not an e-mail address."))
    if not 0 <= contact.decision_weight <= 100:
        errors.append(FieldError("decision_weight", "Decision weight runs from 0 to 100."))
    for phone in contact.phones:
        if phone.kind not in _PHONE_KINDS:
            errors.append(FieldError("phones", f"Unknown phone kind “{phone.kind}”."))
        known = known_phones.get(phone.raw) if known_phones else None
        if known is not None:
            phone.e164, phone.extension = known
            continue
        try:
            normalized = normalize_phone(phone.raw, region)
        except InvalidPhoneNumber as exc:
            errors.append(FieldError("phones", str(exc)))
            continue
        phone.e164 = normalized.e164
        phone.extension = normalized.extension
    if sum(p.primary for p in contact.phones) > 1:
        errors.append(FieldError("phones", "Only one phone number can be the primary one."))
    for _agreed, _since, source in CONSENT_FIELDS.values():
        if len(getattr(contact, source)) > MAX_CONSENT_SOURCE:
            errors.append(
                FieldError(source, f"Too long: at most {MAX_CONSENT_SOURCE} characters.")
            )
    return errors


def validate_opportunity(opportunity: Opportunity) -> list[FieldError]:
    errors: list[FieldError] = []
    _check_name(errors, opportunity.name, "opportunity")
    if not opportunity.account_id:
        errors.append(FieldError("account_id", "An opportunity belongs to a customer account."))
    if opportunity.amount < Decimal(0):
        errors.append(FieldError("amount", "The amount cannot be negative."))
    if not 0 <= opportunity.probability <= 100:
        errors.append(FieldError("probability", "Probability runs from 0 to 100 %."))
    return errors


def validate_activity(activity: Activity) -> list[FieldError]:
    errors: list[FieldError] = []
    if not activity.account_id:
        errors.append(FieldError("account_id", "An activity belongs to a customer account."))
    if activity.kind not in _ACTIVITY_KINDS:
        errors.append(FieldError("kind", f"Unknown activity kind “{activity.kind}”."))
    if activity.direction is not None and activity.direction not in _DIRECTIONS:
        errors.append(FieldError("direction", "Direction is inbound or outbound."))
    if not 0 <= activity.duration_minutes <= 24 * 60:
        errors.append(FieldError("duration_minutes", "Duration runs from 0 to 24 hours."))
    if activity.follow_up_at is not None and activity.follow_up_at < activity.start_at:
        errors.append(FieldError("follow_up_at", "The follow-up cannot be before the activity."))
    _check_text(errors, "summary", activity.summary)
    return errors


def _time_errors(record: SyncedRecord) -> list[FieldError]:
    """Dates and times outside the bounds (a record built in code, not read from the wire)."""
    errors: list[FieldError] = []
    for name, field in FIELDS[record.ENTITY].items():
        if field.kind in (FieldKind.DATE, FieldKind.DATETIME):
            value = getattr(record, name)
            if value is not None and out_of_bounds(value):
                errors.append(FieldError(name, f"Dates run from {EARLIEST_DATE} to {LATEST_DATE}."))
    return errors


def validate(
    record: SyncedRecord, region: str = DEFAULT_REGION, known_phones: KnownPhones | None = None
) -> list[FieldError]:
    time_errors = _time_errors(record)
    if time_errors:  # comparing such times (follow-up after start) could overflow
        return time_errors
    if isinstance(record, Account):
        return validate_account(record)
    if isinstance(record, Contact):
        return validate_contact(record, region, known_phones)
    if isinstance(record, Opportunity):
        return validate_opportunity(record)
    if isinstance(record, Activity):
        return validate_activity(record)
    raise TypeError(f"no validation for {type(record).__name__}")


def ensure_valid(
    record: SyncedRecord,
    region: str = DEFAULT_REGION,
    hidden: Collection[str] = (),
    known_phones: KnownPhones | None = None,
) -> None:
    """Raise :class:`ValidationFailed` with the record's problems.

    ``hidden`` names fields the writer cannot read (masked for their role): what those hold is
    the server's value, not the writer's, so a problem with it is not theirs to fix, and its
    message (which may quote the value) must never reach them. Those errors are left out."""
    errors = [
        error for error in validate(record, region, known_phones) if error.field not in hidden
    ]
    if errors:
        raise ValidationFailed(errors)
