"""Erasing a person (GDPR / PIPL): one rule for the server and every replica.

An erased contact keeps its id, its account and its place in activities (the business facts),
and loses everything that says who they were: name, title, role, e-mails, phones, notes,
consent. Its name becomes :data:`ERASED_NAME`, which only the server writes (a pushed contact
named so is refused): that is how a replica recognises an erasure arriving through the
ordinary feed, with no new field on the wire, so older clients keep syncing.

Texts elsewhere that quote the person (an activity's summary, a parked change) are scrubbed
with :func:`scrub`: each of the person's texts (:func:`personal_texts`) is replaced by the
marker, phone numbers also when written with other separators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

#: The name an erased contact carries everywhere (and the marker left in other texts).
ERASED_NAME = "[erased]"
#: A sync issue (replica) or push answer (server) about an edit to an erased person.
ERASED_REASON = (
    "This person's data was erased at their request; your unsynced change to them was "
    "removed without being sent."
)

#: Contact fields that say who the person is, with what an erased contact holds there.
ERASED_CONTACT_FIELDS: dict[str, Any] = {
    "name": ERASED_NAME,
    "title": "",
    "decision_role": "",
    "decision_weight": 0,
    "emails": [],
    "phones": [],
    "consent_email": False,
    "consent_phone": False,
    "notes": "",
}

#: Shorter texts are not scrubbed elsewhere: "Li" would take every "Li" out of every summary.
MIN_SCRUBBED = 3
#: A phone number is matched on this many trailing digits or more.
MIN_PHONE_DIGITS = 6


def is_erased_contact(data: Mapping[str, Any]) -> bool:
    return data.get("name") == ERASED_NAME


def erased_contact_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The contact's record data with every personal field replaced."""
    return {**data, **ERASED_CONTACT_FIELDS}


def personal_texts(contacts: Iterable[Mapping[str, Any]]) -> set[str]:
    """The texts that identify the person in any of these copies of their record."""
    out: set[str] = set()
    for data in contacts:
        if is_erased_contact(data):
            continue
        for name in ("name", "notes"):  # a title ("Head of purchasing") names nobody
            value = data.get(name)
            if isinstance(value, str):
                out.add(value.strip())
        out.update(e.strip() for e in data.get("emails") or () if isinstance(e, str))
        for phone in data.get("phones") or ():
            if isinstance(phone, Mapping):
                out.update(str(phone.get(k) or "").strip() for k in ("raw", "e164"))
    return {t for t in out if len(t) >= MIN_SCRUBBED and t != ERASED_NAME}


def _digits_pattern(text: str) -> str | None:
    """A pattern for a phone number's digits with any separators in between."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS or len(digits) * 2 < len(text.strip("+ ")):
        return None
    # The last national digits (no country code): how people write the number in a note.
    tail = digits[-min(len(digits), 11) :]
    return r"[\s().-]*".join(tail)


class Scrubber:
    """Replaces a person's texts with the marker in strings, lists and dicts."""

    def __init__(self, texts: Iterable[str]) -> None:
        words = sorted(set(texts), key=len, reverse=True)
        parts = [re.escape(t) for t in words]
        parts += [p for p in (_digits_pattern(t) for t in words) if p]
        self._pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(ERASED_NAME, value)

    def value(self, value: Any) -> Any:
        """``value`` with every string inside scrubbed (dicts and lists walked)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def mentions(self, value: Any) -> bool:
        return bool(self.value(value) != value)


def scrub(value: Any, texts: Iterable[str]) -> Any:
    return Scrubber(texts).value(value)
