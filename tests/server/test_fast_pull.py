"""The raw fast path for ``GET /sync/pull`` (:mod:`desktop_crm.server.fast_pull`) answers
exactly as the FastAPI route does, and leaves every request it should not answer to it."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from desktop_crm.server import fast_pull
from desktop_crm.server import models as m
from tests.server.conftest import World, change


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the fast path answered, request by request."""
    answers: list[bool] = []
    serve = fast_pull.serve

    async def recording(*args: Any) -> bool:
        answered = await serve(*args)
        answers.append(answered)
        return answered

    monkeypatch.setattr(fast_pull, "serve", recording)
    return answers


@pytest.fixture
def framework(world: World) -> Iterator[TestClient]:
    """The same app with the fast path bypassed: FastAPI's own answer."""
    app = world.client.app
    assert isinstance(app, FastAPI)
    with TestClient(functools.partial(FastAPI.__call__, app)) as client:
        yield client


def _answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, response.headers.multi_items(), response.read()


def _both(
    world: World, framework: TestClient, target: str, headers: dict[str, str], **kwargs: Any
) -> tuple[tuple[int, list[tuple[str, str]], bytes], tuple[int, list[tuple[str, str]], bytes]]:
    fast = world.client.get(target, headers=headers, **kwargs)
    slow = framework.get(target, headers=headers, **kwargs)
    return _answer(fast), _answer(slow)


def test_pulls_are_answered_by_the_fast_path_as_fastapi_answers_them(
    world: World, framework: TestClient, served: list[bool]
) -> None:
    h = world.h("rep1")
    first = world.client.get("/sync/pull", headers=h)
    assert first.status_code == 200 and served == [True]
    cursor = first.json()["cursor"]
    # Nothing new: the idle pull, with and without a limit.
    for target in (f"/sync/pull?cursor={cursor}", f"/sync/pull?cursor={cursor}&limit=10"):
        fast, slow = _both(world, framework, target, h)
        assert fast == slow
        assert fast[0] == 200 and b'"records":[]' in fast[2]
    # Changes: a small page, then one large enough to be gzipped (and the same uncompressed).
    account = world.accounts["acc1"]
    notes = [
        change(
            "activity",
            str(uuid.uuid4()),
            {
                "account_id": account,
                "kind": "call",
                "start_at": "2030-01-01T09:00:00+00:00",
                "summary": f"call {i}",
            },
        )
        for i in range(12)
    ]
    assert [r["status"] for r in world.push("rep1", *notes[:1])] == ["applied"]
    fast, slow = _both(world, framework, f"/sync/pull?cursor={cursor}", h)
    assert fast == slow and fast[0] == 200 and len(fast[2]) < fast_pull.GZIP_MINIMUM
    assert b'"summary":"call 0"' in fast[2]
    assert {r["status"] for r in world.push("rep1", *notes[1:])} == {"applied"}
    for encoding in ("gzip", "identity"):
        raw = {"Accept-Encoding": encoding, **h}
        fast_raw = world.client.get(f"/sync/pull?cursor={cursor}", headers=raw)
        slow_raw = framework.get(f"/sync/pull?cursor={cursor}", headers=raw)
        assert fast_raw.headers.get("content-encoding") == slow_raw.headers.get("content-encoding")
        assert (fast_raw.headers.get("content-encoding") == "gzip") == (encoding == "gzip")
        assert fast_raw.headers == slow_raw.headers
        assert fast_raw.content == slow_raw.content and len(fast_raw.json()["records"]) == 12
        wire = int(fast_raw.headers["content-length"])  # httpx decompressed what it read
        assert (wire < len(fast_raw.content)) == (encoding == "gzip")
    assert all(served), served
    # A page limit cuts the page the same way.
    fast, slow = _both(world, framework, f"/sync/pull?cursor={cursor}&limit=5", h)
    assert fast == slow and b'"has_more":true' in fast[2]


