"""The push's shape checks answer the frequent field shapes first (``domain/shape.py``) and
the typed record decodes by a per-entity plan: each must answer exactly what the full path
answers."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_crm.domain import demo_data, shape
from desktop_crm.domain.fields import decode_wire_value
from desktop_crm.domain.records import FIELDS, RECORD_TYPES, Entity

VALUES: list[Any] = [
    None,
    "",
    "plain",
    "张伟 😀",
    "nul \x00 inside",
    "x" * (shape.MAX_STRING + 1),
    "lone \ud800 surrogate",
    "2026-12-02",
    "2026-12-02T10:00:00+00:00",
    "12.50",
    True,
    False,
    0,
    -5,
    2**53 - 1,
    2**53,
    -(2**53),
    1.5,
    float("nan"),
    [],
    ["a", "b"],
    ["a", 1],
    ["a", "\x00"],
    ["x"] * (shape.MAX_LIST + 1),
    [{"raw": "+86 10 1234 5678"}],
    {"a": "b"},
]


def _full(entity: Entity, data: dict[str, Any]) -> list[tuple[str, str]]:
    """field_problems as it was: every value through the full checks."""
    fields = FIELDS[entity]
    problems: list[tuple[str, str]] = []
    unknown = sorted(str(k) for k in data if k not in fields)
    if unknown:
        problems.append(("", f"unknown field(s) for {entity}: {shape.shown(', '.join(unknown))}"))
    for name, value in data.items():
        if name in fields:
            problem = shape._check_scalar(fields[name], value) or shape._deep_text_problem(value)
            if problem:
                problems.append((name, problem))
    return problems


@pytest.mark.parametrize("entity", list(Entity))
def test_fast_shape_checks_answer_as_the_full_ones(entity: Entity) -> None:
    for name in FIELDS[entity]:
        for value in VALUES:
            data = {name: value}
            assert shape.field_problems(entity, data) == _full(entity, data), (name, value)


def _valid_data() -> dict[Entity, dict[str, Any]]:
    found: dict[Entity, dict[str, Any]] = {}
    for record in demo_data.generate(seed=3, accounts=5, owner_ids=["u"]):
        found.setdefault(record.ENTITY, record.data())
    return found


@pytest.mark.parametrize("entity", list(Entity))
def test_typed_record_decodes_as_decode_wire_value(entity: Entity) -> None:
    fields = FIELDS[entity]
    valid = _valid_data()[entity]
    for name, field in fields.items():
        for value in VALUES:
            try:
                expected: Any = decode_wire_value(field, value)
            except Exception as exc:  # noqa: BLE001 - wrong shapes raise what they raise
                expected = type(exc)
            record_type = RECORD_TYPES[entity]
            try:
                got: Any = getattr(record_type.from_data({**valid, name: value}), name)
            except Exception as exc:  # noqa: BLE001
                got = type(exc)
            assert got is expected or got == expected or repr(got) == repr(expected), (name, value)
