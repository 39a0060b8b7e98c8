"""Tag rules: the example rules (docs/examples/tag-rules.toml) over hand-built accounts, with
the clock moved by hand; and rule files refused with the line and the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_crm.domain.tag_evaluation import (
    AccountFacts,
    DealFacts,
    computed_tags,
    needs,
    window_start,
)
from desktop_crm.domain.tag_rules import (
    TagRuleError,
    Window,
    parse_rule_file,
    rules_from_dicts,
)

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "tag-rules.toml"
RULES = parse_rule_file(EXAMPLES.read_text(encoding="utf-8"))
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LONG_AGO = T0 - timedelta(days=400)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def tags_at(facts: AccountFacts, now: datetime) -> dict[str, str]:
    return {t.name: t.reason for t in computed_tags(RULES, facts, now)}


def won(amount: str, at: datetime, currency: str = "CNY") -> DealFacts:
    return DealFacts(Decimal(amount), currency, is_open=False, is_won=True, stage_changed_at=at)


def open_deal(at: datetime) -> DealFacts:
    return DealFacts(Decimal(5000), "CNY", is_open=True, is_won=False, stage_changed_at=at)


def account(
    status: str = "prospect",
    created: datetime | None = LONG_AGO,
    deals: tuple[DealFacts, ...] = (),
    activities: tuple[datetime, ...] = (),
    currency: str = "CNY",
) -> AccountFacts:
    return AccountFacts(
        "a1", {"status": status, "currency": currency}, created, deals, activities
    )


def test_the_example_file_reads_and_round_trips() -> None:
    assert [r.tag for r in RULES] == ["VIP", "At risk", "New", "Stalled deal"]
    assert rules_from_dicts([r.to_dict() for r in RULES]) == RULES
    assert needs(RULES) == {"deals", "activities", "created"}


def test_vip_counts_won_deals_of_the_last_twelve_months_in_the_accounts_currency() -> None:
    facts = account(
        deals=(
            won("1000000", T0 - days(30)),
            won("240000", T0 - days(200)),
            won("999999", T0 - days(100), currency="USD"),  # another currency: left out
            won("500000", T0 - days(400)),  # too long ago
        )
    )
    assert tags_at(facts, T0)["VIP"] == (
        "VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000"
    )
    # Time passes: 170 days on, the 240,000 deal is more than 12 months old, 1,000,000 still
    # counts; 340 days on, nothing does.
    assert "won 1,000,000 CNY" in tags_at(facts, T0 + days(170))["VIP"]
    assert "VIP" not in tags_at(facts, T0 + days(340))


def test_vip_needs_the_threshold() -> None:
    assert "VIP" not in tags_at(account(deals=(won("99999.99", T0 - days(1)),)), T0)
    assert "VIP" in tags_at(account(deals=(won("100000", T0 - days(1)),)), T0)


def test_at_risk_is_an_active_customer_without_activity_for_ninety_days() -> None:
    facts = account(status="active", activities=(T0 - days(10), T0 - days(50)))
    assert "At risk" not in tags_at(facts, T0)
    assert tags_at(facts, T0 + days(80))["At risk"] == (
        "At risk: status is active; no activity for 90 days ≥ 90"
    )
    # Not a customer: never at risk, however quiet.
    assert "At risk" not in tags_at(account(status="prospect"), T0 + days(500))


def test_a_planned_meeting_is_not_contact_and_no_activity_counts_from_creation() -> None:
    planned = account(status="active", activities=(T0 + days(5),), created=T0 - days(100))
    assert tags_at(planned, T0)["At risk"] == (
        "At risk: status is active; no activity since it was created 100 days ago ≥ 90"
    )


def test_new_is_created_in_the_last_thirty_days() -> None:
    facts = account(created=T0 - days(2))
    assert tags_at(facts, T0)["New"] == "New: created 2 days ago ≤ 30"
    assert "New" not in tags_at(facts, T0 + days(29))
    assert "New" not in tags_at(account(created=None), T0)  # unknown age: not new


def test_stalled_deal_is_an_open_deal_without_stage_change_for_sixty_days() -> None:
    facts = account(deals=(open_deal(T0 - days(59)), won("10", T0 - days(300))))
    assert "Stalled deal" not in tags_at(facts, T0)
    assert tags_at(facts, T0 + days(2))["Stalled deal"] == (
        "Stalled deal: 1 open deals with no stage change for 60 days ≥ 1"
    )


def test_calendar_months_clamp_the_day() -> None:
    assert window_start(datetime(2026, 3, 31, tzinfo=UTC), Window(months=1)) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert window_start(datetime(2026, 1, 15, tzinfo=UTC), Window(months=12)) == datetime(
        2025, 1, 15, tzinfo=UTC
    )


def test_json_rule_files_read_too() -> None:
    rules = parse_rule_file(
        '{"rule": [{"tag": "Big", "when": [{"measure": "open_amount", "op": ">", "value": 10}]},'
        ' {"tag": "Retail", "when": [{"field": "industry", "op": "in", "value": ["Retail"]}]}]}'
    )
    facts = AccountFacts(
        "a", {"currency": "CNY", "industry": "Retail"}, None, (open_deal(T0),), ()
    )
    assert {t.name: t.reason for t in computed_tags(rules, facts, T0)} == {
        "Big": "Big: 5,000 CNY in open deals > 10",
        "Retail": "Retail: industry is Retail",
    }


BAD_TOML = [
    ('[[rule]]\ntag = "VIP"\nwhen = [\n  { measure = "won_amuont", op = ">=", value = 1 },\n]\n',
     4, "unknown measure 'won_amuont'"),
    ('[[rule]]\ntag = "X"\nwhen = [ { measure = "won_amount", op = "=>", value = 1 } ]\n',
     3, "'op' must be one of"),
    ('[[rule]]\ntag = "X"\nwhen = [ { field = "status", value = 3 } ]\n',
     3, "'value' must be text"),
    ('[[rule]]\ntag = "X"\nwhen = []\n', 3, "needs 'when'"),
    ('[[rule]]\ntag = "A"\nwhen = [{ measure = "open_deals", op = ">", value = 0 }]\n\n'
     '[[rule]]\ntag = "a"\nwhen = [{ measure = "open_deals", op = ">", value = 1 }]\n',
     6, "defined twice"),
    ('[[rule]]\ntag = "X"\nwhen = [{ measure = "stalled_deals", op = ">", value = 0 }]\n',
     3, "needs 'days' or 'months'"),
    ('[[rule]]\ntag = "X"\nexpression = "__import__(\'os\')"\nwhen = []\n',
     3, "unknown key 'expression'"),
    ('[[rule]]\ntag = "X"\nwhen = [{ measure = "open_deals", op = ">", value = "lots" }]\n',
     3, "'value' must be a number"),
    ('[[rule]]\ntag = "X"\nwhen = [{ measure = "open_deals", days = 3, op = ">", value = 1 }]\n',
     3, "takes no time window"),
    ('[[rule]]\ntag = "X"\nwhen = [{ measure = "open_deals" op = ">" }]\n', 3, "not TOML"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_TOML)
def test_a_bad_toml_rule_file_is_refused_with_the_line_and_the_reason(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(TagRuleError) as caught:
        parse_rule_file(text)
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"line {line}: ")


def test_a_bad_json_rule_file_is_refused_with_the_line_and_the_reason() -> None:
    text = '[\n  {"tag": "VIP",\n   "when": [{"measure": "won_amount", "op": ">=",\n' \
        '             "value": true}]}\n]\n'
    with pytest.raises(TagRuleError) as caught:
        parse_rule_file(text)
    assert (caught.value.line, caught.value.reason) == (4, "won_amount: 'value' must be a number")
    with pytest.raises(TagRuleError) as caught:
        parse_rule_file('[\n  {"tag": "VIP",,}\n]')
    assert caught.value.line == 2
    assert caught.value.reason.startswith("not JSON")