@pytest.mark.parametrize(
    ("target", "headers", "status"),
    [
        ("/sync/pull?limt=10", None, 422),  # unknown parameter
        ("/sync/pull?limit=0", None, 422),
        ("/sync/pull?limit=abc", None, 422),
        ("/sync/pull?limit=%2B5", None, 200),  # "+5": pydantic's to judge
        ("/sync/pull?limit=5001", None, 422),
        ("/sync/pull?limit=5&limit=6", None, 200),  # which one counts
        ("/sync/pull?cursor=" + "1" * 41, None, 422),  # too long
        ("/sync/pull?cursor=x", None, 400),  # not a cursor this server issued
        ("/sync/pull?cursor=99999999", None, 200),  # beyond the head: resync, answered fast
        ("/sync/pull", {"Authorization": "Bearer v1.bad.token"}, 401),
        ("/sync/pull", {"Authorization": "Basic cmVwMTpwdw=="}, 401),
        ("/sync/pull", {}, 401),
    ],
)
def test_everything_else_gets_fastapi_s_answer(
    world: World,
    framework: TestClient,
    served: list[bool],
    target: str,
    headers: dict[str, str] | None,
    status: int,
) -> None:
    h = world.h("rep1") if headers is None else headers
    fast, slow = _both(world, framework, target, h)
    assert fast == slow
    if "99999999" in target:
        assert served == [True] and b'"resync_required":true' in fast[2]
    else:
        assert served == [False]
    assert fast[0] == status


def test_a_body_is_left_to_the_body_limit_and_fastapi(
    world: World, framework: TestClient, served: list[bool]
) -> None:
    h = {**world.h("rep1"), "Content-Type": "application/json"}
    fast = world.client.request("GET", "/sync/pull", headers=h, content=b"{}")
    slow = framework.request("GET", "/sync/pull", headers=h, content=b"{}")
    assert _answer(fast) == _answer(slow)
    assert served == [False]


def test_revocation_and_disabling_take_effect_on_the_next_pull(
    world: World, framework: TestClient, served: list[bool]
) -> None:
    assert world.client.get("/sync/pull", headers=world.h("rep1")).status_code == 200
    assert world.client.get("/sync/pull", headers=world.h("rep2")).status_code == 200
    with world.engine.begin() as conn:
        conn.execute(
            update(m.devices)
            .where(m.devices.c.id == world.devices["rep1"])
            .values(revoked_at="2030-01-01T00:00:00+00:00")
        )
        conn.execute(
            update(m.users).where(m.users.c.id == world.users["rep2"]).values(active=False)
        )
    for user, word in (("rep1", "revoked"), ("rep2", "disabled")):
        fast, slow = _both(world, framework, "/sync/pull", world.h(user))
        assert fast == slow
        assert fast[0] == 403 and word.encode() in fast[2]
    assert served == [True, True, False, False]


