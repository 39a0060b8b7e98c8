"""Status rules: the account status an opportunity's stage change implies.

One rule for both sides: the client applies it to a local stage move or save (the account's
new status saved as a local edit in the same transaction), the server to an applied pushed
opportunity change (a server-side edit of the account), so replicas converge whether the rule
ran on the device or only on the server. Both sides compute the same status, so where both ran
the three-way merge sees equal values, never a conflict.

A rule fires when an opportunity *enters* a matching stage (a new opportunity created in it
counts; staying in it does not): ``when`` is ``"won"`` (any won stage), ``"lost"`` (a closed
stage that is not won) or a stage key. It then sets the account to ``to_status`` unless the
account already has it, or, when ``only_from`` is not empty, unless the account's status is
not one of those. The first rule that changes the status wins. The account's status log gets
the reason ``"<when>: <opportunity name>"``.

The rules are configuration kept on the server (``desktop-crm-server admin status-rules``);
where none is configured, :data:`DEFAULT_STATUS_RULES` applies: a won opportunity makes its
account "active" (Active customer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

WON = "won"
LOST = "lost"


@dataclasses.dataclass(frozen=True, slots=True)
class StatusRule:
    #: ``"won"``, ``"lost"`` or a pipeline stage key.
    when: str
    #: The account status the rule sets.
    to_status: str
    #: The statuses the rule changes; empty: any status other than ``to_status``.
    only_from: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"when": self.when, "to_status": self.to_status, "only_from": list(self.only_from)}


DEFAULT_STATUS_RULES: tuple[StatusRule, ...] = (StatusRule(WON, "active"),)


@dataclasses.dataclass(frozen=True, slots=True)
class StatusChange:
    """What a rule does to the account: its new status, and why (for the status log)."""

    to_status: str
    reason: str


class StageFlags(Protocol):
    """The little of a pipeline stage a rule reads (``domain.records.PipelineStage`` fits)."""

    @property
    def key(self) -> str: ...
    @property
    def is_closed(self) -> bool: ...
    @property
    def is_won(self) -> bool: ...


def status_rule_from_dict(item: Mapping[str, Any]) -> StatusRule:
    """A rule from its JSON form (configuration file, wire, stored configuration); raises
    ValueError naming what is wrong."""
    if not isinstance(item, Mapping):
        raise ValueError("a status rule is an object with “when” and “to_status”")
    unknown = set(item) - {"when", "to_status", "only_from"}
    if unknown:
        raise ValueError(f"unknown status rule field(s): {', '.join(sorted(map(str, unknown)))}")
    when, to_status = item.get("when"), item.get("to_status")
    only_from = item.get("only_from") or []
    if not isinstance(when, str) or not when.strip():
        raise ValueError("a status rule needs “when”: won, lost or a stage key")
    if not isinstance(to_status, str) or not to_status.strip():
        raise ValueError("a status rule needs “to_status”: an account status key")
    if not isinstance(only_from, list) or not all(isinstance(s, str) for s in only_from):
        raise ValueError("“only_from” is a list of account status keys")
    return StatusRule(when.strip(), to_status.strip(), tuple(only_from))


def check_status_rules(
    rules: Sequence[StatusRule], stage_keys: Iterable[str], status_keys: Iterable[str]
) -> None:
    """Raise ValueError if a rule names a stage or status the configuration does not have."""
    stages, statuses = set(stage_keys), set(status_keys)
    for rule in rules:
        if rule.when not in (WON, LOST) and rule.when not in stages:
            raise ValueError(f"“{rule.when}” is not won, lost or a pipeline stage")
        for status in (rule.to_status, *rule.only_from):
            if status not in statuses:
                raise ValueError(f"“{status}” is not an account status")


def _matches(rule: StatusRule, stage: StageFlags) -> bool:
    if rule.when == WON:
        return stage.is_won
    if rule.when == LOST:
        return stage.is_closed and not stage.is_won
    return stage.key == rule.when


def status_change_for(
    rules: Sequence[StatusRule],
    stages: Sequence[StageFlags],
    previous: Mapping[str, Any] | None,
    opportunity: Mapping[str, Any],
    account_status: str,
    *,
    deleted: bool = False,
) -> StatusChange | None:
    """The account status change implied by writing ``opportunity`` (its data) over
    ``previous`` (its data before; None for a new opportunity, or one that was deleted), for
    an account whose status is ``account_status``; None when no rule fires. ``stages`` are
    the pipeline stages (objects with ``key``, ``is_closed``, ``is_won``)."""
    stage_key = opportunity.get("stage")
    if deleted or not stage_key:
        return None
    if previous is not None and previous.get("stage") == stage_key:
        return None  # not entering the stage: an edit of a won deal changes nothing
    stage = next((s for s in stages if s.key == stage_key), None)
    if stage is None:
        return None
    for rule in rules:
        if not _matches(rule, stage):
            continue
        if account_status == rule.to_status:
            return None
        if rule.only_from and account_status not in rule.only_from:
            continue
        name = str(opportunity.get("name") or "")
        return StatusChange(rule.to_status, f"{rule.when}: {name}".strip())
    return None
