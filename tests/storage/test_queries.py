from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Connection, event

from desktop_crm.domain.records import Account, Activity, Contact, Opportunity, Phone
from desktop_crm.storage import queries
from desktop_crm.storage import records_store as store
from desktop_crm.storage.queries import AccountFilter
from desktop_crm.storage.replica import Replica

ME = "replica-q"
USER = "u-anna"
OTHER = "u-bo"
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def conn(replica: Replica) -> Iterator[Connection]:
    with replica.engine.connect() as connection:
        yield connection


def save(conn: Connection, *records: object) -> None:
    for record in records:
        store.save_local(conn, record, ME, USER)  # type: ignore[type-var]


def make_account(conn: Connection) -> Account:
    account = Account(
        name="上海华东精密机械有限公司", status="prospect", owner_id=USER, country="CN"
    )
    save(conn, account)
    account.status = "active"
    save(conn, account)
    account.name = "华东精密集团"
    save(conn, account)
    return account


def test_account_360(conn: Connection) -> None:
    account = make_account(conn)
    a_id = account.meta.id
    wang = Contact(account_id=a_id, name="王芳", phones=[Phone("13800138000", primary=True)])
    li = Contact(account_id=a_id, name="李伟")
    gone = Contact(account_id=a_id, name="离职")
    save(conn, wang, li, gone)
    store.contacts.delete(conn, gone.meta.id, ME, USER)
    big = Opportunity(
        account_id=a_id, name="big", stage="lead", amount=Decimal(1_000_000), probability=10
    )
    likely = Opportunity(
        account_id=a_id,
        name="likely",
        stage="negotiation",
        amount=Decimal(200_000),
        probability=75,
        expected_close=date(2025, 7, 1),
    )
    won = Opportunity(
        account_id=a_id,
        name="won",
        stage="won",
        amount=Decimal(9_000_000),
        probability=100,
        expected_close=date(2025, 1, 1),
    )
    save(conn, big, likely, won)
    acts = [
        Activity(account_id=a_id, kind="call", start_at=NOW - timedelta(days=d), summary=f"d{d}")
        for d in (30, 1, 7, 60)
    ]
    save(conn, *acts)
    other = Account(name="Other")
    save(conn, other, Activity(account_id=other.meta.id, kind="note", start_at=NOW))

    view = queries.account_360(conn, a_id, activity_limit=3)
    assert view is not None
    assert view.account.name == "华东精密集团"
    assert [c.name for c in view.contacts] == ["李伟", "王芳"]
    assert view.contacts[1].phones[0].e164 == "+8613800138000"
    assert [o.name for o in view.open_opportunities] == ["likely", "big"]  # 150k > 100k
    assert view.pipeline_value == Decimal(250_000)
    assert [a.summary for a in view.recent_activities] == ["d1", "d7", "d30"]
    assert [(s.from_status, s.to_status) for s in view.status_history] == [
        (None, "prospect"),
        ("prospect", "active"),
    ]
    assert [n.name for n in view.former_names] == ["上海华东精密机械有限公司"]

    assert queries.account_360(conn, "missing") is None
    store.accounts.delete(conn, a_id, ME, USER)
    assert queries.account_360(conn, a_id) is None


def test_follow_ups_due(conn: Connection) -> None:
    account = Account(name="ACME")
    save(conn, account)
    a_id = account.meta.id
    contact = Contact(account_id=a_id, name="Wile")
    save(conn, contact)

    def follow_up(summary: str, due: datetime, author: str = USER, done: bool = False) -> Activity:
        act = Activity(
            account_id=a_id,
            kind="call",
            start_at=due - timedelta(days=3),
            contact_id=contact.meta.id,
            summary=summary,
            follow_up_at=due,
            follow_up_done=done,
            author_id=author,
        )
        save(conn, act)
        return act

    follow_up("last week", NOW - timedelta(days=7))
    follow_up("an hour ago", NOW - timedelta(hours=1))
    follow_up("tonight", NOW + timedelta(hours=10))
    follow_up("tomorrow", NOW + timedelta(days=1))
    follow_up("done", NOW - timedelta(days=2), done=True)
    follow_up("someone else's", NOW - timedelta(days=1), author=OTHER)
    deleted = follow_up("deleted", NOW - timedelta(days=1))
    store.activities.delete(conn, deleted.meta.id, ME, USER)
    save(conn, Activity(account_id=a_id, kind="note", start_at=NOW))  # no follow-up

    due = queries.follow_ups_due(conn, NOW)
    assert [f.activity.summary for f in due.overdue] == [
        "last week",
        "someone else's",
        "an hour ago",
    ]
    assert [f.activity.summary for f in due.today] == ["tonight"]
    assert due.overdue[0].account_name == "ACME" and due.overdue[0].contact_name == "Wile"
    assert len(due) == 4

    mine = queries.follow_ups_due(conn, NOW, user_id=USER)
    assert [f.activity.summary for f in mine.overdue] == ["last week", "an hour ago"]

    # "Today" ends at the user's midnight: 09:30 UTC is 17:30 in Shanghai, so "tonight"
    # (19:30 UTC = 03:30 tomorrow there) is not due today any more.
    shanghai = NOW.astimezone(timezone(timedelta(hours=8)))
    assert [f.activity.summary for f in queries.follow_ups_due(conn, shanghai).today] == []


