"""Phone numbers: a contact's phone entry, normalization, the reversed-digit search key, and
query parsing.

Each stored number is kept three ways: as typed (shown to people), E.164 (exact match) and its
digits reversed, so "ends with these digits" becomes an index range scan (the caller-ID trick).
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import (
    CountryCodeSource,
    NumberParseException,
    PhoneNumberFormat,
    PhoneNumberMatcher,
)
from phonenumbers import timezone as phone_timezone

#: Fewest trailing digits a suffix search accepts: fewer would match too much to be useful.
MIN_SUFFIX_DIGITS = 4

DEFAULT_REGION = "CN"

# Words people and phone systems put before an extension. phonenumbers knows the English ones;
# the Chinese "转" (transfer to) and "分机" (extension) are common in pasted numbers here.
_EXTENSION_WORDS = re.compile(r"\s*(?:转|轉|分机|分機)\s*")
_INTERNATIONAL_00 = re.compile(r"^\s*00(?=\s*[1-9])")


class InvalidPhoneNumber(ValueError):
    """Raised with a message meant for the person who typed the number."""


class PhoneMatch(enum.IntEnum):
    """How well a stored number matches what was typed; higher is better."""

    SUFFIX = 1  # the stored number ends with the typed digits
    NATIONAL = 2  # same national number, country code absent or different in the input
    EXACT = 3  # same E.164 number


class PhoneKind(enum.StrEnum):
    MOBILE = "mobile"
    WORK = "work"
    HOME = "home"
    FAX = "fax"
    OTHER = "other"


@dataclass(slots=True)
class Phone:
    """One number of a contact, as the contact record holds it (the ``phones`` field)."""

    raw: str
    kind: str = PhoneKind.MOBILE.value
    primary: bool = False
    #: Filled by normalization; empty until then.
    e164: str = ""
    extension: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "raw": self.raw,
            "kind": self.kind,
            "primary": self.primary,
            "e164": self.e164,
            "extension": self.extension,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Phone:
        return cls(
            raw=str(value.get("raw", "")),
            kind=str(value.get("kind", PhoneKind.MOBILE.value)),
            primary=bool(value.get("primary", False)),
            e164=str(value.get("e164", "")),
            extension=value.get("extension"),
        )


@dataclass(frozen=True, slots=True)
class NormalizedPhone:
    raw: str
    e164: str
    extension: str | None
    region: str | None  # region the number belongs to, e.g. "CN"

    @property
    def reversed_digits(self) -> str:
        return reversed_digits(self.e164)

    def time_zones(self) -> tuple[str, ...]:
        """Likely IANA time zones of the subscriber ("OK to call now?")."""
        return time_zones_for_e164(self.e164)


@dataclass(frozen=True, slots=True)
class PhoneQuery:
    """What a search box input means as a phone number.

    ``e164`` is set when the input is a complete valid number; ``reversed_suffix`` is always set
    (the reversed trailing digits to range-scan for)."""

    text: str
    digits: str
    e164: str | None
    reversed_suffix: str
    #: The input named no country: a stored number with the same national digits under
    #: another country code is a plausible (lower-ranked) match.
    country_implied: bool = False


def time_zones_for_e164(e164: str) -> tuple[str, ...]:
    """Likely IANA time zones of a stored E.164 number; none for one that does not parse."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return ()
    zones = phone_timezone.time_zones_for_number(number)
    return tuple(z for z in zones if z != "Etc/Unknown")


def reversed_digits(e164: str) -> str:
    if e164[:1] == "+" and e164[1:].isascii() and e164[1:].isdigit():
        return e164[:0:-1]  # the usual case, and a hot path of the bulk loader
    return "".join(ch for ch in e164 if ch.isdigit())[::-1]


