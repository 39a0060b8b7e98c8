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

One bad record never stalls sync: the page is read record by record. A record that neither
path can read (the models refuse it, its version vector breaks the rules of
:func:`~desktop_crm.domain.version_vector.checked_vector`, or it holds text that is not
Unicode, such as a lone surrogate escape) is set aside as :class:`Unreadable`, and the rest of
the page is applied; the engine parks it as a sync issue. A page that is not JSON, or not a
page, is still refused whole.

The other way, :func:`push_body` writes a push request from the outbox rows as stored: their
JSON text (data, versions, changed fields) goes into the body as it is, instead of being
decoded into entries and ``Change`` models and encoded again. The server reads it as the
same request (``tests/sync/test_fast_wire.py`` compares it with the models' JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import from_json

from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import InvalidVersion, VersionVector, checked_vector
from desktop_crm.protocol.messages import (
    PullResponse,
    Removal,
    SnapshotResponse,
    WireRecord,
)
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
class Unreadable:
    """A record of a page that cannot be read: skipped, and parked by the engine."""

    #: As the server named them, made printable (they may be the unreadable part).
    entity: str
    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SnapshotPage:
    records: list[StoredRecord]
    next_page: str | None
    cursor: str
    unreadable: list[Unreadable] = field(default_factory=list)

    @classmethod
    def from_response(cls, response: SnapshotResponse) -> SnapshotPage:
        records, unreadable = _from_models(response.records)
        return cls(records, response.next_page, response.cursor, unreadable)


@dataclass(frozen=True, slots=True)
class PullPage:
    records: list[StoredRecord]
    removals: list[Removal]
    cursor: str
    has_more: bool
    resync_required: bool
    unreadable: list[Unreadable] = field(default_factory=list)

    @classmethod
    def from_response(cls, response: PullResponse) -> PullPage:
        records, unreadable = _from_models(response.records)
        return cls(
            records,
            list(response.removals),
            response.cursor,
            response.has_more,
            response.resync_required,
            unreadable,
        )


def _from_models(wires: list[WireRecord]) -> tuple[list[StoredRecord], list[Unreadable]]:
    records: list[StoredRecord] = []
    unreadable: list[Unreadable] = []
    for wire in wires:
        try:
            records.append(_stored_from_model(wire))
        except ValueError as exc:
            unreadable.append(_unreadable(wire.entity, wire.id, exc))
    return records, unreadable


def _stored_from_model(wire: WireRecord) -> StoredRecord:
    """A record the models read, with its vector checked (raises ValueError)."""
    checked_vector(wire.version)
    return StoredRecord.from_wire(wire)


def _printable(value: object) -> str:
    text = value if isinstance(value, str) else ""
    # Lone surrogates shown as escapes and NUL dropped: the text goes into the replica.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:64].replace("\x00", "")


def _unreadable(entity: object, record_id: object, problem: Exception | str) -> Unreadable:
    if isinstance(problem, ValidationError):
        error = problem.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        reason = f"{where}: {error['msg']}" if where else str(error["msg"])
    else:
        reason = str(problem)
    reason = reason.encode("utf-8", "backslashreplace").decode("utf-8")[:300]
    return Unreadable(_printable(getattr(entity, "value", entity)), _printable(record_id), reason)


def plain_snapshot(content: bytes) -> SnapshotPage | None:
    """The page, or None when it needs the models (unusual shape, or not valid at all)."""
    try:
        body, tolerant = _loads(content)
        if body.keys() != _SNAPSHOT_KEYS:
            return None
        next_page, cursor = body["next_page"], body["cursor"]
        if (next_page is not None and type(next_page) is not str) or type(cursor) is not str:
            return None
        records, unreadable = _records(body["records"], tolerant)
        return SnapshotPage(records, next_page, cursor, unreadable)
    except _NotPlain:
        return None


def plain_pull(content: bytes) -> PullPage | None:
    """The page, or None when it needs the models (unusual shape, or not valid at all)."""
    try:
        body, tolerant = _loads(content)
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
        records, unreadable = _records(body["records"], tolerant)
        return PullPage(
            records, [_removal(r) for r in removals], cursor, has_more, resync, unreadable
        )
    except _NotPlain:
        return None


def _loads(content: bytes) -> tuple[dict[str, Any], bool]:
    """The page's body, and whether it was read by the tolerant reader (then its text may
    hold lone surrogates, and every record is checked for them)."""
    tolerant = False
    try:
        # NaN / Infinity are not JSON: left to the models to decide.
        body = from_json(content, allow_inf_nan=False)
    except ValueError:
        # The models' reader refuses a whole page for one lone surrogate escape (valid JSON,
        # not valid Unicode); Python's reader keeps it, so that record alone is set aside.
        body, tolerant = _tolerant_loads(content), True
    if type(body) is not dict:
        raise _NotPlain
    return body, tolerant


def _tolerant_loads(content: bytes) -> Any:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(content.decode("utf-8"), parse_constant=refuse_constant)
    except ValueError as exc:  # not JSON (or not UTF-8): the models say so properly
        raise _NotPlain from exc


def _text_problem(value: Any) -> str | None:
    """Where ``value`` holds text that is not Unicode (only possible after the tolerant
    reader), or a key that is not text."""
    if type(value) is str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "holds text that is not valid Unicode (a lone surrogate)"
        return None
    if type(value) is dict:
        for key, item in value.items():
            problem = _text_problem(key) or _text_problem(item)
            if problem:
                return problem
    elif type(value) is list:
        for item in value:
            problem = _text_problem(item)
            if problem:
                return problem
    return None


def _removal(item: Any) -> Removal:
    if type(item) is not dict or item.keys() != _REMOVAL_KEYS:
        raise _NotPlain
    entity, record_id = item["entity"], item["id"]
    if type(entity) is not str or entity not in _ENTITIES or type(record_id) is not str:
        raise _NotPlain
    return Removal.model_construct(entity=_ENTITIES[entity], id=record_id)


def _records(items: Any, tolerant: bool) -> tuple[list[StoredRecord], list[Unreadable]]:
    if type(items) is not list:
        raise _NotPlain
    out: list[StoredRecord] = []
    unreadable: list[Unreadable] = []
    # Most records of a page share a version ({"server": 1}); vectors are immutable.
    vectors: dict[tuple[tuple[str, Any], ...], VersionVector] = {}
    for item in items:
        try:
            if tolerant and _text_problem(item) is not None:
                raise _NotPlain
            out.append(_plain_record(item, vectors))
        except _NotPlain:
            record = _odd_record(item)
            if isinstance(record, Unreadable):
                unreadable.append(record)
            else:
                out.append(record)
    return out, unreadable


def _plain_record(
    item: Any, vectors: dict[tuple[tuple[str, Any], ...], VersionVector]
) -> StoredRecord:
    """A record in the plain shape, read by hand; anything else raises :class:`_NotPlain`."""
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
        or entity_name not in _ENTITIES
        or type(record_id) is not str
        or not 0 < len(record_id) <= _ID_MAX
        or type(version) is not dict
        or type(updated_at) is not str
        or _TIMESTAMP.fullmatch(updated_at) is None
        or type(data) is not dict
        or type(deleted) is not bool
        or type(updated_by) is not str
    ):
        raise _NotPlain
    for counter in version.values():
        if type(counter) is not int:
            raise _NotPlain
    masked: list[str] = []
    if "masked" in keys:
        masked = item["masked"]
        if type(masked) is not list or any(type(m) is not str for m in masked):
            raise _NotPlain
    try:
        counters = tuple(version.items())
        vector = vectors.get(counters)
        if vector is None:
            # A vector the rules refuse: the odd path sets the record aside with the reason.
            vector = vectors[counters] = checked_vector(version)
        when = datetime.fromisoformat(updated_at)  # a date that does not exist: the models say so
    except ValueError as exc:
        raise _NotPlain from exc
    # entity, id, version, deleted, updated_at, updated_by, data, masked
    return StoredRecord(
        _ENTITIES[entity_name], record_id, vector, deleted, when, updated_by, data, tuple(masked)
    )


