"""Tag rules: declarative conditions that compute an account's system tags.

A rule file (TOML or JSON, ``docs/tag-rules.md``) lists rules; each names a ``tag`` and the
conditions (``when``) that must all hold. A condition reads either one of the account's own
fields (``field``: status, industry, country, ...) or a measure of the account and its records
(``measure``: won amount, open deals, days since the last activity, ...), compared with a
constant. No expression language and nothing evaluated: every name is looked up in the tables
below, so a rule file can only ask what these tables offer.

Parsing is strict: an unknown key, measure, field or operator, a wrong type, or a duplicate tag
is refused with the line it is on (:class:`TagRuleError`). Evaluation is in
:mod:`desktop_crm.domain.tag_evaluation`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

#: Measures of an account: name -> whether it takes a time window (days or months).
MEASURES: dict[str, bool] = {
    "won_amount": True,
    "won_deals": True,
    "open_deals": False,
    "open_amount": False,
    "activities": True,
    "days_since_activity": False,
    "days_since_created": False,
    "stalled_deals": True,
}
#: Measures that need their window (the others may have one or not, as the table says).
WINDOW_REQUIRED = frozenset({"stalled_deals"})
#: The account's own fields a condition may read.
FIELDS = ("status", "industry", "country", "currency", "language", "owner_id", "timezone")
NUMBER_OPS = (">=", ">", "<=", "<", "==", "!=")
FIELD_OPS = ("==", "!=", "in", "not in")
MAX_TAG_LENGTH = 40
MAX_RULES = 200
_JSON_START = re.compile(r"^\s*(\{|\[\s*(\{|\]|$))")
_TAG_TEXT = re.compile(r"^[^\x00-\x1f\x7f,]+$")


class TagRuleError(ValueError):
    """A rule file that cannot be used: where (``line``, 0 when unknown) and why."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line else reason)


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    days: int = 0
    months: int = 0

    def describe(self) -> str:
        if self.months:
            return "1 month" if self.months == 1 else f"{self.months} months"
        return "1 day" if self.days == 1 else f"{self.days} days"

    def to_dict(self) -> dict[str, int]:
        return {"months": self.months} if self.months else {"days": self.days}


@dataclasses.dataclass(frozen=True, slots=True)
class Condition:
    #: ``"measure"`` or ``"field"``.
    kind: str
    name: str
    op: str
    #: A Decimal for measures; a string (``==``, ``!=``) or tuple of strings (``in``).
    value: Decimal | str | tuple[str, ...]
    window: Window | None = None

    def to_dict(self) -> dict[str, Any]:
        value: Any = self.value
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else str(value)
        elif isinstance(value, tuple):
            value = list(value)
        out: dict[str, Any] = {self.kind: self.name, "op": self.op, "value": value}
        if self.window is not None:
            out.update(self.window.to_dict())
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class TagRule:
    tag: str
    when: tuple[Condition, ...]
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tag": self.tag, "when": [c.to_dict() for c in self.when]}
        if self.description:
            out["description"] = self.description
        return out


# Reading a rule file ---------------------------------------------------------------------------


def parse_rule_file(text: str, *, json_format: bool | None = None) -> list[TagRule]:
    """The rules in ``text`` (TOML, or JSON when ``json_format`` or when it starts like JSON:
    ``{`` or a ``[`` list of objects, not a ``[[rule]]`` header). Raises
    :class:`TagRuleError` naming the line and the reason."""
    if json_format is None:
        json_format = _JSON_START.match(text) is not None
    items = _json_items(text) if json_format else _toml_items(text)
    locator = _Locator(text, json_format)
    if len(items) > MAX_RULES:
        raise TagRuleError(0, f"at most {MAX_RULES} rules")
    rules: list[TagRule] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        rule = _rule(item, index, locator)
        key = rule.tag.casefold()
        if key in seen:
            raise TagRuleError(
                locator.line(index, rule.tag), f"tag {rule.tag!r} is defined twice"
            )
        seen[key] = index
        rules.append(rule)
    return rules


def rules_from_dicts(items: Sequence[Mapping[str, Any]]) -> list[TagRule]:
    """Rules as :meth:`TagRule.to_dict` stored them (trusted: checked when they were set)."""
    return parse_rule_file(json.dumps({"rule": list(items)}), json_format=True)


def rules_to_json(rules: Sequence[TagRule]) -> str:
    return json.dumps([r.to_dict() for r in rules], ensure_ascii=False)


def _toml_items(text: str) -> list[Any]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise TagRuleError(int(match.group(1)) if match else 0, f"not TOML: {exc}") from None
    return _rule_list(document)


