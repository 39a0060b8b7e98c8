"""The synced record types, shared by the replica and the server.

A record travels as ``(entity, id, version, deleted, updated_at, updated_by, data)`` where
``data`` holds exactly the fields in :data:`ENTITY_FIELDS` as JSON values. The dataclasses here
are the typed view of the same thing; :data:`FIELDS` says what kind of value each field holds.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from desktop_crm.domain.fields import RecordField, record_fields, wire_decoder
from desktop_crm.domain.phones import Phone as Phone
from desktop_crm.domain.phones import PhoneKind as PhoneKind
from desktop_crm.domain.version_vector import VersionVector


class Entity(enum.StrEnum):
    ACCOUNT = "account"
    CONTACT = "contact"
    OPPORTUNITY = "opportunity"
    ACTIVITY = "activity"


class ActivityKind(enum.StrEnum):
    CALL = "call"
    MEETING = "meeting"
    VISIT = "visit"
    EMAIL = "email"
    NOTE = "note"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


def new_id() -> str:
    """Record ids are minted where the record is created, so offline creation needs no server."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclasses.dataclass(slots=True)
class RecordMeta:
    id: str = dataclasses.field(default_factory=new_id)
    version: VersionVector = dataclasses.field(default_factory=VersionVector)
    deleted: bool = False
    updated_at: datetime = dataclasses.field(default_factory=utc_now)
    updated_by: str = ""


class SyncedRecord:
    """Mixin: conversion between the typed record and its wire ``data`` dict."""

    ENTITY: ClassVar[Entity]
    meta: RecordMeta

    def data(self) -> dict[str, Any]:
        return {name: to_json_value(getattr(self, name)) for name in ENTITY_FIELDS[self.ENTITY]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any], meta: RecordMeta | None = None) -> Self:
        # decode_wire_value of each field present, by a per-entity plan (read once).
        kwargs: dict[str, Any] = {}
        for name, decoder in _DECODE_PLANS[cls.ENTITY]:
            if name in data:
                value = data[name]
                kwargs[name] = value if value is None or decoder is None else decoder(value)
        return cls(meta=meta or RecordMeta(), **kwargs)  # type: ignore[call-arg]


#: Values that are their own JSON value (exact types: an enum member of ``str`` is not one).
_PLAIN_TYPES = frozenset({str, int, bool, float, type(None)})


def to_json_value(value: Any) -> Any:
    if type(value) in _PLAIN_TYPES:
        return value  # the frequent case, without the checks below
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Phone):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    return value


@dataclasses.dataclass(slots=True)
class Account(SyncedRecord):
    ENTITY: ClassVar[Entity] = Entity.ACCOUNT
    name: str
    industry: str = ""
    status: str = "prospect"
    owner_id: str = ""
    country: str = ""
    language: str = ""
    timezone: str = ""
    currency: str = "CNY"
    address: str = ""
    notes: str = ""
    tags: list[str] = dataclasses.field(default_factory=list)
    meta: RecordMeta = dataclasses.field(default_factory=RecordMeta)


@dataclasses.dataclass(slots=True)
class Contact(SyncedRecord):
    ENTITY: ClassVar[Entity] = Entity.CONTACT
    account_id: str
    name: str
    title: str = ""
    decision_role: str = ""
    decision_weight: int = 0
    emails: list[str] = dataclasses.field(default_factory=list)
    phones: list[Phone] = dataclasses.field(default_factory=list)
    consent_email: bool = False
    consent_phone: bool = True
    notes: str = ""
    # Consent per channel: whether the person agreed, when (given or withdrawn) and where the
    # answer came from ("signed form", "phone, 2026-03-01"); do_not_contact overrides them all.
    # Added after the two booleans: older clients neither send nor erase them.
    consent_phone_at: date | None = None
    consent_phone_source: str = ""
    consent_email_at: date | None = None
    consent_email_source: str = ""
    consent_sms: bool = False
    consent_sms_at: date | None = None
    consent_sms_source: str = ""
    do_not_contact: bool = False
    meta: RecordMeta = dataclasses.field(default_factory=RecordMeta)


