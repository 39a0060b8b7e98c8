"""Consent per channel and the customer's clock (pure domain rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop_crm.domain.consent import (
    Channel,
    ChannelConsent,
    Verdict,
    consent_of,
    outreach_channel,
    set_consent,
    verdict,
)
from desktop_crm.domain.customer_clock import (
    ZoneSource,
    customer_clock,
    in_business_hours,
    known_time_zones,
)
from desktop_crm.domain.records import Account, Contact
from desktop_crm.domain.validation import validate_account, validate_contact


def test_a_channel_is_open_only_with_agreement_and_without_do_not_contact() -> None:
    person = Contact(account_id="a", name="Li", consent_phone=True, consent_email=False)
    assert verdict(person, Channel.PHONE) is Verdict.AGREED
    assert verdict(person, Channel.EMAIL) is Verdict.NOT_AGREED
    assert verdict(person, Channel.SMS) is Verdict.NOT_AGREED
    person.do_not_contact = True
    assert verdict(person, Channel.PHONE) is Verdict.DO_NOT_CONTACT


def test_consent_keeps_its_date_and_source_per_channel() -> None:
    person = Contact(account_id="a", name="Li")
    given = ChannelConsent(True, date(2026, 3, 1), "signed form")
    set_consent(person, Channel.SMS, given)
    assert consent_of(person, Channel.SMS) == given
    assert (person.consent_sms, person.consent_sms_at, person.consent_sms_source) == (
        True,
        date(2026, 3, 1),
        "signed form",
    )
    assert person.data()["consent_sms_at"] == "2026-03-01"
    assert Contact.from_data(person.data()).consent_sms_source == "signed form"


@pytest.mark.parametrize(
    ("kind", "direction", "channel"),
    [
        ("call", "outbound", Channel.PHONE),
        ("call", "inbound", None),
        ("email", None, Channel.EMAIL),
        ("email", "outbound", Channel.EMAIL),
        ("email", "inbound", None),
        ("meeting", None, None),
        ("note", None, None),
    ],
)
def test_only_our_own_outreach_asks_for_consent(
    kind: str, direction: str | None, channel: Channel | None
) -> None:
    assert outreach_channel(kind, direction) is channel


def test_an_overlong_consent_source_is_refused_by_name() -> None:
    person = Contact(account_id="a", name="Li", consent_email_source="x" * 501)
    assert [e.field for e in validate_contact(person)] == ["consent_email_source"]


# The clock ------------------------------------------------------------------------------------

#: A Wednesday, 14:40 UTC: 22:40 in Shanghai, 09:40 in New York, 15:40 in Berlin.
NOW = datetime(2026, 3, 4, 14, 40, tzinfo=UTC)


def test_the_account_zone_comes_first() -> None:
    clock = customer_clock("Asia/Shanghai", ["+12125550100"], NOW)
    assert clock is not None
    assert (clock.zone, clock.source, clock.guessed) == ("Asia/Shanghai", ZoneSource.ACCOUNT, False)
    assert clock.local.strftime("%H:%M") == "22:40"
    assert clock.business_hours is False


def test_without_an_account_zone_the_number_names_it() -> None:
    clock = customer_clock("", ["+493012345678"], NOW)
    assert clock is not None
    assert (clock.zone, clock.source) == ("Europe/Berlin", ZoneSource.PHONE)
    assert clock.local.strftime("%H:%M") == "15:40" and clock.business_hours


def test_an_unknown_zone_and_no_number_give_no_clock() -> None:
    assert customer_clock("Mars/Olympus", [], NOW) is None
    assert customer_clock("", ["not a number"], NOW) is None


def test_business_hours_are_weekdays_nine_to_six() -> None:
    assert in_business_hours(datetime(2026, 3, 4, 9, 0))
    assert not in_business_hours(datetime(2026, 3, 4, 18, 0))
    assert not in_business_hours(datetime(2026, 3, 4, 8, 59))
    assert not in_business_hours(datetime(2026, 3, 7, 11, 0))  # a Saturday


def test_the_zone_list_is_iana_and_the_account_must_name_one() -> None:
    assert "Asia/Shanghai" in known_time_zones()
    assert known_time_zones() == tuple(sorted(known_time_zones()))
    errors = validate_account(Account(name="A", timezone="Asia/Shanghai", language="zh"))
    assert errors == []
    errors = validate_account(Account(name="A", timezone="Shanghai time", language="Chinese"))
    assert sorted(e.field for e in errors) == ["language", "timezone"]
