"""The customer's whole history: keyset pages of activities, filters, closed opportunities,
and the account list's consent filter, on a real encrypted replica."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection

from desktop_crm.domain.records import Account, Activity, Contact, Opportunity
from desktop_crm.storage import queries
from desktop_crm.storage import records_store as store
from desktop_crm.storage.consent_filter import ReachableBy
from desktop_crm.storage.customer_history import (
    TimelineFilter,
    activity_page,
    closed_opportunities,
)
from desktop_crm.storage.replica import Replica

ME = "replica-h"
USER = "u-anna"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(replica: Replica) -> Iterator[Connection]:
    with replica.engine.connect() as connection:
        yield connection


def save(conn: Connection, *records: object) -> None:
    for record in records:
        store.save_local(conn, record, ME, USER)  # type: ignore[type-var]


def _history(conn: Connection) -> tuple[Account, Opportunity, list[Activity]]:
    account = Account(name="Acme")
    deal = Opportunity(account_id=account.meta.id, name="Deal")
    save(conn, account, deal)
    acts = [
        Activity(
            account_id=account.meta.id,
            kind="call" if n % 3 else "email",
            # Pairs share a start time: the id breaks the tie, nothing repeats or goes missing.
            start_at=NOW - timedelta(hours=n // 2),
            opportunity_id=deal.meta.id if n % 5 == 0 else None,
            summary=f"a{n}",
        )
        for n in range(130)
    ]
    save(conn, *acts)
    save(conn, Activity(account_id=Account(name="Other").meta.id, kind="call", start_at=NOW))
    return account, deal, acts


def _all_pages(conn: Connection, account_id: str, flt: TimelineFilter) -> list[list[Activity]]:
    pages = []
    after = None
    while True:
        page = activity_page(conn, account_id, flt, after, limit=50)
        pages.append(page.activities)
        if page.next is None:
            return pages
        after = page.next


def test_pages_go_through_every_activity_newest_first_without_repeats(conn: Connection) -> None:
    account, _deal, acts = _history(conn)
    pages = _all_pages(conn, account.meta.id, TimelineFilter())
    assert [len(p) for p in pages] == [50, 50, 30]
    seen = [a for page in pages for a in page]
    assert {a.meta.id for a in seen} == {a.meta.id for a in acts}
    assert len(seen) == len(acts)
    keys = [(a.start_at, a.meta.id) for a in seen]
    assert keys == sorted(keys, reverse=True)


def test_pages_filter_by_kind_and_by_opportunity(conn: Connection) -> None:
    account, deal, acts = _history(conn)
    emails = [a for p in _all_pages(conn, account.meta.id, TimelineFilter(kind="email")) for a in p]
    assert {a.meta.id for a in emails} == {a.meta.id for a in acts if a.kind == "email"}
    of_deal = [
        a
        for p in _all_pages(conn, account.meta.id, TimelineFilter(opportunity_id=deal.meta.id))
        for a in p
    ]
    assert {a.meta.id for a in of_deal} == {a.meta.id for a in acts if a.opportunity_id}
    assert len(of_deal) == 26


def test_a_deleted_activity_leaves_the_history(conn: Connection) -> None:
    account, _deal, acts = _history(conn)
    store.activities.delete(conn, acts[0].meta.id, ME, USER)
    first = activity_page(conn, account.meta.id, limit=200)
    assert len(first.activities) == 129 and first.next is None


def test_a_page_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        activity_page(None, "a", limit=0)  # type: ignore[arg-type]


def test_closed_opportunities_latest_close_first(conn: Connection) -> None:
    account = Account(name="Acme")
    a_id = account.meta.id
    save(
        conn,
        account,
        Opportunity(account_id=a_id, name="open", stage="lead"),
        Opportunity(account_id=a_id, name="won 2025", stage="won", expected_close=date(2025, 5, 1)),
        Opportunity(account_id=a_id, name="lost", stage="lost"),
        Opportunity(account_id=a_id, name="won 2026", stage="won", expected_close=date(2026, 1, 1)),
    )
    assert [o.name for o in closed_opportunities(conn, a_id)] == ["won 2026", "won 2025", "lost"]


def test_the_account_list_filters_by_consent(conn: Connection) -> None:
    callable_ = Account(name="A callable")
    no_consent = Account(name="B nobody agreed")
    barred = Account(name="C do not contact")
    save(conn, callable_, no_consent, barred)
    save(
        conn,
        Contact(account_id=callable_.meta.id, name="x", consent_phone=True),
        Contact(account_id=no_consent.meta.id, name="y", consent_phone=False),
        Contact(
            account_id=barred.meta.id,
            name="z",
            consent_phone=True,
            consent_sms=True,
            do_not_contact=True,
        ),
    )

    def names(by: ReachableBy) -> list[str]:
        ids = queries.account_ids(conn, queries.AccountFilter(reachable=by))
        return [store.accounts.get_many(conn, ids)[i].name for i in ids]

    assert names(ReachableBy.PHONE) == ["A callable"]
    assert names(ReachableBy.SMS) == []
    assert names(ReachableBy.DO_NOT_CONTACT) == ["C do not contact"]
    assert names(ReachableBy.NO_CONSENT) == ["B nobody agreed", "C do not contact"]
    assert queries.account_count(conn, queries.AccountFilter(reachable=ReachableBy.PHONE)) == 1