def _json_items(text: str) -> list[Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TagRuleError(exc.lineno, f"not JSON: {exc.msg}") from None
    return _rule_list(document)


def _rule_list(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        unknown = sorted(set(document) - {"rule"})
        if unknown:
            raise TagRuleError(0, f"unknown top-level key {unknown[0]!r} (rules go in 'rule')")
        items = document.get("rule", [])
        if isinstance(items, list):
            return items
    raise TagRuleError(1, "expected a list of rules ([[rule]] tables in TOML)")


class _Locator:
    """Finds the line a problem is on. TOML and JSON readers do not keep positions, so this
    finds the rule's start (its ``[[rule]]`` header, or its ``"tag"`` key in JSON) and then the
    first line from there that holds the offending word."""

    def __init__(self, text: str, json_format: bool) -> None:
        self.lines: list[str] = text.splitlines()
        pattern = r'"tag"\s*:' if json_format else r"^\s*\[\[\s*rule\s*\]\]"
        self.starts: list[int] = [
            i for i, line in enumerate(self.lines) if re.search(pattern, line)
        ]

    def line(self, rule_index: int, word: str | None = None) -> int:
        if rule_index >= len(self.starts):
            return 0
        start = self.starts[rule_index]
        end = self.starts[rule_index + 1] if rule_index + 1 < len(self.starts) else len(self.lines)
        previous = self.starts[rule_index - 1] + 1 if rule_index else 0
        if word:
            # Forward through the rule, then back (in JSON a key may come before "tag").
            order: list[int] = [*range(start, end), *range(start - 1, previous - 1, -1)]
            for number in order:
                if word in self.lines[number]:
                    return number + 1
        return start + 1


def _rule(item: Any, index: int, locator: _Locator) -> TagRule:
    where = locator.line(index)
    if not isinstance(item, dict):
        raise TagRuleError(where, f"rule {index + 1} is not a table of keys")
    unknown = sorted(set(item) - {"tag", "when", "description"})
    if unknown:
        raise TagRuleError(locator.line(index, unknown[0]), f"unknown key {unknown[0]!r}")
    tag = item.get("tag")
    if not isinstance(tag, str) or not tag.strip():
        raise TagRuleError(where, f"rule {index + 1} needs a 'tag' (its name)")
    tag = tag.strip()
    if len(tag) > MAX_TAG_LENGTH or not _TAG_TEXT.match(tag):
        raise TagRuleError(
            locator.line(index, "tag"),
            f"tag {tag!r}: at most {MAX_TAG_LENGTH} characters, no commas or control characters",
        )
    description = item.get("description", "")
    if not isinstance(description, str):
        raise TagRuleError(locator.line(index, "description"), "'description' must be text")
    when = item.get("when")
    if not isinstance(when, list) or not when:
        raise TagRuleError(
            locator.line(index, "when"), f"tag {tag!r} needs 'when': a list of conditions"
        )
    conditions = tuple(_condition(c, index, locator, tag) for c in when)
    return TagRule(tag=tag, when=conditions, description=description)


def _condition(item: Any, index: int, locator: _Locator, tag: str) -> Condition:
    if not isinstance(item, dict):
        raise TagRuleError(locator.line(index, "when"), f"tag {tag!r}: a condition is a table")
    unknown = sorted(set(item) - {"measure", "field", "op", "value", "days", "months"})
    if unknown:
        raise TagRuleError(locator.line(index, unknown[0]), f"unknown key {unknown[0]!r}")
    if ("measure" in item) == ("field" in item):
        raise TagRuleError(
            locator.line(index, "when"),
            f"tag {tag!r}: each condition names one 'measure' or one 'field'",
        )
    if "measure" in item:
        return _measure_condition(item, index, locator)
    return _field_condition(item, index, locator)


def _measure_condition(item: dict[str, Any], index: int, locator: _Locator) -> Condition:
    name = item["measure"]
    line = locator.line(index, str(name))
    if name not in MEASURES:
        raise TagRuleError(line, f"unknown measure {name!r} (known: {', '.join(MEASURES)})")
    op = item.get("op")
    if op not in NUMBER_OPS:
        raise TagRuleError(
            locator.line(index, "op"), f"{name}: 'op' must be one of {', '.join(NUMBER_OPS)}"
        )
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TagRuleError(locator.line(index, "value"), f"{name}: 'value' must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise TagRuleError(locator.line(index, "value"), f"{name}: 'value' must be a number")
    window = _window(item, name, index, locator)
    return Condition("measure", name, op, number, window)


def _window(item: dict[str, Any], name: str, index: int, locator: _Locator) -> Window | None:
    days, months = item.get("days"), item.get("months")
    if days is None and months is None:
        if name in WINDOW_REQUIRED:
            raise TagRuleError(locator.line(index, name), f"{name} needs 'days' or 'months'")
        return None
    if not MEASURES[name]:
        raise TagRuleError(
            locator.line(index, "days" if days is not None else "months"),
            f"{name} takes no time window ('days'/'months')",
        )
    if days is not None and months is not None:
        raise TagRuleError(locator.line(index, "months"), f"{name}: 'days' or 'months', not both")
    amount = days if days is not None else months
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= 36500:
        raise TagRuleError(
            locator.line(index, "days" if days is not None else "months"),
            f"{name}: the window must be a whole number from 1",
        )
    return Window(days=amount) if days is not None else Window(months=amount)


def _field_condition(item: dict[str, Any], index: int, locator: _Locator) -> Condition:
    name = item["field"]
    if name not in FIELDS:
        raise TagRuleError(
            locator.line(index, str(name)), f"unknown field {name!r} (known: {', '.join(FIELDS)})"
        )
    if "days" in item or "months" in item:
        raise TagRuleError(locator.line(index, name), f"field {name} takes no time window")
    op = item.get("op", "==")
    if op not in FIELD_OPS:
        raise TagRuleError(
            locator.line(index, "op"), f"{name}: 'op' must be one of {', '.join(FIELD_OPS)}"
        )
    value = item.get("value")
    if op in ("in", "not in"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TagRuleError(locator.line(index, "value"), f"{name} {op}: a list of text")
        return Condition("field", name, op, tuple(value))
    if not isinstance(value, str):
        raise TagRuleError(locator.line(index, "value"), f"{name} {op}: 'value' must be text")
    return Condition("field", name, op, value)
