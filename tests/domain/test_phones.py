"""Phone normalization and the messages people see for bad numbers."""

from __future__ import annotations

import pytest

from desktop_crm.domain.phones import (
    InvalidPhoneNumber,
    PhoneMatch,
    match_level,
    normalize_phone,
    parse_phone_query,
    reversed_digits,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "extension"),
    [
        ("+86 138 0013 8000", "CN", "+8613800138000", None),
        ("13800138000", "CN", "+8613800138000", None),
        ("013800138000", "CN", "+8613800138000", None),  # trunk 0 before a mobile
        ("138-0013-8000", "CN", "+8613800138000", None),
        ("(138) 0013 8000", "CN", "+8613800138000", None),
        ("１３８００１３８０００", "CN", "+8613800138000", None),  # full-width digits
        ("＋８６ １３８ ００１３ ８０００", "CN", "+8613800138000", None),
        ("0086 138 0013 8000", "CN", "+8613800138000", None),
        ("(010) 6552 9988", "CN", "+861065529988", None),
        ("010-65529988转123", "CN", "+861065529988", "123"),
        ("021 6888 1234 分机 88", "CN", "+862168881234", "88"),
        ("+1 (650) 253-0000 ext. 42", "CN", "+16502530000", "42"),
        ("650-253-0000", "US", "+16502530000", None),
        ("0044 20 7946 0958", "US", "+442079460958", None),  # 00 outside its home region
        ("+44 20 7946 0958", "CN", "+442079460958", None),
        ("030 1234 5678", "DE", "+493012345678", None),
        ("Tel.: +49 30 1234 5678 (Zentrale)", "CN", "+493012345678", None),
    ],
)
def test_normalizes_numbers_as_people_type_them(
    raw: str, region: str, e164: str, extension: str | None
) -> None:
    phone = normalize_phone(raw, region)
    assert phone.e164 == e164
    assert phone.extension == extension
    assert phone.reversed_digits == e164[1:][::-1]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "no digits"),
        ("call me", "no digits"),
        ("12345", "not a valid phone number"),
        ("+999 1234 5678", "country code that does not exist"),
        ("138001380001234567890", "too many digits"),
        ("+86 1", "too few digits"),
    ],
)
def test_invalid_numbers_explain_themselves(raw: str, words: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as info:
        normalize_phone(raw, "CN")
    assert words in str(info.value)


def test_time_zone_from_the_number() -> None:
    assert normalize_phone("+86 138 0013 8000").time_zones() == ("Asia/Shanghai",)
    assert "America/Los_Angeles" in normalize_phone("+1 650 253 0000").time_zones()


def test_short_digit_strings_are_suffix_queries() -> None:
    query = parse_phone_query("8000")
    assert query is not None and query.e164 is None
    assert query.reversed_suffix == "0008"
    assert match_level(query, "+8613800138000") is PhoneMatch.SUFFIX
    assert match_level(query, "+8613800138001") is None


def test_names_are_not_phone_queries() -> None:
    assert parse_phone_query("Acme 2024 Trading") is None
    assert parse_phone_query("张伟") is None
    assert parse_phone_query("123") is None


def test_full_number_confirms_exact_and_national_matches() -> None:
    query = parse_phone_query("650 253 0000", "US")
    assert query is not None and query.e164 == "+16502530000"
    assert match_level(query, "+16502530000") is PhoneMatch.EXACT
    # Typed without a country code: the same national number elsewhere is a weaker match.
    assert match_level(query, "+446502530000") is PhoneMatch.NATIONAL
    explicit = parse_phone_query("+1 650 253 0000", "CN")
    assert explicit is not None
    assert match_level(explicit, "+446502530000") is None


def test_reversed_digits_ignore_formatting() -> None:
    assert reversed_digits("+8613800138000") == "00083100831 68".replace(" ", "")
