"""Evaluating tag rules (:mod:`desktop_crm.domain.tag_rules`) over one account's facts.

The facts are what the measures need, gathered by the server (``server/tags.py``) in a few
batched queries; ``now`` is passed in, so time passing is a parameter (tests move it).

Definitions the reasons rely on:

- a deal is *won* when its stage is a won stage; it counts in a window from the time it last
  changed stage (the stage history; the record's last update where there is none);
- amounts count in the account's currency: deals in another currency are left out;
- *days since activity* counts from the latest activity that has happened (planned meetings in
  the future do not count); an account with no activity counts from its creation;
- a *stalled* deal is open and has not changed stage for the window.
"""

from __future__ import annotations

import calendar
import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from desktop_crm.domain.tag_rules import Condition, TagRule, Window

#: A reason is kept short enough to show in a tooltip and store in one column.
MAX_REASON = 500


@dataclasses.dataclass(frozen=True, slots=True)
class DealFacts:
    amount: Decimal
    currency: str
    is_open: bool
    is_won: bool
    #: When the deal entered its current stage.
    stage_changed_at: datetime | None


@dataclasses.dataclass(frozen=True, slots=True)
class AccountFacts:
    account_id: str
    #: The account's own fields (its wire ``data``).
    fields: Mapping[str, Any]
    created_at: datetime | None
    deals: Sequence[DealFacts] = ()
    activity_times: Sequence[datetime] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class ComputedTag:
    name: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason}


@functools.lru_cache(maxsize=256)  # one ``now`` per pass, a few windows: computed once each
def window_start(now: datetime, window: Window) -> datetime:
    """``now`` minus the window; months are calendar months (the day clamped to the month)."""
    if not window.months:
        return now - timedelta(days=window.days)
    month_index = now.year * 12 + now.month - 1 - window.months
    year, month = divmod(month_index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def _days_between(earlier: datetime, later: datetime) -> int:
    return max(0, (later - earlier).days)


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _currency(facts: AccountFacts) -> str:
    return str(facts.fields.get("currency") or "")


def _won(facts: AccountFacts, since: datetime | None) -> list[DealFacts]:
    currency = _currency(facts)
    return [
        d
        for d in facts.deals
        if d.is_won
        and d.currency == currency
        and (since is None or (d.stage_changed_at is not None and d.stage_changed_at >= since))
    ]


def _in_window(window: Window | None) -> str:
    return f" in the last {window.describe()}" if window else ""


Measured = tuple[Decimal, str]  # the value and how the reason says it


def _won_amount(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    total = sum((d.amount for d in _won(f, window_start(now, w) if w else None)), Decimal(0))
    return total, f"won {_number(total)} {_currency(f)}{_in_window(w)}"


def _won_deals(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    count = len(_won(f, window_start(now, w) if w else None))
    return Decimal(count), f"won {count} deals{_in_window(w)}"


def _open_deals(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    count = sum(1 for d in f.deals if d.is_open)
    return Decimal(count), f"{count} open deals"


def _open_amount(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    currency = _currency(f)
    total = sum((d.amount for d in f.deals if d.is_open and d.currency == currency), Decimal(0))
    return total, f"{_number(total)} {currency} in open deals"


def _activities(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    since = window_start(now, w) if w else None
    count = sum(1 for t in f.activity_times if t <= now and (since is None or t >= since))
    return Decimal(count), f"{count} activities{_in_window(w)}"


def _days_since_activity(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    past = [t for t in f.activity_times if t <= now]
    if past:
        days = _days_between(max(past), now)
        return Decimal(days), f"no activity for {days} days"
    days = _days_between(f.created_at, now) if f.created_at else 0
    return Decimal(days), f"no activity since it was created {days} days ago"


def _days_since_created(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    if f.created_at is None:
        return Decimal(-1), "creation time unknown"
    days = _days_between(f.created_at, now)
    return Decimal(days), f"created {days} days ago"


def _stalled_deals(f: AccountFacts, now: datetime, w: Window | None) -> Measured:
    assert w is not None  # the parser requires the window
    since = window_start(now, w)
    count = sum(
        1
        for d in f.deals
        if d.is_open and d.stage_changed_at is not None and d.stage_changed_at < since
    )
    return Decimal(count), f"{count} open deals with no stage change for {w.describe()}"


MEASURE_FUNCTIONS: dict[str, Callable[[AccountFacts, datetime, Window | None], Measured]] = {
    "won_amount": _won_amount,
    "won_deals": _won_deals,
    "open_deals": _open_deals,
    "open_amount": _open_amount,
    "activities": _activities,
    "days_since_activity": _days_since_activity,
    "days_since_created": _days_since_created,
    "stalled_deals": _stalled_deals,
}

_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_SHOWN_OP = {">=": "≥", "<=": "≤", "!=": "≠", "==": "=", ">": ">", "<": "<"}


def _holds(condition: Condition, facts: AccountFacts, now: datetime) -> str | None:
    """The condition's reason text if it holds, else None."""
    if condition.kind == "field":
        actual = str(facts.fields.get(condition.name) or "")
        value = condition.value
        if condition.op in ("in", "not in"):
            assert isinstance(value, tuple)
            inside = actual in value
            ok = inside if condition.op == "in" else not inside
        else:
            ok = (actual == value) == (condition.op == "==")
        return f"{condition.name} is {actual or '(empty)'}" if ok else None
    if condition.name == "days_since_created" and facts.created_at is None:
        return None  # an unknown age neither is nor is not "new"
    assert isinstance(condition.value, Decimal)
    measured, said = MEASURE_FUNCTIONS[condition.name](facts, now, condition.window)
    if not _COMPARE[condition.op](measured, condition.value):
        return None
    return f"{said} {_SHOWN_OP[condition.op]} {_number(condition.value)}"


def computed_tags(
    rules: Sequence[TagRule], facts: AccountFacts, now: datetime
) -> list[ComputedTag]:
    """The tags whose every condition holds for the account at ``now``, each with its reason
    ("VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000"), in rule order."""
    tags: list[ComputedTag] = []
    for rule in rules:
        said: list[str] = []
        for condition in rule.when:
            reason = _holds(condition, facts, now)
            if reason is None:
                break
            said.append(reason)
        else:
            tags.append(ComputedTag(rule.tag, f"{rule.tag}: {'; '.join(said)}"[:MAX_REASON]))
    return tags


def needs(rules: Sequence[TagRule]) -> frozenset[str]:
    """Which facts the rules read: ``"deals"``, ``"activities"``, ``"created"`` (so the server
    loads nothing else)."""
    wanted: set[str] = set()
    for rule in rules:
        for condition in rule.when:
            if condition.kind != "measure":
                continue
            if condition.name in ("activities", "days_since_activity"):
                wanted.add("activities")
            if condition.name in ("days_since_activity", "days_since_created"):
                wanted.add("created")
            if "deal" in condition.name or "won" in condition.name or "open" in condition.name:
                wanted.add("deals")
    return frozenset(wanted)