def _odd_record(item: Any) -> StoredRecord | Unreadable:
    """A record the fast path does not read, read by the models; one they refuse (or whose
    vector or text breaks the rules) comes back as :class:`Unreadable`."""
    entity = item.get("entity") if type(item) is dict else None
    record_id = item.get("id") if type(item) is dict else None
    problem = _text_problem(item)
    if problem is not None:
        return _unreadable(entity, record_id, f"the record {problem}")
    try:
        wire = WireRecord.model_validate_json(json.dumps(item, allow_nan=False))
        if isinstance(wire.version, Mapping):
            checked_vector(wire.version)
        return StoredRecord.from_wire(wire)
    except InvalidVersion as exc:
        return _unreadable(entity, record_id, f"its version vector is refused: {exc}")
    except ValueError as exc:  # ValidationError, or accepted by the models but not convertible
        return _unreadable(entity, record_id, exc)


# Writing a push request ---------------------------------------------------------------------------


def push_body(rows: Sequence[Any]) -> bytes:
    """The JSON of a ``PushRequest`` for outbox rows (``sync_bookkeeping.pending_rows``), with
    their stored JSON spliced in. Equal, as the server reads it, to
    ``PushRequest(changes=[...]).model_dump(mode="json")`` of the decoded entries."""
    dumps = json.dumps
    parts = []
    for row in rows:
        changed_at = edit_time(row.created_at)
        parts.append(
            f'{{"change_id":{dumps(row.change_id)},"entity":{dumps(row.entity)},'
            f'"record_id":{dumps(row.record_id)},"base_version":{row.base_version or "{}"},'
            f'"new_version":{row.new_version or "{}"},"changed_fields":{row.changed_fields},'
            f'"deleted":{"true" if row.deleted else "false"},"data":{row.data},'
            f'"changed_at":{dumps(changed_at.isoformat()) if changed_at else "null"}}}'
        )
    return ('{"changes":[' + ",".join(parts) + "]}").encode()


def edit_time(created_at: str) -> datetime | None:
    """When an outbox entry was made (UTC when stored without a zone); None if unreadable."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
