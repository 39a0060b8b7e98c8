"""The kinds of the synced records' fields, and what each kind means: on the wire, as a blank
(a masked field) and in a CSV cell.

:data:`desktop_crm.domain.records.FIELDS` is the one table of every entity's fields and their
kinds, made once by :func:`record_fields` from the record dataclasses. The record decoding, the
replica's row encoding, the server's shape checks, masking and CSV import all read that table;
nothing else looks at the dataclasses' annotations.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop_crm.domain.phones import Phone


class FieldKind(enum.Enum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    #: Exact; text on the wire.
    DECIMAL = "decimal"
    #: ISO-8601 date text on the wire.
    DATE = "date"
    #: ISO-8601 time text on the wire; one without a zone is UTC.
    DATETIME = "datetime"
    TEXT_LIST = "text_list"
    #: A list of ``Phone.to_json()`` objects on the wire.
    PHONE_LIST = "phone_list"


LIST_KINDS = frozenset({FieldKind.TEXT_LIST, FieldKind.PHONE_LIST})


@dataclasses.dataclass(frozen=True, slots=True)
class RecordField:
    """One synced field of a record type."""

    name: str
    kind: FieldKind
    #: None is a value of the field (e.g. no expected close date).
    optional: bool = False

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS


#: The Python type of each kind, as the record dataclasses annotate it (None aside).
_KIND_OF_TYPE: dict[object, FieldKind] = {
    str: FieldKind.TEXT,
    int: FieldKind.INT,
    bool: FieldKind.BOOL,
    Decimal: FieldKind.DECIMAL,
    date: FieldKind.DATE,
    datetime: FieldKind.DATETIME,
    list[str]: FieldKind.TEXT_LIST,
    list[Phone]: FieldKind.PHONE_LIST,
}


def record_fields(record_type: type[Any]) -> dict[str, RecordField]:
    """The synced fields of a record dataclass (all but ``meta``), in declaration order.

    Raises TypeError for a field whose type has no kind, so a new kind of field cannot slip
    past the code that encodes, checks and masks fields."""
    hints = typing.get_type_hints(record_type)
    out: dict[str, RecordField] = {}
    for field in dataclasses.fields(record_type):
        if field.name == "meta":
            continue
        annotation = hints[field.name]
        args = typing.get_args(annotation)
        optional = typing.get_origin(annotation) in (types.UnionType, typing.Union) and (
            type(None) in args
        )
        if optional:
            rest = [a for a in args if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else annotation
        kind = _KIND_OF_TYPE.get(annotation)
        if kind is None:
            raise TypeError(f"{record_type.__name__}.{field.name}: no field kind for {annotation}")
        out[field.name] = RecordField(field.name, kind, optional)
    return out


# The wire ---------------------------------------------------------------------------------------


#: The dates a record may hold: every date Python has but the first and the last, so a time
#: moved to any time zone (UTC on the server, the user's zone on screen; offsets are under a
#: day) cannot overflow. Unbounded, ``0001-01-01T00:00:00+14:00`` raised OverflowError deep in
#: the server and lost a whole push. Not narrower: replicas may hold old records with odd
#: dates, and reading them back must not fail.
EARLIEST_DATE = date.min + timedelta(days=1)
LATEST_DATE = date.max - timedelta(days=1)


def _within_bounds(day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"dates run from {EARLIEST_DATE} to {LATEST_DATE}")


def parse_wire_date(text: str) -> date:
    """An ISO-8601 date inside the bounds; ValueError otherwise."""
    day = date.fromisoformat(text)
    _within_bounds(day)
    return day


def bounded_time(moment: datetime) -> datetime:
    """``moment`` (one without a zone is UTC) if its UTC date is inside the bounds; ValueError
    otherwise."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # The date check comes first: near date.min/date.max the conversion itself overflows.
    _within_bounds(aware.date())
    _within_bounds(aware.astimezone(UTC).date())
    return aware


def out_of_bounds(value: date) -> bool:
    """Whether a date or time (a ``datetime`` is a ``date``) is outside the bounds."""
    try:
        if isinstance(value, datetime):
            bounded_time(value)
        else:
            _within_bounds(value)
    except ValueError:
        return True
    return False


def parse_wire_time(text: str) -> datetime:
    """An ISO-8601 time inside the bounds; one without a zone is UTC. ValueError otherwise."""
    return bounded_time(datetime.fromisoformat(text))


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _phones(value: Any) -> list[Phone]:
    return [Phone.from_json(item) for item in value]


#: How a (non-None) wire value of each kind becomes the dataclass's value; None: as it is.
_DECODERS: dict[FieldKind, Callable[[Any], Any] | None] = {
    FieldKind.TEXT: None,
    FieldKind.INT: None,
    FieldKind.BOOL: None,
    FieldKind.DECIMAL: _decimal,
    FieldKind.DATE: parse_wire_date,
    FieldKind.DATETIME: parse_wire_time,
    FieldKind.TEXT_LIST: list,
    FieldKind.PHONE_LIST: _phones,
}


def wire_decoder(field: RecordField) -> Callable[[Any], Any] | None:
    """How :func:`decode_wire_value` turns a non-None value of ``field``; None: as it is."""
    return _DECODERS[field.kind]


def decode_wire_value(field: RecordField, value: Any) -> Any:
    """A wire (JSON) value of ``field`` as the record dataclass holds it."""
    if value is None:
        return None
    decoder = _DECODERS[field.kind]
    return value if decoder is None else decoder(value)


def blank_value(field: RecordField) -> Any:
    """What a masked field holds: an empty list or empty text; None for the rest (a hidden
    number or date is unknown, not zero)."""
    if field.kind in LIST_KINDS:
        return []
    if field.kind is FieldKind.TEXT and not field.optional:
        return ""
    return None


# CSV cells ---------------------------------------------------------------------------------------

_YES = frozenset({"1", "true", "yes", "y"})
_NO = frozenset({"", "0", "false", "no", "n"})


def value_from_text(field: RecordField, text: str) -> Any:
    """A CSV cell as the field's wire value. Lists are ``;``-separated (the first phone is
    the primary one), booleans yes/no, an empty cell of an optional field is None. Amounts and
    dates stay text, their wire form: the shape checks and validation judge them."""
    value = text.strip()
    if value == "" and field.optional:
        return None
    kind = field.kind
    if kind is FieldKind.INT:
        return int(value) if value else 0
    if kind is FieldKind.BOOL:
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise ValueError(f"“{value}” is not yes/no")
    if kind in LIST_KINDS:
        parts = [part.strip() for part in value.split(";") if part.strip()]
        if kind is FieldKind.PHONE_LIST:
            return [{"raw": raw, "primary": i == 0} for i, raw in enumerate(parts)]
        return parts
    return value
