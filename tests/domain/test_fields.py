"""The one table of the records' fields and kinds (``records.FIELDS``), and what each kind means
on the wire, as a blank and in a CSV cell."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from desktop_crm.domain.fields import (
    FieldKind,
    RecordField,
    blank_value,
    decode_wire_value,
    record_fields,
    value_from_text,
)
from desktop_crm.domain.records import (
    ENTITY_FIELDS,
    FIELDS,
    RECORD_TYPES,
    Activity,
    Contact,
    Entity,
    Opportunity,
    Phone,
)

K = FieldKind
#: The table as written out by hand: a change to a record type must show up here.
EXPECTED: dict[Entity, dict[str, tuple[FieldKind, bool]]] = {
    Entity.ACCOUNT: {
        "name": (K.TEXT, False),
        "industry": (K.TEXT, False),
        "status": (K.TEXT, False),
        "owner_id": (K.TEXT, False),
        "country": (K.TEXT, False),
        "language": (K.TEXT, False),
        "timezone": (K.TEXT, False),
        "currency": (K.TEXT, False),
        "address": (K.TEXT, False),
        "notes": (K.TEXT, False),
        "tags": (K.TEXT_LIST, False),
    },
    Entity.CONTACT: {
        "account_id": (K.TEXT, False),
        "name": (K.TEXT, False),
        "title": (K.TEXT, False),
        "decision_role": (K.TEXT, False),
        "decision_weight": (K.INT, False),
        "emails": (K.TEXT_LIST, False),
        "phones": (K.PHONE_LIST, False),
        "consent_email": (K.BOOL, False),
        "consent_phone": (K.BOOL, False),
        "notes": (K.TEXT, False),
        "consent_phone_at": (K.DATE, True),
        "consent_phone_source": (K.TEXT, False),
        "consent_email_at": (K.DATE, True),
        "consent_email_source": (K.TEXT, False),
        "consent_sms": (K.BOOL, False),
        "consent_sms_at": (K.DATE, True),
        "consent_sms_source": (K.TEXT, False),
        "do_not_contact": (K.BOOL, False),
    },
    Entity.OPPORTUNITY: {
        "account_id": (K.TEXT, False),
        "name": (K.TEXT, False),
        "stage": (K.TEXT, False),
        "amount": (K.DECIMAL, False),
        "currency": (K.TEXT, False),
        "probability": (K.INT, False),
        "expected_close": (K.DATE, True),
        "owner_id": (K.TEXT, False),
    },
    Entity.ACTIVITY: {
        "account_id": (K.TEXT, False),
        "kind": (K.TEXT, False),
        "start_at": (K.DATETIME, False),
        "contact_id": (K.TEXT, True),
        "opportunity_id": (K.TEXT, True),
        "direction": (K.TEXT, True),
        "outcome": (K.TEXT, False),
        "duration_minutes": (K.INT, False),
        "participants": (K.TEXT_LIST, False),
        "summary": (K.TEXT, False),
        "follow_up_at": (K.DATETIME, True),
        "follow_up_done": (K.BOOL, False),
        "author_id": (K.TEXT, False),
    },
}


def test_every_dataclass_field_has_its_kind() -> None:
    assert set(FIELDS) == set(Entity)
    for entity, record_type in RECORD_TYPES.items():
        names = tuple(
            f.name
            for f in dataclasses.fields(record_type)  # type: ignore[arg-type]
            if f.name != "meta"
        )
        assert tuple(FIELDS[entity]) == names == ENTITY_FIELDS[entity]
        assert {n: (f.kind, f.optional) for n, f in FIELDS[entity].items()} == EXPECTED[entity]
        assert all(f.name == n for n, f in FIELDS[entity].items())


def test_a_field_of_unknown_type_is_refused() -> None:
    @dataclasses.dataclass
    class Odd:
        ratio: float

    with pytest.raises(TypeError, match="Odd.ratio"):
        record_fields(Odd)


def spec(kind: FieldKind, optional: bool = False) -> RecordField:
    return RecordField("f", kind, optional)


@pytest.mark.parametrize(
    ("field", "wire", "value"),
    [
        (spec(K.TEXT), "王芳", "王芳"),
        (spec(K.TEXT, True), None, None),
        (spec(K.INT), 7, 7),
        (spec(K.BOOL), True, True),
        (spec(K.DECIMAL), "1234.50", Decimal("1234.50")),
        (spec(K.DECIMAL), 12, Decimal(12)),
        (spec(K.DATE), "2025-06-01", date(2025, 6, 1)),
        (spec(K.DATE, True), None, None),
        (spec(K.DATETIME), "2025-06-01T08:00:00", datetime(2025, 6, 1, 8, tzinfo=UTC)),
        (
            spec(K.DATETIME),
            "2025-06-01T08:00:00+08:00",
            datetime(2025, 6, 1, 8, tzinfo=timezone(timedelta(hours=8))),
        ),
        (spec(K.TEXT_LIST), ("a", "b"), ["a", "b"]),
        (
            spec(K.PHONE_LIST),
            [{"raw": "138 0013 8000", "primary": True, "e164": "+8613800138000"}],
            [Phone("138 0013 8000", primary=True, e164="+8613800138000")],
        ),
    ],
)
def test_decode_wire_value(field: RecordField, wire: Any, value: Any) -> None:
    decoded = decode_wire_value(field, wire)
    assert decoded == value and type(decoded) is type(value)
    if isinstance(value, datetime):
        assert decoded.utcoffset() == value.utcoffset()


def test_records_decode_through_the_table() -> None:
    opportunity = Opportunity(
        account_id="a1", name="big", amount=Decimal("99.90"), expected_close=date(2025, 7, 1)
    )
    assert Opportunity.from_data(opportunity.data(), opportunity.meta) == opportunity
    activity = Activity(
        account_id="a1",
        kind="call",
        start_at=datetime(2025, 6, 1, 8, tzinfo=UTC),
        follow_up_at=datetime(2025, 6, 2, tzinfo=UTC),
        participants=["u1"],
    )
    assert Activity.from_data(activity.data(), activity.meta) == activity
    contact = Contact(account_id="a1", name="王芳", phones=[Phone("+8613800138000")])
    assert Contact.from_data(contact.data(), contact.meta) == contact
    # Missing fields take the dataclass defaults.
    assert Contact.from_data({"account_id": "a1", "name": "x"}).consent_phone is True


@pytest.mark.parametrize(
    ("field", "blank"),
    [
        (spec(K.TEXT), ""),
        (spec(K.TEXT, True), None),
        (spec(K.INT), None),
        (spec(K.BOOL), None),
        (spec(K.DECIMAL), None),
        (spec(K.DATE, True), None),
        (spec(K.DATETIME), None),
        (spec(K.TEXT_LIST), []),
        (spec(K.PHONE_LIST), []),
    ],
)
def test_blank_value(field: RecordField, blank: Any) -> None:
    assert blank_value(field) == blank and type(blank_value(field)) is type(blank)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        (spec(K.TEXT), "  Acme  ", "Acme"),
        (spec(K.TEXT), "", ""),
        (spec(K.TEXT, True), " ", None),
        (spec(K.TEXT, True), "x", "x"),
        (spec(K.INT), "42", 42),
        (spec(K.INT), "", 0),
        (spec(K.BOOL), "Yes", True),
        (spec(K.BOOL), "1", True),
        (spec(K.BOOL), "", False),
        (spec(K.BOOL), "n", False),
        (spec(K.DECIMAL), "1234.50", "1234.50"),
        (spec(K.DATE, True), "", None),
        (spec(K.DATE, True), "2025-06-01", "2025-06-01"),
        (spec(K.DATETIME), "2025-06-01T08:00:00Z", "2025-06-01T08:00:00Z"),
        (spec(K.TEXT_LIST), "vip; key account ;;", ["vip", "key account"]),
        (
            spec(K.PHONE_LIST),
            "138 0013 8000; +49 30 1234567",
            [
                {"raw": "138 0013 8000", "primary": True},
                {"raw": "+49 30 1234567", "primary": False},
            ],
        ),
    ],
)
def test_value_from_text(field: RecordField, text: str, value: Any) -> None:
    assert value_from_text(field, text) == value


@pytest.mark.parametrize(("field", "text"), [(spec(K.BOOL), "maybe"), (spec(K.INT), "4.5")])
def test_value_from_text_refuses(field: RecordField, text: str) -> None:
    with pytest.raises(ValueError):
        value_from_text(field, text)