@dataclasses.dataclass(slots=True)
class Opportunity(SyncedRecord):
    ENTITY: ClassVar[Entity] = Entity.OPPORTUNITY
    account_id: str
    name: str
    stage: str = "lead"
    amount: Decimal = Decimal(0)
    currency: str = "CNY"
    probability: int = 10
    expected_close: date | None = None
    owner_id: str = ""
    meta: RecordMeta = dataclasses.field(default_factory=RecordMeta)

    @property
    def score(self) -> Decimal:
        """Weighted value: amount × probability."""
        return self.amount * self.probability / 100


@dataclasses.dataclass(slots=True)
class Activity(SyncedRecord):
    ENTITY: ClassVar[Entity] = Entity.ACTIVITY
    account_id: str
    kind: str
    start_at: datetime
    contact_id: str | None = None
    opportunity_id: str | None = None
    direction: str | None = None
    outcome: str = ""
    duration_minutes: int = 0
    participants: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""
    follow_up_at: datetime | None = None
    follow_up_done: bool = False
    author_id: str = ""
    meta: RecordMeta = dataclasses.field(default_factory=RecordMeta)


RECORD_TYPES: dict[Entity, type[SyncedRecord]] = {
    Entity.ACCOUNT: Account,
    Entity.CONTACT: Contact,
    Entity.OPPORTUNITY: Opportunity,
    Entity.ACTIVITY: Activity,
}

#: The one table of the fields that sync and their kinds, per entity, in declaration order.
FIELDS: dict[Entity, dict[str, RecordField]] = {
    entity: record_fields(record_type) for entity, record_type in RECORD_TYPES.items()
}
#: Per entity, (field name, its :func:`wire_decoder`) in declaration order.
_DECODE_PLANS: dict[Entity, tuple[tuple[str, Callable[[Any], Any] | None], ...]] = {
    entity: tuple((name, wire_decoder(field)) for name, field in fields.items())
    for entity, fields in FIELDS.items()
}
#: The names of the fields that sync, per entity, in declaration order.
ENTITY_FIELDS: dict[Entity, tuple[str, ...]] = {
    entity: tuple(fields) for entity, fields in FIELDS.items()
}

#: The field naming the account each entity belongs to (scope follows the account).
ACCOUNT_LINK: dict[Entity, str | None] = {
    Entity.ACCOUNT: None,
    Entity.CONTACT: "account_id",
    Entity.OPPORTUNITY: "account_id",
    Entity.ACTIVITY: "account_id",
}


# Configuration (not per-record synced; pulled as settings) -----------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PipelineStage:
    key: str
    name: str
    position: int
    default_probability: int
    requires_activity_since_stage_change: bool = False
    requires_expected_close: bool = False
    is_closed: bool = False
    is_won: bool = False


def pipeline_stage_from_row(row: Mapping[Any, Any]) -> PipelineStage:
    """A stage as a configuration table holds it (on the server and in the replica); flags
    may come back from the database as 0/1."""
    return PipelineStage(
        key=str(row["key"]),
        name=str(row["name"]),
        position=int(row["position"]),
        default_probability=int(row["default_probability"]),
        requires_activity_since_stage_change=bool(row["requires_activity_since_stage_change"]),
        requires_expected_close=bool(row["requires_expected_close"]),
        is_closed=bool(row["is_closed"]),
        is_won=bool(row["is_won"]),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class AccountStatus:
    key: str
    name: str
    position: int


DEFAULT_PIPELINE: tuple[PipelineStage, ...] = (
    PipelineStage("lead", "Lead", 1, 10),
    PipelineStage("qualified", "Qualified", 2, 25, requires_activity_since_stage_change=True),
    PipelineStage(
        "proposal",
        "Proposal",
        3,
        50,
        requires_activity_since_stage_change=True,
        requires_expected_close=True,
    ),
    PipelineStage(
        "negotiation",
        "Negotiation",
        4,
        75,
        requires_activity_since_stage_change=True,
        requires_expected_close=True,
    ),
    PipelineStage("won", "Won", 5, 100, requires_expected_close=True, is_closed=True, is_won=True),
    PipelineStage("lost", "Lost", 6, 0, is_closed=True),
)

DEFAULT_ACCOUNT_STATUSES: tuple[AccountStatus, ...] = (
    AccountStatus("prospect", "Prospect", 1),
    AccountStatus("active", "Active customer", 2),
    AccountStatus("dormant", "Dormant", 3),
    AccountStatus("former", "Former customer", 4),
)
