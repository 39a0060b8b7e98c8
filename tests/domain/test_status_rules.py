"""Status rules: the account status an opportunity's stage change implies, one rule for the
client and the server."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_crm.domain.history import StatusChangeRow, history_rows
from desktop_crm.domain.records import DEFAULT_ACCOUNT_STATUSES, DEFAULT_PIPELINE, Entity
from desktop_crm.domain.status_rules import (
    DEFAULT_STATUS_RULES,
    StatusChange,
    StatusRule,
    check_status_rules,
    status_change_for,
    status_rule_from_dict,
)

STAGES = list(DEFAULT_PIPELINE)
AT = "2026-12-01T10:00:00+00:00"


def deal(stage: str, name: str = "Big order") -> dict[str, Any]:
    return {"name": name, "stage": stage, "account_id": "a1"}


def change(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    status: str = "prospect",
    rules: tuple[StatusRule, ...] = DEFAULT_STATUS_RULES,
    **kwargs: Any,
) -> StatusChange | None:
    return status_change_for(rules, STAGES, before, after, status, **kwargs)


def test_by_default_a_won_deal_makes_the_account_active_and_says_why() -> None:
    assert change(deal("negotiation"), deal("won")) == StatusChange("active", "won: Big order")


def test_a_deal_created_won_counts_as_entering_the_stage() -> None:
    assert change(None, deal("won")) == StatusChange("active", "won: Big order")


@pytest.mark.parametrize("stage", ["lead", "qualified", "proposal", "negotiation", "lost"])
def test_other_stages_change_nothing_by_default(stage: str) -> None:
    assert change(deal("lead"), deal(stage)) is None


def test_an_account_already_active_is_left_alone() -> None:
    assert change(deal("negotiation"), deal("won"), status="active") is None


def test_editing_a_deal_that_was_already_won_changes_nothing() -> None:
    # The customer may have been set dormant since: re-saving the old deal must not undo it.
    assert change(deal("won"), deal("won", "Renamed"), status="dormant") is None


def test_a_deleted_deal_changes_nothing() -> None:
    assert change(deal("negotiation"), deal("won"), deleted=True) is None


def test_configured_rules_lost_and_only_from() -> None:
    rules = (
        StatusRule("lost", "dormant", only_from=("prospect",)),
        StatusRule("proposal", "active"),
    )
    assert change(deal("negotiation"), deal("lost"), rules=rules) == StatusChange(
        "dormant", "lost: Big order"
    )
    # only_from: an active customer losing a deal stays active.
    assert change(deal("negotiation"), deal("lost"), status="active", rules=rules) is None
    assert change(deal("qualified"), deal("proposal"), rules=rules) == StatusChange(
        "active", "proposal: Big order"
    )
    # No rule for won in this configuration.
    assert change(deal("negotiation"), deal("won"), rules=rules) is None
    assert change(deal("negotiation"), deal("won"), rules=()) is None


def test_rules_read_from_json_and_checked_against_the_configuration() -> None:
    rule = status_rule_from_dict({"when": "won", "to_status": "active", "only_from": ["former"]})
    assert rule == StatusRule("won", "active", ("former",))
    assert status_rule_from_dict(rule.to_dict()) == rule
    for bad in (
        {"when": "won"},
        {"to_status": "active"},
        {"when": "won", "to_status": "x", "y": 1},
    ):
        with pytest.raises(ValueError):
            status_rule_from_dict(bad)
    stages = [s.key for s in STAGES]
    statuses = [s.key for s in DEFAULT_ACCOUNT_STATUSES]
    check_status_rules([rule, StatusRule("lead", "prospect")], stages, statuses)
    with pytest.raises(ValueError, match="not an account status"):
        check_status_rules([StatusRule("won", "vip")], stages, statuses)
    with pytest.raises(ValueError, match="pipeline stage"):
        check_status_rules([StatusRule("signed", "active")], stages, statuses)


def test_the_status_log_row_carries_the_reason() -> None:
    rows = history_rows(
        Entity.ACCOUNT,
        "a1",
        {"name": "Acme", "status": "prospect"},
        {"name": "Acme", "status": "active"},
        "u1",
        AT,
        status_reason="won: Big order",
    )
    assert rows == [StatusChangeRow("a1", "prospect", "active", AT, "u1", "won: Big order")]
    # Without a rule, no reason.
    new = {"name": "Acme", "status": "prospect"}
    first = history_rows(Entity.ACCOUNT, "a1", None, new, "u1", AT)
    assert first == [StatusChangeRow("a1", None, "prospect", AT, "u1", None)]
