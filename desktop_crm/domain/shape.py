"""Shape checks for record data from outside, before the domain types see it.

The domain dataclasses trust their inputs; a pushed change (on the server) or a value a person
typed as JSON (a conflict resolution, a retried sync issue) is untrusted. These checks turn
every wrong type, NUL character or unencodable string into a reason a person can read, instead
of an exception deep in validation or the database driver.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop_crm.domain.fields import FieldKind, RecordField, parse_wire_date, parse_wire_time
from desktop_crm.domain.records import FIELDS, Entity

MAX_STRING = 20_000
MAX_LIST = 1_000


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    if len(value) > MAX_STRING:
        return f"is longer than {MAX_STRING} characters"
    if value.isascii():
        return None  # nothing to encode wrongly (and no copy made to find out)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def usable_id(value: object) -> str | None:
    """``value`` if it can be looked up as an id (non-empty text the database accepts: no
    NUL, not too long, valid Unicode), else None."""
    if isinstance(value, str) and value and text_problem(value) is None:
        return value
    return None


def shown(value: str, limit: int = 200) -> str:
    """Incoming text made safe to quote in a reason (which goes back as JSON and may be kept
    in a replica): NUL and lone surrogates escaped, length cut."""
    cut = value[:limit]
    if text_problem(cut) is None:
        return cut
    return cut.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


#: Values without text inside (exact types), answered before the costlier checks below.
_NO_TEXT_TYPES = frozenset({int, bool, float, type(None)})


def _deep_text_problem(value: Any) -> str | None:
    if type(value) in _NO_TEXT_TYPES:
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = text_problem(str(key)) or _deep_text_problem(item)
            if problem:
                return problem
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            return f"has more than {MAX_LIST} items"
        for item in value:
            problem = _deep_text_problem(item)
            if problem:
                return problem
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_scalar(field: RecordField, value: Any) -> str | None:
    """Return what is wrong with ``value`` for ``field``."""
    if value is None:
        return None if field.optional else "must not be empty (null)"
    kind = field.kind
    if kind is FieldKind.TEXT:
        return None if isinstance(value, str) else "must be text"
    if kind is FieldKind.INT:
        if not _is_int(value):
            return "must be a whole number"
        return None if abs(value) < 2**53 else "is too large"
    if kind is FieldKind.BOOL:
        return None if isinstance(value, bool) else "must be true or false"
    if kind is FieldKind.DECIMAL:
        return _decimal_problem(value)
    if kind is FieldKind.DATE or kind is FieldKind.DATETIME:
        return _time_problem(kind, value)
    if kind is FieldKind.TEXT_LIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of text"
        return None
    if kind is FieldKind.PHONE_LIST:
        return _phones_problem(value)
    return None  # a field kind this checker does not know: leave it to validation


def _decimal_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return "must be a number"
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        return "must be a finite number below 10^15"
    return None


def _time_problem(kind: FieldKind, value: Any) -> str | None:
    is_date = kind is FieldKind.DATE
    if not isinstance(value, str):
        return "must be an ISO-8601 date" if is_date else "must be an ISO-8601 time"
    if text_problem(value):
        return "must be an ISO-8601 date" if is_date else "must be an ISO-8601 time"
    try:
        (date if is_date else datetime).fromisoformat(value)
    except ValueError:
        return f"“{value[:40]}” is not an ISO-8601 {'date' if is_date else 'datetime'}"
    try:
        (parse_wire_date if is_date else parse_wire_time)(value)
    except ValueError as exc:
        return f"is out of range: {exc}"
    return None


def _phones_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of phone numbers"
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("raw"), str):
            return "each phone needs its number as text in “raw”"
        for key, kind in (("kind", str), ("e164", str), ("primary", bool)):
            if key in item and not isinstance(item[key], kind):
                return f"phone “{key}” has the wrong type"
        if item.get("extension") is not None and not isinstance(item["extension"], str):
            return "phone “extension” must be text"
        unknown = set(item) - {"raw", "kind", "primary", "e164", "extension"}
        if unknown:
            return f"phone has unknown keys: {shown(', '.join(sorted(map(str, unknown))))}"
    return None


def _plain_texts(values: list[Any]) -> bool:
    """``values`` is a list of text the full checks find nothing wrong with."""
    return len(values) <= MAX_LIST and all(
        type(v) is str and text_problem(v) is None for v in values
    )


def field_problems(entity: Entity, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, what is wrong) for every value in ``data`` of the wrong shape for its field;
    ("", …) names the unknown fields."""
    fields = FIELDS[entity]
    problems: list[tuple[str, str]] = []
    unknown = sorted(str(k) for k in data if k not in fields)
    if unknown:
        problems.append(("", f"unknown field(s) for {entity}: {shown(', '.join(unknown))}"))
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            continue
        kind, kind_of_value = field.kind, type(value)
        # The frequent shapes first, answered as the full checks below would answer them.
        if kind_of_value is str and kind is FieldKind.TEXT:
            problem = text_problem(value)
        elif (
            (kind_of_value is bool and kind is FieldKind.BOOL)
            or (value is None and field.optional)
            or (kind_of_value is int and kind is FieldKind.INT and -(2**53) < value < 2**53)
            or (kind_of_value is list and kind is FieldKind.TEXT_LIST and _plain_texts(value))
        ):
            continue
        else:
            problem = _check_scalar(field, value) or _deep_text_problem(value)
        if problem:
            problems.append((name, problem))
    return problems


def data_problems(entity: Entity, data: Mapping[str, Any]) -> list[str]:
    """:func:`field_problems` as sentences ("title must be text")."""
    return [
        f"{name} {problem}" if name else problem for name, problem in field_problems(entity, data)
    ]
