"""Reading large server answers (snapshot and pull pages) without building pydantic models.

A first-sync page holds up to 20,000 records. Validating it into ``WireRecord`` models and then
converting those into the replica's :class:`~desktop_crm.storage.records_store.StoredRecord`
cost about three times as much as parsing the JSON. Here the page is parsed with
``pydantic_core.from_json`` (the same JSON reader the models use, faster than ``json.loads``) and
each record is checked by hand against the rules of the protocol models
(:mod:`desktop_crm.protocol.messages`) and turned into a replica ``StoredRecord`` directly (not
the server's ``ServerRecord``, which the client never sees).

The hand check is deliberately *stricter* than pydantic (exact JSON types, a plain ISO-8601
timestamp): whatever it does not accept is handed to the pydantic models, which either accept
it (and the page is converted the slow way) or produce the usual
:class:`~desktop_crm.sync.http_client.ProtocolError`. So an answer is accepted exactly when the
models accept it, and the records come out the same either way (``tests/sync/test_fast_wire.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import from_json

from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import VersionVector
from desktop_crm.protocol.messages import PullResponse, Removal, SnapshotResponse
from desktop_crm.storage.records_store import StoredRecord

_ENTITIES: dict[str, Entity] = {e.value: e for e in Entity}
_RECORD_KEYS = frozenset(
    {"entity", "id", "version", "deleted", "updated_at", "updated_by", "data", "masked"}
)
_RECORD_REQUIRED = frozenset({"entity", "id", "version", "updated_at", "data"})
_SNAPSHOT_KEYS = frozenset({"records", "next_page", "cursor"})
_PULL_KEYS = frozenset({"records", "removals", "cursor", "has_more", "resync_required"})
_PULL_REQUIRED = frozenset({"records", "cursor", "has_more"})
_REMOVAL_KEYS = frozenset({"entity", "id"})
#: What both ``datetime.fromisoformat`` and pydantic read the same way.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_ID_MAX = 64


class _NotPlain(Exception):
    """The answer is not in the plain shape the fast path reads; ask the models."""


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    records: list[StoredRecord]
    next_page: str | None
    cursor: str

    @classmethod
    def from_response(cls, response: SnapshotResponse) -> SnapshotPage:
        return cls(
            [StoredRecord.from_wire(r) for r in response.records],
            response.next_page,
            response.cursor,
        )


@dataclass(frozen=True, slots=True)
class PullPage:
    records: list[StoredRecord]
    removals: list[Removal]
    cursor: str
    has_more: bool
    resync_required: bool

    @classmethod
    def from_response(cls, response: PullResponse) -> PullPage:
        return cls(
            [StoredRecord.from_wire(r) for r in response.records],
            list(response.removals),
            response.cursor,
            response.has_more,
            response.resync_required,
        )


def plain_snapshot(content: bytes) -> SnapshotPage | None:
    """The page, or None when it needs the models (unusual shape, or not valid at all)."""
    try:
        body = _loads(content)
        if body.keys() != _SNAPSHOT_KEYS:
            return None
        next_page, cursor = body["next_page"], body["cursor"]
        if (next_page is not None and type(next_page) is not str) or type(cursor) is not str:
            return None
        return SnapshotPage(_records(body["records"]), next_page, cursor)
    except _NotPlain:
        return None


def plain_pull(content: bytes) -> PullPage | None:
    """The page, or None when it needs the models (unusual shape, or not valid at all)."""
    try:
        body = _loads(content)
        keys = body.keys()
        if not (_PULL_REQUIRED <= keys <= _PULL_KEYS):
            return None
        cursor, has_more = body["cursor"], body["has_more"]
        resync = body.get("resync_required", False)
        if type(cursor) is not str or type(has_more) is not bool or type(resync) is not bool:
            return None
        removals = body.get("removals", [])
        if type(removals) is not list:
            return None
        return PullPage(
            _records(body["records"]),
            [_removal(r) for r in removals],
            cursor,
            has_more,
            resync,
        )
    except _NotPlain:
        return None


def _loads(content: bytes) -> dict[str, Any]:
    try:
        # NaN / Infinity are not JSON: left to the models to decide.
        body = from_json(content, allow_inf_nan=False)
    except ValueError as exc:  # not JSON (or not UTF-8): the models say so properly
        raise _NotPlain from exc
    if type(body) is not dict:
        raise _NotPlain
    return body


def _removal(item: Any) -> Removal:
    if type(item) is not dict or item.keys() != _REMOVAL_KEYS:
        raise _NotPlain
    entity, record_id = item["entity"], item["id"]
    if type(entity) is not str or entity not in _ENTITIES or type(record_id) is not str:
        raise _NotPlain
    return Removal.model_construct(entity=_ENTITIES[entity], id=record_id)


def _records(items: Any) -> list[StoredRecord]:
    if type(items) is not list:
        raise _NotPlain
    entities = _ENTITIES
    timestamp = _TIMESTAMP.fullmatch
    parse_time = datetime.fromisoformat
    out: list[StoredRecord] = []
    append = out.append
    # Most records of a page share a version ({"server": 1}); vectors are immutable.
    vectors: dict[tuple[tuple[str, Any], ...], VersionVector] = {}
    for item in items:
        if type(item) is not dict:
            raise _NotPlain
        keys = item.keys()
        if not (_RECORD_REQUIRED <= keys <= _RECORD_KEYS):
            raise _NotPlain
        entity_name = item["entity"]
        record_id = item["id"]
        version = item["version"]
        updated_at = item["updated_at"]
        data = item["data"]
        deleted = item.get("deleted", False)
        updated_by = item.get("updated_by", "")
        if (
            type(entity_name) is not str
            or entity_name not in entities
            or type(record_id) is not str
            or not 0 < len(record_id) <= _ID_MAX
            or type(version) is not dict
            or type(updated_at) is not str
            or timestamp(updated_at) is None
            or type(data) is not dict
            or type(deleted) is not bool
            or type(updated_by) is not str
        ):
            raise _NotPlain
        for counter in version.values():
            if type(counter) is not int:
                raise _NotPlain
        if "masked" in keys:
            masked = item["masked"]
            if type(masked) is not list or any(type(m) is not str for m in masked):
                raise _NotPlain
        try:
            counters = tuple(version.items())
            vector = vectors.get(counters)
            if vector is None:
                # A bad counter: the models accept it; converting it fails the same way there.
                vector = vectors[counters] = VersionVector(version)
            when = parse_time(updated_at)  # a date that does not exist: the models say so
        except ValueError as exc:
            raise _NotPlain from exc
        # entity, id, version, deleted, updated_at, updated_by, data
        append(
            StoredRecord(entities[entity_name], record_id, vector, deleted, when, updated_by, data)
        )
    return out
