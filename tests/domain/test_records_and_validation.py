"""Records convert to and from their wire form; validation speaks plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop_crm.domain.pipeline import StageRuleViolation, check_stage_entry, find_stage
from desktop_crm.domain.records import (
    DEFAULT_PIPELINE,
    ENTITY_FIELDS,
    Account,
    Activity,
    Contact,
    Entity,
    Opportunity,
    Phone,
)
from desktop_crm.domain.validation import ValidationFailed, ensure_valid, validate


def test_contact_round_trips_through_wire_data() -> None:
    contact = Contact(
        account_id="acc-1",
        name="王芳",
        emails=["wang@example.cn"],
        phones=[Phone(raw="138 0013 8000", primary=True)],
    )
    data = contact.data()
    assert list(data) == list(ENTITY_FIELDS[Entity.CONTACT])
    again = Contact.from_data(data)
    assert again.data() == data
    assert isinstance(again.phones[0], Phone)


def test_opportunity_and_activity_round_trip_typed_values() -> None:
    opp = Opportunity(
        account_id="a", name="ERP", amount=Decimal("12500.50"), expected_close=date(2026, 12, 1)
    )
    assert opp.data()["amount"] == "12500.50"
    assert Opportunity.from_data(opp.data()).amount == Decimal("12500.50")
    assert opp.score == Decimal("1250.05")
    start = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    act = Activity(account_id="a", kind="call", start_at=start, follow_up_at=start + timedelta(1))
    assert Activity.from_data(act.data()).follow_up_at == start + timedelta(1)


def test_validation_normalizes_phones_and_reports_each_problem() -> None:
    contact = Contact(
        account_id="",
        name=" ",
        emails=["not-an-address"],
        phones=[Phone(raw="(010) 6552 9988"), Phone(raw="12345")],
    )
    errors = {(e.field, e.message.split("”")[0]) for e in validate(contact)}
    assert ("name", "Enter a name for the contact.") in errors
    assert ("account_id", "A contact belongs to a customer account.") in errors
    assert ("emails", "“not-an-address") in errors
    assert ("phones", "“12345") in errors
    assert contact.phones[0].e164 == "+861065529988"


def test_known_numbers_are_not_parsed_again_and_new_ones_are() -> None:
    contact = Contact(
        account_id="acc-1",
        name="王芳",
        phones=[Phone(raw="138 0013 8000 ext 12"), Phone(raw="12345")],
    )
    known = {"138 0013 8000 ext 12": ("+8613800138000", "12")}
    errors = validate(contact, known_phones=known)
    # The known number takes the stored normalization; the new one is still checked.
    assert (contact.phones[0].e164, contact.phones[0].extension) == ("+8613800138000", "12")
    assert [e.field for e in errors] == ["phones"] and "12345" in errors[0].message
    # What a known number's text says is not looked at again (the stored copy's result).
    other = Contact(account_id="acc-1", name="李", phones=[Phone(raw="12345")])
    assert validate(other, known_phones={"12345": ("+8612345", None)}) == []
    assert other.phones[0].e164 == "+8612345"


def test_ensure_valid_raises_with_every_error() -> None:
    with pytest.raises(ValidationFailed) as info:
        ensure_valid(Account(name="", currency="yuan"))
    assert {e.field for e in info.value.errors} == {"name", "currency"}


def test_stage_entry_rules_say_what_is_missing() -> None:
    opp = Opportunity(account_id="a", name="ERP")
    proposal = find_stage(DEFAULT_PIPELINE, "proposal")
    with pytest.raises(StageRuleViolation) as info:
        check_stage_entry(opp, proposal, activities_since_stage_change=0)
    assert "log a call or meeting" in str(info.value)
    assert "expected close date" in str(info.value)
    opp.expected_close = date(2026, 12, 31)
    check_stage_entry(opp, proposal, activities_since_stage_change=1)
