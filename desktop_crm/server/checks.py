"""Shape checks for incoming record data, before the domain types see it.

The domain dataclasses trust their inputs; a pushed change is untrusted JSON. These checks turn
every wrong type, NUL character or unencodable string into a reason a person can read, instead
of an exception deep in validation or the database driver.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop_crm.domain.records import RECORD_TYPES, Entity

MAX_STRING = 20_000
MAX_LIST = 1_000

_FIELD_TYPES: dict[Entity, dict[str, str]] = {
    entity: {
        f.name: str(f.type)
        for f in dataclasses.fields(record_type)  # type: ignore[arg-type]
        if f.name != "meta"
    }
    for entity, record_type in RECORD_TYPES.items()
}


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    if len(value) > MAX_STRING:
        return f"is longer than {MAX_STRING} characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def _deep_text_problem(value: Any) -> str | None:
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


def _check_scalar(type_name: str, value: Any) -> str | None:
    """Return what is wrong with ``value`` for a field annotated ``type_name``."""
    optional = type_name.endswith(" | None")
    base = type_name.removesuffix(" | None")
    if value is None:
        return None if optional else "must not be empty (null)"
    if base == "str":
        return None if isinstance(value, str) else "must be text"
    if base == "int":
        if not _is_int(value):
            return "must be a whole number"
        return None if abs(value) < 2**53 else "is too large"
    if base == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if base == "Decimal":
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
    if base in {"date", "datetime"}:
        if not isinstance(value, str):
            return "must be an ISO-8601 date" if base == "date" else "must be an ISO-8601 time"
        try:
            (date if base == "date" else datetime).fromisoformat(value)
        except ValueError:
            return f"“{value[:40]}” is not an ISO-8601 {base}"
        return None
    if base == "list[str]":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of text"
        return None
    if base == "list[Phone]":
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
                return f"phone has unknown keys: {', '.join(sorted(map(str, unknown)))}"
        return None
    return None  # a field type this checker does not know: leave it to validation


def data_problems(entity: Entity, data: Mapping[str, Any]) -> list[str]:
    fields = _FIELD_TYPES[entity]
    problems: list[str] = []
    unknown = sorted(str(k) for k in data if k not in fields)
    if unknown:
        problems.append(f"unknown field(s) for {entity}: {', '.join(unknown)[:200]}")
    for name, value in data.items():
        if name not in fields:
            continue
        problem = _check_scalar(fields[name], value) or _deep_text_problem(value)
        if problem:
            problems.append(f"{name} {problem}")
    return problems
