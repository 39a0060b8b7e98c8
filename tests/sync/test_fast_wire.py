"""Pages read without pydantic models (``desktop_crm.sync.fast_wire``) come out exactly as the
protocol models read them; a page the models refuse is still refused, and a record they refuse
is set aside alone (``unreadable``) while the rest of its page is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import update

from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.protocol.messages import PullResponse, PushRequest, SnapshotResponse
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica
from desktop_crm.storage.schema import outbox
from desktop_crm.sync.engine import _to_change
from desktop_crm.sync.fast_wire import (
    PullPage,
    SnapshotPage,
    Unreadable,
    plain_pull,
    plain_snapshot,
    push_body,
)
from desktop_crm.sync.http_client import ProtocolError, SyncClient

RECORD: dict[str, Any] = {
    "entity": "contact",
    "id": "c1",
    "version": {"server": 2, "r1": 1},
    "deleted": False,
    "updated_at": "2026-11-07T14:18:00.000000+00:00",
    "updated_by": "u1",
    "data": {"name": "王伟", "phones": [{"raw": "138", "e164": "+86138"}], "n": 1.5},
    "masked": ["notes"],
}


def _with(**changes: Any) -> dict[str, Any]:
    record = {**RECORD, **changes}
    return {k: v for k, v in record.items() if v is not DROP}


DROP = object()

#: Records the fast path takes as they are.
PLAIN = [
    RECORD,
    _with(deleted=DROP, updated_by=DROP, masked=DROP),
    _with(updated_at="2026-11-07T14:18:00Z"),
    _with(updated_at="2026-11-07T14:18:00"),  # naive: both keep it naive
    _with(updated_at="2026-11-07T14:18:00.5-05:30"),
    _with(entity="account", version={}),
    _with(id="x" * 64, deleted=True),
]
#: Records the fast path leaves to the models (which accept some and refuse others).
ODD = [
    _with(entity="lead"),
    _with(id=""),
    _with(id="x" * 65),
    _with(id=5),
    _with(version={"server": "2"}),
    _with(version={"server": 2.0}),
    _with(version={"server": True}),
    _with(version={"server": -1}),
    _with(version={"": 1}),
    _with(version=[1]),
    _with(deleted=1),
    _with(deleted="true"),
    _with(updated_at="2026-11-07"),
    _with(updated_at="2026-13-07T14:18:00Z"),
    _with(updated_at="2026-11-07t14:18:00Z"),
    _with(updated_at=1_700_000_000),
    _with(updated_at="2026-11-07T14:18:00.1234567Z"),
    _with(updated_by=None),
    _with(data=[]),
    _with(data=DROP),
    _with(masked=[1]),
    _with(masked="notes"),
    _with(extra=1),
    "not a record",
]


def _models_snapshot(body: bytes) -> SnapshotPage | type[Exception]:
    try:
        return SnapshotPage.from_response(SnapshotResponse.model_validate_json(body))
    except ValidationError:
        return ProtocolError
    except ValueError:  # accepted by the models, refused when converted
        return ValueError


def _client_snapshot(body: bytes) -> SnapshotPage | type[Exception]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with SyncClient("http://server", "token", transport=transport) as client:
        try:
            return client.snapshot_page()
        except ProtocolError:
            return ProtocolError
        except ValueError:
            return ValueError


def _snapshot_body(records: list[Any], **top: Any) -> bytes:
    body = {"records": records, "next_page": "p2", "cursor": "17", **top}
    return json.dumps(body, ensure_ascii=False).encode()


@pytest.mark.parametrize("record", PLAIN)
def test_plain_records_read_as_the_models_read_them(record: dict[str, Any]) -> None:
    body = _snapshot_body([record, RECORD])
    page = plain_snapshot(body)
    assert page is not None
    assert page == _models_snapshot(body) == _client_snapshot(body)
    assert [r.updated_at for r in page.records] == [
        r.updated_at for r in SnapshotResponse.model_validate_json(body).records
    ]


@pytest.mark.parametrize("record", ODD)
def test_odd_records_go_to_the_models_one_by_one(record: Any) -> None:
    body = _snapshot_body([RECORD, record])
    page = plain_snapshot(body)
    assert page is not None
    assert _client_snapshot(body) == page
    plain = _models_snapshot(_snapshot_body([RECORD]))
    alone = _models_snapshot(_snapshot_body([record]))
    assert isinstance(plain, SnapshotPage)
    if isinstance(alone, SnapshotPage) and not alone.unreadable:  # the models read it
        assert page.records == plain.records + alone.records
        assert page.unreadable == []
    else:  # the models refuse it: set aside, the rest of the page read
        assert page.records == plain.records
        [unreadable] = page.unreadable
        assert isinstance(unreadable, Unreadable) and unreadable.reason


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"records": [], "cursor": "1"}',
        b'{"records": [], "next_page": null, "cursor": 1}',
        b'{"records": [], "next_page": 5, "cursor": "1"}',
        b'{"records": {}, "next_page": null, "cursor": "1"}',
        b'{"records": [], "next_page": null, "cursor": "1", "more": 1}',
        b'{"records": [{"data": {"x": NaN}}], "next_page": null, "cursor": "1"}',
        b'{"records": [], "next_page": null, "cursor": "\xff"}',
    ],
)
def test_malformed_pages(body: bytes) -> None:
    assert plain_snapshot(body) is None
    assert _client_snapshot(body) == _models_snapshot(body)


def test_last_page() -> None:
    body = _snapshot_body([RECORD], next_page=None)
    assert _client_snapshot(body) == _models_snapshot(body) == plain_snapshot(body)


def _models_pull(body: bytes) -> PullPage | type[Exception]:
    try:
        return PullPage.from_response(PullResponse.model_validate_json(body))
    except ValidationError:
        return ProtocolError


def _client_pull(body: bytes) -> PullPage | type[Exception]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with SyncClient("http://server", "token", transport=transport) as client:
        try:
            return client.pull_page("0")
        except ProtocolError:
            return ProtocolError


@pytest.mark.parametrize(
    ("body", "plain"),
    [
        ({"records": [RECORD], "cursor": "5", "has_more": False}, True),
        (
            {
                "records": [],
                "removals": [{"entity": "account", "id": "a1"}],
                "cursor": "5",
                "has_more": True,
                "resync_required": False,
            },
            True,
        ),
        ({"records": [], "cursor": "5", "has_more": False, "resync_required": True}, True),
        ({"records": [], "cursor": "5", "has_more": 1}, False),
        ({"records": [], "cursor": "5"}, False),
        ({"records": [], "removals": [{"entity": "lead", "id": "a"}], "cursor": "5"}, False),
        ({"records": [], "removals": [{"entity": "account"}], "cursor": "5"}, False),
        ({"records": [], "removals": {}, "cursor": "5", "has_more": False}, False),
        ({"records": [ODD[0]], "cursor": "5", "has_more": False}, True),
        ({"records": [], "cursor": "5", "has_more": False, "x": 1}, False),
    ],
)
def test_pull_pages(body: dict[str, Any], plain: bool) -> None:
    raw = json.dumps(body).encode()
    page = plain_pull(raw)
    assert (page is not None) == plain
    if page is not None and page.unreadable:  # the models refuse the page for that record
        assert _client_pull(raw) == page
        assert page.records == []
        return
    assert _client_pull(raw) == _models_pull(raw)
    if page is not None:
        assert page == _models_pull(raw)


# Unreadable records (issue 14) ---------------------------------------------------------------


def test_a_lone_surrogate_sets_aside_its_record_only() -> None:
    # Valid JSON (``\ud800`` escapes) that is not Unicode: the models refuse the whole page.
    bad_key = _with(id="bad-key", version={"server": 2, "\ud800": 1})
    bad_text = _with(id="bad-text", data={"name": "Wang \udfff"})
    body = json.dumps(
        {"records": [RECORD, bad_key, bad_text], "next_page": None, "cursor": "9"},
        ensure_ascii=True,
    ).encode()
    assert _models_snapshot(body) is ProtocolError
    page = _client_snapshot(body)
    assert isinstance(page, SnapshotPage)
    assert [r.id for r in page.records] == ["c1"] and page.cursor == "9"
    assert [(u.entity, u.id) for u in page.unreadable] == [
        ("contact", "bad-key"),
        ("contact", "bad-text"),
    ]
    assert "surrogate" in page.unreadable[0].reason
    assert "Unicode" in page.unreadable[1].reason
    for unreadable in page.unreadable:  # what the engine stores must be storable
        unreadable.reason.encode("utf-8")


@pytest.mark.parametrize(
    "version",
    [{"server": 10**4000}, {"server": 2**53}, {f"d{n}": 1 for n in range(301)}, {"a\x00": 1}],
)
def test_a_vector_the_rules_refuse_sets_aside_its_record(version: dict[str, int]) -> None:
    raw = json.dumps(
        {"records": [_with(version=version), RECORD], "cursor": "5", "has_more": False}
    )
    page = _client_pull(raw.encode())
    assert isinstance(page, PullPage)
    assert [r.id for r in page.records] == ["c1"]
    [unreadable] = page.unreadable
    assert unreadable.id == "c1" and "version" in unreadable.reason


def test_a_page_that_is_not_a_page_is_still_refused() -> None:
    body = json.dumps({"records": "\ud800", "cursor": "5", "has_more": False}).encode()
    assert _client_pull(body) is ProtocolError


# Writing a push request from the outbox rows as stored ------------------------------------------


def test_a_push_body_is_the_request_the_models_write(
    replica_factory: Callable[..., Replica],
) -> None:
    """The server reads the spliced body as the same ``PushRequest`` as the models' JSON of the
    decoded entries: text beyond ASCII, quotes, nested lists, deletions, an empty base version,
    edit times with and without a zone, and one that cannot be read (sent as null)."""
    cases: list[tuple[str, dict[str, Any], bool, dict[str, int]]] = [
        (
            "contact",
            {"name": '王伟 "Wei"', "phones": [{"raw": "138", "e164": "+86138"}]},
            False,
            {},
        ),
        ("account", {"name": "Ölwerk\\n", "tags": ["a", "é"], "n": 1.5}, False, {"srv": 3}),
        ("activity", {"subject": "", "participants": []}, True, {"srv": 1, "r1": 2}),
        ("opportunity", {"amount": "12.50", "notes": "tab\there"}, False, {"r1": 1}),
    ]
    replica = replica_factory()
    with replica.engine.begin() as conn:
        for n, (entity, data, deleted, base) in enumerate(cases):
            book.add_outbox_entry(
                conn,
                change_id=f"change-{n}",
                entity=entity,
                record_id=f"“id” {n}",
                base_version=VersionVector(base),
                new_version=VersionVector(base).bump("r1"),
                changed_fields=sorted(data, reverse=True),
                deleted=deleted,
                data=data,
            )
        times = {"change-1": "2026-11-07T14:18:00", "change-2": "not a time"}
        for change_id, created_at in times.items():
            conn.execute(
                update(outbox).where(outbox.c.change_id == change_id).values(created_at=created_at)
            )
        rows = book.pending_rows(conn, 100)
    expected = PushRequest(changes=[_to_change(book.outbox_entry(row)) for row in rows])
    assert len(expected.changes) == len(cases)
    assert expected.changes[2].changed_at is None
    assert PushRequest.model_validate_json(push_body(rows)) == expected
    assert json.loads(push_body(rows))["changes"][3]["data"] == cases[3][1]
