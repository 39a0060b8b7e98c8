from __future__ import annotations

import copy
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from desktop_crm.domain import demo_data
from desktop_crm.domain.phones import normalize_phone
from desktop_crm.domain.records import (
    DEFAULT_PIPELINE,
    Account,
    Activity,
    Contact,
    Opportunity,
)
from desktop_crm.domain.validation import validate

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
OWNERS = ("u-anna", "u-bo", "u-chen")


@pytest.fixture(scope="module")
def dataset() -> list[object]:
    return list(demo_data.generate(seed=5, accounts=150, owner_ids=OWNERS, now=NOW))


def test_same_seed_same_records() -> None:
    first = list(demo_data.generate(seed=1, accounts=20, now=NOW))
    again = list(demo_data.generate(seed=1, accounts=20, now=NOW))
    other = list(demo_data.generate(seed=2, accounts=20, now=NOW))
    assert first == again
    assert [r.meta.id for r in first] != [r.meta.id for r in other]


def test_every_record_is_valid(dataset: list[object]) -> None:
    for record in dataset:
        assert validate(copy.deepcopy(record)) == [], record  # type: ignore[arg-type]


def test_children_follow_their_account(dataset: list[object]) -> None:
    seen: set[str] = set()
    for record in dataset:
        if isinstance(record, Account):
            seen.add(record.meta.id)
            assert record.owner_id in OWNERS
        else:
            assert record.account_id in seen  # type: ignore[attr-defined]
    ids = [r.meta.id for r in dataset]  # type: ignore[attr-defined]
    assert len(set(ids)) == len(ids)


def test_realistic_mix(dataset: list[object]) -> None:
    kinds = Counter(type(r).__name__ for r in dataset)
    assert kinds["Account"] == 150
    assert kinds["Contact"] >= 150 and kinds["Opportunity"] > 0 and kinds["Activity"] > 0
    names = [r.name for r in dataset if isinstance(r, Account)]
    assert any(re.fullmatch(r"\w{2}.+有限公司", n) for n in names)
    assert any(n.endswith(("GmbH", "Inc.", "Ltd", "LLC")) for n in names)
    people = [r.name for r in dataset if isinstance(r, Contact)]
    assert any(len(n) == 2 for n in people)  # 张伟
    assert any(" " in n for n in people)  # John Smith
    stages = {r.stage for r in dataset if isinstance(r, Opportunity)}
    assert stages == {s.key for s in DEFAULT_PIPELINE}
    acts = [r for r in dataset if isinstance(r, Activity)]
    assert all(NOW - timedelta(days=366) <= a.start_at <= NOW for a in acts)
    open_follow_ups = [a for a in acts if a.follow_up_at and not a.follow_up_done]
    assert any(a.follow_up_at < NOW for a in open_follow_ups)  # type: ignore[operator]
    assert any(a.follow_up_at >= NOW for a in open_follow_ups)  # type: ignore[operator]


def test_phones_parse_back_to_their_e164() -> None:
    formats: Counter[str] = Counter()
    checked = 0
    for record in demo_data.generate_contacts(1500, seed=9, now=NOW):
        if not isinstance(record, Contact):
            continue
        assert 1 <= len(record.phones) <= 3
        assert sum(p.primary for p in record.phones) == 1
        for phone in record.phones:
            parsed = normalize_phone(phone.raw)
            assert (parsed.e164, parsed.extension) == (phone.e164, phone.extension), phone
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))
            checked += 1
            raw = phone.raw
            formats["+"] += raw.startswith(("+", "(+"))
            formats["00"] += raw.startswith("00")
            formats["national"] += raw[0] in "01"
            formats["full-width"] += any("０" <= ch <= "９" for ch in raw)
            formats["extension"] += phone.extension is not None
            formats["dash"] += "-" in raw
            formats["brackets"] += "(" in raw
    assert checked > 1500
    for kind in ("+", "00", "national", "full-width", "extension", "dash", "brackets"):
        assert formats[kind] > 0, kind


def test_generate_contacts_counts_exactly() -> None:
    records = list(demo_data.generate_contacts(333, seed=3, now=NOW))
    assert sum(isinstance(r, Contact) for r in records) == 333
    assert isinstance(records[0], Account)


def test_needs_an_owner() -> None:
    with pytest.raises(ValueError):
        list(demo_data.generate(accounts=1, owner_ids=()))