@pytest.mark.parametrize("user_id", [None, USER])
def test_follow_ups_use_the_partial_index(conn: Connection, user_id: str | None) -> None:
    compiled = queries.follow_ups_query(NOW, user_id).compile(conn)
    params = compiled.construct_params()
    args = tuple(params[name] for name in compiled.positiontup or ())
    plan = " ".join(
        str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args)
    )
    assert "USING INDEX ix_activities_follow_up_open" in plan, plan


def test_account_paging(conn: Connection) -> None:
    rows = [
        ("Beta", "active", "u1"),
        ("alpha", "prospect", "u2"),
        ("Alpha", "active", "u2"),
        ("Gamma", "dormant", "u1"),
        ("Delta", "active", "u3"),
    ]
    made = {}
    for name, status, owner in rows:
        account = Account(
            name=name, status=status, owner_id=owner, tags=["VIP"] if owner == "u1" else []
        )
        save(conn, account)
        made[name] = account.meta.id
    gone = Account(name="Deleted")
    save(conn, gone)
    store.accounts.delete(conn, gone.meta.id, ME, USER)

    def names(ids: list[str]) -> list[str]:
        by_id = queries.accounts_by_id(conn, ids)
        return [by_id[i].name for i in ids]

    assert names(queries.account_ids(conn)) == ["Alpha", "Beta", "Delta", "Gamma", "alpha"]
    assert names(queries.account_ids(conn, offset=1, limit=2)) == ["Beta", "Delta"]
    assert names(queries.account_ids(conn, sort="name", descending=True, limit=1)) == ["alpha"]
    assert names(queries.account_ids(conn, sort="status")) == [
        "Alpha",
        "Beta",
        "Delta",
        "Gamma",
        "alpha",
    ]
    assert names(queries.account_ids(conn, sort="owner")) == [
        "Beta",
        "Gamma",
        "Alpha",
        "alpha",
        "Delta",
    ]
    active = AccountFilter(status="active")
    assert names(queries.account_ids(conn, active)) == ["Alpha", "Beta", "Delta"]
    assert queries.account_count(conn, active) == 3
    assert queries.account_count(conn) == 5
    assert queries.account_count(conn, AccountFilter(owner_id="u2", status="active")) == 1
    assert names(queries.account_ids(conn, AccountFilter(name_prefix="Al"))) == ["Alpha"]
    assert names(queries.account_ids(conn, AccountFilter(tag="VIP"))) == ["Beta", "Gamma"]
    assert queries.account_count(conn, AccountFilter(tag="VI")) == 0
    assert gone.meta.id not in queries.accounts_by_id(conn, [gone.meta.id])


def test_activity_feed_newest_first_by_person(conn: Connection) -> None:
    account = Account(name="Feed Co", owner_id=USER, country="GB", currency="GBP")
    gone = Account(name="Gone Co", owner_id=USER, country="GB", currency="GBP")
    save(conn, account, gone)
    person = Contact(account_id=account.meta.id, name="Ann", phones=[Phone(raw="+44 20 7946 0321")])
    save(conn, person)
    for hours, author in ((1, USER), (3, OTHER), (2, USER), (5, OTHER)):
        save(
            conn,
            Activity(
                account_id=account.meta.id,
                kind="call",
                start_at=NOW - timedelta(hours=hours),
                contact_id=person.meta.id,
                summary=f"{author} {hours}h ago",
                author_id=author,
            ),
        )
    save(conn, Activity(account_id=gone.meta.id, kind="call", start_at=NOW, author_id=USER))
    store.delete_local(conn, "account", gone.meta.id, ME, USER)

    feed = queries.activity_feed(conn)
    assert [f.activity.summary for f in feed] == [
        f"{USER} 1h ago", f"{USER} 2h ago", f"{OTHER} 3h ago", f"{OTHER} 5h ago"
    ]  # newest first; nothing under the deleted account
    assert feed[0].account_name == "Feed Co" and feed[0].contact_name == "Ann"
    mine = queries.activity_feed(conn, author_id=OTHER, limit=1)
    assert [f.activity.summary for f in mine] == [f"{OTHER} 3h ago"]


@pytest.mark.parametrize("author_id", [None, OTHER])
def test_activity_feed_walks_the_time_index(conn: Connection, author_id: str | None) -> None:
    statements: list[tuple[str, object]] = []

    def seen(_c: object, _cur: object, statement: str, params: object, *_rest: object) -> None:
        statements.append((statement, params))

    event.listen(conn, "before_cursor_execute", seen)
    try:
        queries.activity_feed(conn, author_id=author_id)
    finally:
        event.remove(conn, "before_cursor_execute", seen)
    # The feed's own query (a transaction may begin first; names are looked up after).
    statement, params = next(x for x in statements if x[0].startswith("SELECT"))
    plan = " | ".join(
        str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)  # type: ignore[arg-type]
    )
    assert "ix_activities_start_at" in plan, plan
    assert "SCAN activities" not in plan.replace("SCAN activities USING INDEX", ""), plan