@pytest.fixture
def reads(world: World, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the idle read on the event loop was made, pull by pull (False: it could not
    be, and the thread pool read the pull)."""
    reader = world.client.app.state.idle_reader  # type: ignore[attr-defined]
    made: list[bool] = []
    read = reader.read

    async def recording(*args: Any) -> Any:
        row = await read(*args)
        made.append(row is not None)
        return row

    monkeypatch.setattr(reader, "read", recording)
    return made


def _statements(world: World, target: str, headers: dict[str, str]) -> tuple[Any, list[str]]:
    """The answer to a GET and the statements SQLAlchemy ran for it."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        response = world.client.get(target, headers=headers)
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    return response, statements


def test_an_idle_pull_is_one_read_on_the_event_loop(
    world: World, served: list[bool], reads: list[bool]
) -> None:
    """The caller's checks and the feed's opening are one read, made by the idle reader (not
    through SQLAlchemy and the thread pool); nothing is written while the device's cursor
    stands still (the position was noted by the first idle pull at it)."""
    h = world.h("rep1")
    cursor = world.client.get("/sync/pull", headers=h).json()["cursor"]
    response, statements = _statements(world, f"/sync/pull?cursor={cursor}", h)
    assert response.status_code == 200
    written = [s.split()[0] for s in statements if not s.startswith("BEGIN")]
    assert written == ["UPDATE"], statements  # the position noted
    with world.engine.connect() as conn:
        noted = conn.scalar(
            select(m.devices.c.pull_seq).where(m.devices.c.id == world.devices["rep1"])
        )
    assert str(noted) == cursor.partition(".")[0]
    response, statements = _statements(world, f"/sync/pull?cursor={cursor}", h)
    assert response.status_code == 200 and b'"records":[]' in response.content
    assert statements == []
    assert served == [True, True, True] and reads == [True, True, True]


def test_a_pull_with_changes_is_read_on_the_thread_pool_as_before(
    world: World, framework: TestClient, served: list[bool], reads: list[bool]
) -> None:
    h = world.h("rep1")
    cursor = world.client.get("/sync/pull", headers=h).json()["cursor"]
    note = change(
        "activity",
        str(uuid.uuid4()),
        {
            "account_id": world.accounts["acc1"],
            "kind": "call",
            "start_at": "2030-01-01T09:00:00+00:00",
            "summary": "a call",
        },
    )
    assert [r["status"] for r in world.push("rep1", note)] == ["applied"]
    served.clear()
    reads.clear()
    fast, slow = _both(world, framework, f"/sync/pull?cursor={cursor}", h)
    assert fast == slow and b'"summary":"a call"' in fast[2]
    assert served == [True] and reads == [True]  # read on the loop, then the page on the pool


def test_every_check_holds_on_the_idle_read(
    world: World, framework: TestClient, served: list[bool], reads: list[bool]
) -> None:
    """A password change (token version), a scope change and a revoked or disabled caller
    are seen by the idle read as by the route, on the next pull."""
    cursors = {
        u: world.client.get("/sync/pull", headers=world.h(u)).json()["cursor"]
        for u in ("rep1", "rep2", "rep3", "manager1")
    }
    with world.engine.begin() as conn:
        conn.execute(
            update(m.users)
            .where(m.users.c.id == world.users["rep1"])
            .values(token_version=m.users.c.token_version + 1)
        )
        conn.execute(
            update(m.users)
            .where(m.users.c.id == world.users["rep2"])
            .values(scope_reset_seq=int(cursors["rep2"].partition(".")[0]) + 1)
        )
        conn.execute(
            update(m.devices)
            .where(m.devices.c.id == world.devices["rep3"])
            .values(revoked_at="2030-01-01T00:00:00+00:00")
        )
        conn.execute(
            update(m.users).where(m.users.c.id == world.users["manager1"]).values(active=False)
        )
    served.clear()
    reads.clear()
    expected = {"rep1": 401, "rep2": 200, "rep3": 403, "manager1": 403}
    for user, status in expected.items():
        fast, slow = _both(world, framework, f"/sync/pull?cursor={cursors[user]}", world.h(user))
        assert fast == slow and fast[0] == status, (user, fast)
    fast = world.client.get(f"/sync/pull?cursor={cursors['rep2']}", headers=world.h("rep2"))
    assert fast.json()["resync_required"] is True
    # Refused callers fall through to FastAPI, which refuses them again; the resync is fast.
    assert served == [False, True, False, False, True]
    assert all(reads)


def test_a_broken_idle_connection_is_dropped_and_made_again(
    world: World, framework: TestClient, served: list[bool], reads: list[bool]
) -> None:
    """A failing read on the loop (here: its connection closed under it) costs nothing but
    the trip: the thread pool answers that pull, and the next one is read on the loop again
    on a new connection."""
    h = world.h("rep1")
    cursor = world.client.get("/sync/pull", headers=h).json()["cursor"]
    reader = world.client.app.state.idle_reader  # type: ignore[attr-defined]
    if reader._postgres:
        reader._pg._connection.pgconn.finish()  # the socket closed under psycopg
    else:
        reader._sqlite.close()
    target = f"/sync/pull?cursor={cursor}"
    fast, slow = _both(world, framework, target, h)
    assert fast == slow and fast[0] == 200
    again, _slow = _both(world, framework, target, h)
    assert again == fast
    assert served == [True, True, True] and reads == [True, False, True]
