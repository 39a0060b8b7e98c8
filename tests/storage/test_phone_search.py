"""The search box against a seeded, encrypted replica: phone numbers in every format people
type them, and names (Chinese two-character names, substrings, mixed-case Latin)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection

from desktop_crm.domain import demo_data
from desktop_crm.domain.phones import PhoneMatch, parse_phone_query
from desktop_crm.domain.records import Account, Contact, Phone
from desktop_crm.storage import bulk_load
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.search import (
    EXACT_PHONE_SQL,
    SUFFIX_PHONE_SQL,
    HitKind,
    fts_query,
    name_search,
    next_prefix,
    search,
)

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
REPLICA_ID = "replica-test"
USER = "user-1"

#: contact name -> (account name, country, phones as typed: (raw, kind, primary))
PEOPLE: dict[str, tuple[str, str, list[tuple[str, str, bool]]]] = {
    "王芳": (
        "上海华东精密机械有限公司",
        "CN",
        [("+86 138 0013 8000", "mobile", True), ("021-6234 5678 转 801", "work", False)],
    ),
    "李伟": ("北京中科电子科技有限公司", "CN", [("010-6552 9988", "work", True)]),
    "陈静": ("深圳汇川光电有限公司", "CN", [("0755-8612 3456", "work", True)]),
    "张伟": ("上海华东精密机械有限公司", "CN", [("139 1111 7342", "mobile", True)]),
    # Shares its last digits with 张伟's number, on a secondary phone: ranked after him.
    "赵敏": (
        "深圳汇川光电有限公司",
        "CN",
        [("186 2020 4545", "mobile", True), ("186 3333 7342", "mobile", False)],
    ),
    "John Smith": ("Northwind Traders Inc.", "US", [("+1 415-555-2671", "work", True)]),
    # Same national digits as 王芳's Shanghai landline (021) 6234 5678, under +1.
    "Mike Clark": ("Northwind Traders Inc.", "US", [("+1 216-234-5678", "mobile", True)]),
    "Oliver Brown": (
        "Thames Valley Logistics Ltd",
        "GB",
        [("+44 20 7946 0321", "work", True), ("+44 7400 123456", "mobile", False)],
    ),
    "Lukas Müller": (
        "Rheinland Präzision GmbH",
        "DE",
        [("+49 30 23456789", "work", True), ("+49 151 23456789", "mobile", False)],
    ),
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    """An encrypted replica: demo data as background, plus the people above."""
    path: Path = tmp_path_factory.mktemp("search") / "replica.db"
    replica = create_replica(path, RawKey.generate())
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, demo_data.generate(seed=11, accounts=300, now=NOW))
        accounts: dict[str, Account] = {}
        for name, (account_name, country, phones) in PEOPLE.items():
            account = accounts.get(account_name)
            if account is None:
                currency = {"CN": "CNY", "US": "USD", "GB": "GBP", "DE": "EUR"}[country]
                account = Account(name=account_name, country=country, currency=currency)
                store.save_local(conn, account, REPLICA_ID, USER)
                accounts[account_name] = account
            contact = Contact(
                account_id=account.meta.id,
                name=name,
                phones=[
                    Phone(raw=raw, kind=kind, primary=primary) for raw, kind, primary in phones
                ],
            )
            store.save_local(conn, contact, REPLICA_ID, USER)
        # A deleted contact with a number of its own: never found.
        ghost = Contact(
            account_id=accounts["上海华东精密机械有限公司"].meta.id,
            name="已删除",
            phones=[Phone(raw="137 7777 6666", primary=True)],
        )
        store.save_local(conn, ghost, REPLICA_ID, USER)
        store.delete_local(conn, "contact", ghost.meta.id, REPLICA_ID, USER)
    yield replica
    replica.close()


@pytest.fixture
def conn(seeded: Replica) -> Iterator[Connection]:
    with seeded.engine.connect() as connection:
        yield connection


# (what was typed, search region, contact expected first, how it must match)
FOUND: list[tuple[str, str, str, PhoneMatch]] = [
    # Chinese mobile, every way people write it
    ("+86 138 0013 8000", "CN", "王芳", PhoneMatch.EXACT),
    ("+8613800138000", "CN", "王芳", PhoneMatch.EXACT),
    ("008613800138000", "CN", "王芳", PhoneMatch.EXACT),
    ("0086 138 0013 8000", "CN", "王芳", PhoneMatch.EXACT),
    ("86 138 0013 8000", "CN", "王芳", PhoneMatch.EXACT),
    ("13800138000", "CN", "王芳", PhoneMatch.EXACT),
    ("013800138000", "CN", "王芳", PhoneMatch.EXACT),
    ("138 0013 8000", "CN", "王芳", PhoneMatch.EXACT),
    ("138-0013-8000", "CN", "王芳", PhoneMatch.EXACT),
    ("(138) 0013-8000", "CN", "王芳", PhoneMatch.EXACT),
    ("+86 (138) 0013 8000", "CN", "王芳", PhoneMatch.EXACT),
    ("１３８００１３８０００", "CN", "王芳", PhoneMatch.EXACT),
    ("＋８６ １３８ ００１３ ８０００", "CN", "王芳", PhoneMatch.EXACT),
    ("call from +86 138 0013 8000 please", "CN", "王芳", PhoneMatch.EXACT),
    ("来电：13800138000", "CN", "王芳", PhoneMatch.EXACT),
    ("  13800138000\t", "CN", "王芳", PhoneMatch.EXACT),
    ("0138000", "CN", "王芳", PhoneMatch.SUFFIX),  # last 7 digits
    # Chinese landlines with area codes, extensions
    ("021-6234 5678", "CN", "王芳", PhoneMatch.EXACT),
    ("(021) 6234 5678", "CN", "王芳", PhoneMatch.EXACT),
    ("021 62345678 转 801", "CN", "王芳", PhoneMatch.EXACT),
    ("021-62345678转801", "CN", "王芳", PhoneMatch.EXACT),
    ("+86 21 6234 5678 ext. 801", "CN", "王芳", PhoneMatch.EXACT),
    ("0086-21-62345678", "CN", "王芳", PhoneMatch.EXACT),
    ("6552 9988", "CN", "李伟", PhoneMatch.SUFFIX),  # without the area code
    ("010-6552 9988", "CN", "李伟", PhoneMatch.EXACT),
    ("01065529988", "CN", "李伟", PhoneMatch.EXACT),
    ("+86 10 6552 9988", "CN", "李伟", PhoneMatch.EXACT),
    ("(010)65529988", "CN", "李伟", PhoneMatch.EXACT),
    ("0755-8612 3456", "CN", "陈静", PhoneMatch.EXACT),
    ("0755 86123456", "CN", "陈静", PhoneMatch.EXACT),
    ("+86 755 8612 3456", "CN", "陈静", PhoneMatch.EXACT),
    ("86123456", "CN", "陈静", PhoneMatch.SUFFIX),
    ("1111 7342", "CN", "张伟", PhoneMatch.SUFFIX),
    ("7342", "CN", "张伟", PhoneMatch.SUFFIX),  # last 4: primary phone before 赵敏's second
    # US numbers, international and national
    ("+1 415-555-2671", "CN", "John Smith", PhoneMatch.EXACT),
    ("001 415 555 2671", "CN", "John Smith", PhoneMatch.EXACT),
    ("+1 (415) 555-2671 x123", "CN", "John Smith", PhoneMatch.EXACT),
    ("(415) 555-2671", "US", "John Smith", PhoneMatch.EXACT),
    ("415.555.2671", "US", "John Smith", PhoneMatch.EXACT),
    ("1-415-555-2671", "US", "John Smith", PhoneMatch.EXACT),
    ("555-2671", "CN", "John Smith", PhoneMatch.SUFFIX),
    # Valid as a Chinese number too: the same national digits under +1 match as NATIONAL.
    ("4155552671", "CN", "John Smith", PhoneMatch.NATIONAL),
    # UK
    ("+44 20 7946 0321", "CN", "Oliver Brown", PhoneMatch.EXACT),
    ("0044 20 7946 0321", "CN", "Oliver Brown", PhoneMatch.EXACT),
    ("+44 (0)20 7946 0321", "CN", "Oliver Brown", PhoneMatch.EXACT),
    ("020 7946 0321", "GB", "Oliver Brown", PhoneMatch.EXACT),
    ("07400 123456", "GB", "Oliver Brown", PhoneMatch.EXACT),
    ("+44 7400 123456", "CN", "Oliver Brown", PhoneMatch.EXACT),
    # Germany
    ("+49 30 23456789", "CN", "Lukas Müller", PhoneMatch.EXACT),
    ("0049 (0)30 2345 6789", "CN", "Lukas Müller", PhoneMatch.EXACT),
    ("030 23456789", "DE", "Lukas Müller", PhoneMatch.EXACT),
    ("+49 151 23456789", "CN", "Lukas Müller", PhoneMatch.EXACT),
    ("0151 23456789", "DE", "Lukas Müller", PhoneMatch.EXACT),
]

NOT_FOUND: list[tuple[str, str]] = [
    ("+86 139 9999 0000", "CN"),  # valid, not in the replica
    ("+1 212 555 0199", "CN"),
    ("020 7946 0999", "GB"),
    ("137 7777 6666", "CN"),  # belonged to a deleted contact
    ("7777 6666", "CN"),
    ("123", "CN"),  # three digits: not a phone search, and no such name
    ("qwzxv", "CN"),  # letters-only garbage
    ("+86 123 4567 8901", "CN"),  # not a valid number
    ("+999 1234 5678", "CN"),  # no such country code
    ("", "CN"),
    ("   ", "CN"),
]


@pytest.mark.parametrize(("typed", "region", "expected", "level"), FOUND, ids=[f[0] for f in FOUND])
def test_phone_search_finds_the_caller(
    conn: Connection, typed: str, region: str, expected: str, level: PhoneMatch
) -> None:
    hits = search(conn, typed, region=region)
    assert hits, f"nothing found for {typed!r}"
    first = hits[0]
    assert first.contact_name == expected, [(h.contact_name, h.phone_raw) for h in hits[:5]]
    assert first.kind is HitKind.PHONE
    assert first.phone_match is level
    assert first.account_name == PEOPLE[expected][0]
    assert first.phone_e164 and first.phone_raw


@pytest.mark.parametrize(("typed", "region"), NOT_FOUND, ids=[n[0] or "empty" for n in NOT_FOUND])
def test_search_finds_nothing(conn: Connection, typed: str, region: str) -> None:
    assert search(conn, typed, region=region) == []


def test_suffix_ranking_puts_primary_phone_first(conn: Connection) -> None:
    hits = search(conn, "7342")
    names = [h.contact_name for h in hits]
    assert names.index("张伟") < names.index("赵敏")
    assert all(h.phone_match is PhoneMatch.SUFFIX for h in hits)
    assert all((h.phone_e164 or "").endswith("7342") for h in hits)
    assert hits == sorted(hits, key=lambda h: -h.score)
    # Same digits at the end of a primary (+1) and a secondary (Shanghai) number.
    assert [h.contact_name for h in search(conn, "62345678")] == ["Mike Clark", "王芳"]


def test_national_match_ranks_after_exact(conn: Connection) -> None:
    """The Shanghai number typed without a country also matches the same national digits
    under +1 — as a lower-ranked NATIONAL match."""
    hits = search(conn, "021-6234 5678")
    assert [h.contact_name for h in hits[:2]] == ["王芳", "Mike Clark"]
    assert [h.phone_match for h in hits[:2]] == [PhoneMatch.EXACT, PhoneMatch.NATIONAL]
    # With the country given, only the exact number.
    assert [h.contact_name for h in search(conn, "+86 21 6234 5678")] == ["王芳"]


def test_one_hit_per_contact_and_number(conn: Connection) -> None:
    hits = search(conn, "+86 138 0013 8000")
    assert len({(h.contact_id, h.phone_e164) for h in hits}) == len(hits)


def test_limit(conn: Connection) -> None:
    assert len(search(conn, "1", limit=3)) <= 3
    assert search(conn, "王芳", limit=0) == []


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (EXACT_PHONE_SQL, ("0008310083168", "+8613800138000")),
        (SUFFIX_PHONE_SQL, ("0008", next_prefix("0008"), 100)),
    ],
    ids=["exact", "suffix"],
)
def test_phone_lookups_use_the_indexes(
    conn: Connection, sql: str, params: tuple[object, ...]
) -> None:
    plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
    # Whole hits come from the covering index alone: no table row is read per candidate.
    assert "SEARCH p USING COVERING INDEX ix_contact_phones_lookup" in plan, plan
    assert "SCAN p" not in plan, plan


def test_next_prefix() -> None:
    assert next_prefix("0008") == "0009"
    assert next_prefix("129") == "12:"
    assert "1299999" < next_prefix("129")


def test_phone_query_is_not_taken_for_a_name() -> None:
    assert parse_phone_query("王芳") is None
    assert parse_phone_query("3M China") is None


# Names --------------------------------------------------------------------------------------


def test_two_character_chinese_name(conn: Connection) -> None:
    hits = search(conn, "张伟")
    assert hits[0].contact_name == "张伟"
    assert hits[0].kind is HitKind.CONTACT_NAME
    assert all("张伟" in (h.contact_name or h.account_name) for h in hits)


def test_single_character_finds_names_containing_it(conn: Connection) -> None:
    hits = search(conn, "敏")
    assert hits and all("敏" in (h.contact_name or h.account_name) for h in hits)


def test_substring_of_a_company_name(conn: Connection) -> None:
    hits = search(conn, "华东精密")
    assert hits
    assert any(h.account_name == "上海华东精密机械有限公司" for h in hits)
    assert all("华东精密" in (h.contact_name or h.account_name) for h in hits)
    accounts = [h for h in hits if h.kind is HitKind.ACCOUNT_NAME]
    assert accounts and accounts[0].contact_id is None


def test_mixed_case_latin(conn: Connection) -> None:
    for typed in ("john smith", "JOHN", "ohn Smi", "sMiTh"):
        hits = search(conn, typed)
        assert any(h.contact_name == "John Smith" for h in hits), typed
    assert search(conn, "john smith")[0].contact_name == "John Smith"


def test_name_prefix_ranks_first(conn: Connection) -> None:
    hits = search(conn, "lukas MÜLLER")
    assert hits[0].contact_name == "Lukas Müller"
    hits = search(conn, "Lukas")
    assert all(h.contact_name.startswith("Lukas") for h in hits if h.contact_name)
    assert "Lukas Müller" in [h.contact_name for h in hits]


def test_words_in_any_order_and_short_words(conn: Connection) -> None:
    assert any(h.contact_name == "John Smith" for h in search(conn, "Smith Jo"))


def test_special_characters_are_plain_text(conn: Connection) -> None:
    for typed in ('"', 'Smith"', "AND", "NOT abc", "a*", "(", "-x", "%", "_", "O'Brien"):
        search(conn, typed)  # no FTS syntax errors
    assert fts_query('say "hi" now') == '"say" AND """hi""" AND "now"'
    assert fts_query("ab") is None


def test_deleted_contacts_are_not_found_by_name(conn: Connection) -> None:
    assert search(conn, "已删除") == []
    assert name_search(conn, "已删") == []


def test_search_sees_a_rename(seeded: Replica) -> None:
    with seeded.engine.connect() as conn:
        account = next(a for a in store.accounts.list(conn) if a.name == "Rheinland Präzision GmbH")
        account.name = "Rhein Optik GmbH"
        store.save_local(conn, account, REPLICA_ID, USER)
        assert any(h.account_name == "Rhein Optik GmbH" for h in search(conn, "Optik"))
        assert search(conn, "Präzision") == []
        conn.rollback()


# The names and liveness copied into contact_phones (revision 0004) follow every change -------


def _hits_for(conn: Connection, number: str) -> list[tuple[str, str]]:
    return [(h.contact_name or "", h.account_name) for h in search(conn, number)]


def test_phone_hits_follow_renames_deletions_and_restores(replica: Replica) -> None:
    with replica.engine.connect() as conn:
        account = Account(name="Old Name Ltd", country="GB", currency="GBP")
        store.save_local(conn, account, REPLICA_ID, USER)
        contact = Contact(
            account_id=account.meta.id, name="Ann Lee", phones=[Phone(raw="+44 20 7946 0123")]
        )
        store.save_local(conn, contact, REPLICA_ID, USER)
        assert _hits_for(conn, "0123") == [("Ann Lee", "Old Name Ltd")]

        account.name = "New Name Ltd"
        store.save_local(conn, account, REPLICA_ID, USER)
        contact.name = "Ann Lee-Park"
        store.save_local(conn, contact, REPLICA_ID, USER)
        assert _hits_for(conn, "+44 20 7946 0123") == [("Ann Lee-Park", "New Name Ltd")]

        store.delete_local(conn, "account", account.meta.id, REPLICA_ID, USER)
        assert _hits_for(conn, "0123") == []
        restored = store.read_record(conn, "account", account.meta.id)
        assert restored is not None
        store.apply_remote(
            conn, dataclasses.replace(restored, deleted=False, version=restored.version)
        )
        assert _hits_for(conn, "0123") == [("Ann Lee-Park", "New Name Ltd")]

        # Moved to another account: found under it, with its name.
        other = Account(name="Other Co", country="GB", currency="GBP")
        store.save_local(conn, other, REPLICA_ID, USER)
        contact.account_id = other.meta.id
        store.save_local(conn, contact, REPLICA_ID, USER)
        assert _hits_for(conn, "0123") == [("Ann Lee-Park", "Other Co")]

        # Purged with everything under it (left the user's scope): gone.
        store.purge_record(conn, "account", other.meta.id)
        assert _hits_for(conn, "0123") == []
        conn.rollback()


def test_a_contact_arriving_before_its_account_is_found_once_the_account_is_there(
    replica: Replica,
) -> None:
    account = Account(name="Late Arrival GmbH", country="DE", currency="EUR")
    contact = Contact(
        account_id=account.meta.id, name="Jonas Weber", phones=[Phone(raw="+49 151 99887766")]
    )
    with replica.engine.begin() as conn:
        bulk_load.bulk_apply(conn, [contact])
        assert _hits_for(conn, "7766") == []  # its account is not in the replica (yet)
        bulk_load.bulk_apply(conn, [account])
        assert _hits_for(conn, "7766") == [("Jonas Weber", "Late Arrival GmbH")]