def clean_input(text: str) -> str:
    """Fold full-width characters to ASCII and spell Chinese extension markers as ``ext``."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return _EXTENSION_WORDS.sub(" ext ", folded)


def _parse_valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    candidates = [text]
    # "00" is the international prefix in most of the world but not in e.g. the US (011):
    # people paste "0044 20 …" anyway, so also try it as "+44 20 …".
    if _INTERNATIONAL_00.match(text):
        candidates.append(_INTERNATIONAL_00.sub("+", text, count=1))
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region, keep_raw_input=True)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    # Text around the number ("call me at 138 0013 8000 please"): let the matcher find it.
    for match in PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        return match.number
    return None


def _explain_invalid(text: str, region: str) -> str:
    shown = text.strip() or "(empty)"
    if not any(ch.isdigit() for ch in text):
        return f"“{shown}” has no digits, so it is not a phone number."
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return f"“{shown}” starts with a country code that does not exist."
        if exc.error_type == NumberParseException.TOO_SHORT_NSN:
            return f"“{shown}” has too few digits to be a phone number."
        if exc.error_type == NumberParseException.TOO_LONG:
            return f"“{shown}” has too many digits to be a phone number."
        return f"“{shown}” is not a phone number."
    reason = phonenumbers.is_possible_number_with_reason(number)
    country = phonenumbers.region_code_for_number(number) or region
    reasons = {
        phonenumbers.ValidationResult.TOO_SHORT: "has too few digits",
        phonenumbers.ValidationResult.TOO_LONG: "has too many digits",
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "has a country code not in use",
        phonenumbers.ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
    }
    why = reasons.get(reason, "is not a valid phone number")
    return (
        f"“{shown}” {why} in {country}. "
        "Check the digits, or add the country code (for example +86 or +1)."
    )


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> NormalizedPhone:
    """Parse a number as typed; raise :class:`InvalidPhoneNumber` with a plain message."""
    text = clean_input(raw)
    number = _parse_valid(text, region)
    if number is None:
        raise InvalidPhoneNumber(_explain_invalid(text, region))
    return NormalizedPhone(
        raw=raw.strip(),
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        extension=number.extension or None,
        region=phonenumbers.region_code_for_number(number),
    )


def _digits_without_extension(text: str) -> str:
    main = re.split(r"(?i)\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", text)[0]
    return "".join(ch for ch in main if ch.isdigit())


def parse_phone_query(text: str, region: str = DEFAULT_REGION) -> PhoneQuery | None:
    """Read a search box input as a phone number, or return None when it is not one.

    A complete valid number gives an exact E.164 key plus its national digits as the suffix key
    (so a number stored under another country code is still found, ranked lower). A shorter
    string of at least :data:`MIN_SUFFIX_DIGITS` digits is a suffix search.
    """
    cleaned = clean_input(text)
    digits = _digits_without_extension(cleaned)
    if len(digits) < MIN_SUFFIX_DIGITS:
        return None
    letters = sum(ch.isalpha() for ch in cleaned)
    number = _parse_valid(cleaned, region)
    if number is None and letters > len(digits):
        return None  # mostly words: a name search that happens to contain digits
    if number is not None:
        national = str(number.national_number)
        implied = number.country_code_source == CountryCodeSource.FROM_DEFAULT_COUNTRY
        return PhoneQuery(
            text=text,
            digits=digits,
            e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
            reversed_suffix=national[::-1],
            country_implied=implied,
        )
    return PhoneQuery(text=text, digits=digits, e164=None, reversed_suffix=digits[::-1])


def match_level(query: PhoneQuery, stored_e164: str) -> PhoneMatch | None:
    """Confirm a candidate found by index: how well ``stored_e164`` matches the query."""
    if query.e164 is not None:
        if stored_e164 == query.e164:
            return PhoneMatch.EXACT
        if query.country_implied:
            stored = phonenumbers.parse(stored_e164, None)
            if str(stored.national_number)[::-1] == query.reversed_suffix:
                return PhoneMatch.NATIONAL
        # A valid number whose national digits merely end another number is not a match.
        return None
    if reversed_digits(stored_e164).startswith(query.reversed_suffix):
        return PhoneMatch.SUFFIX
    return None
