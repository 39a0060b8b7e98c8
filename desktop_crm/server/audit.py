"""The audit trail: an append-only hash chain in ``audit_log``.

Every entry carries ``prev_hash`` (the hash of the entry before it) and ``hash`` (SHA-256 over
``prev_hash`` and the entry's columns, its ``detail`` through ``detail_hash``). The chain's
head (last id and hash) and base (where it starts after a purge) live in the one-row table
``audit_chain``. Appends serialize on that row: PostgreSQL locks it (``FOR UPDATE``) for the
rest of the transaction; SQLite writers hold the database's write lock anyway. One append
writes any number of entries (a push's record writes) for one lock and one head update.

:func:`verify` walks the chain and reports the first broken link: an edited entry (its hash
does not recompute), a deleted one (the next entry's ``prev_hash`` does not match, or the head
names an entry that is gone), a rewritten base. ``detail`` may be replaced by an erasure
marker only together with an ``audit.redact`` entry naming it (:func:`redact`), so erasing a
person keeps the fact and the hash of each entry but not the values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from desktop_crm.server import models as m
from desktop_crm.server.timeutil import iso, now, parse_iso

#: The hash an empty chain's first entry links to.
GENESIS = "0" * 64
#: The detail an erased entry keeps (see :func:`redact`).
REDACTED_DETAIL = '{"redacted":true}'
#: Entries read per query while verifying.
_VERIFY_BATCH = 5000
#: The client address of the request being served (set by the app's middleware), so that
#: :func:`append` can record it without every caller passing it down.
REQUEST_ADDRESS: ContextVar[str | None] = ContextVar("audit_request_address", default=None)
#: The columns an entry's hash covers, in order.
HASHED_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "device_id",
    "address",
    "action",
    "entity",
    "record_id",
    "change_id",
    "detail_hash",
)


class RequestAddress:
    """ASGI middleware: :data:`REQUEST_ADDRESS` is the client's address while a request is
    served (sync routes run on worker threads, which get a copy of this context)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client") if scope.get("type") == "http" else None
        token = REQUEST_ADDRESS.set(str(client[0])[:64] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_ADDRESS.reset(token)


#: The hashed columns as compact JSON (one encoder, not one per entry: ``json.dumps`` with
#: options builds a new one each call, which was most of an append's cost).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def detail_hash(detail: str) -> str:
    return hashlib.sha256(detail.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of an entry: SHA-256 over the previous hash and the hashed columns."""
    payload = _encode([entry.get(name) for name in HASHED_COLUMNS])
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _head(conn: Connection) -> Any:
    query = select(m.audit_chain).where(m.audit_chain.c.id == 1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def append(conn: Connection, entries: Sequence[Mapping[str, Any]]) -> None:
    """Append entries (``at``, ``actor_id``, ``action``, ``detail`` text and optionally
    ``device_id``, ``entity``, ``record_id``, ``change_id``, ``address``) to the chain, in
    order, inside the caller's write transaction."""
    if not entries:
        return
    head = _head(conn)
    last_id, last_hash = int(head.last_id), str(head.last_hash)
    address = REQUEST_ADDRESS.get()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        last_id += 1
        row = {
            "device_id": None,
            "entity": None,
            "record_id": None,
            "change_id": None,
            "address": address,
            **entry,
            "id": last_id,
        }
        row["detail_hash"] = detail_hash(row["detail"])
        row["prev_hash"] = last_hash
        last_hash = row["hash"] = entry_hash(last_hash, row)
        rows.append(row)
    conn.execute(insert(m.audit_log), rows)
    conn.execute(
        update(m.audit_chain)
        .where(m.audit_chain.c.id == 1)
        .values(last_id=last_id, last_hash=last_hash)
    )


def event(
    conn: Connection,
    actor_id: str,
    device_id: str | None,
    action: str,
    detail: Mapping[str, object],
    entity: str | None = None,
    record_id: str | None = None,
) -> None:
    """One entry, now."""
    append(
        conn,
        [
            {
                "at": iso(now()),
                "actor_id": actor_id,
                "device_id": device_id,
                "action": action,
                "entity": None if entity is None else str(entity),
                "record_id": record_id,
                "detail": json.dumps(detail, default=str, ensure_ascii=False),
            }
        ],
    )


# Reading -------------------------------------------------------------------------------------


class AuditQueryError(ValueError):
    """A filter that cannot be used (a malformed date, an unknown user)."""


class BadAuditDate(AuditQueryError):
    """A ``since`` that is not an ISO-8601 date or time."""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    user_id: str | None = None
    record_id: str | None = None
    since: str | None = None
    action: str | None = None
    #: Only entries by these users (a manager's team); None: everyone.
    actors: frozenset[str] | None = None
    limit: int = 500
    #: Entries older than this id (paging backwards from the newest).
    before_id: int | None = None


def parse_since(text: str) -> str:
    """An ISO-8601 date or time as the stored text, or :class:`AuditQueryError`."""
    try:
        moment = parse_iso(text.strip())
    except ValueError:
        raise BadAuditDate(
            f"“{text}” is not a date or time; use ISO-8601, e.g. 2026-12-01 or "
            "2026-12-01T09:30:00+00:00"
        ) from None
    return iso(moment)


def list_entries(conn: Connection, flt: AuditFilter) -> list[dict[str, Any]]:
    """Matching entries, newest first, with the actor's user name."""
    log = m.audit_log
    query = (
        select(log, m.users.c.username)
        .select_from(log.outerjoin(m.users, m.users.c.id == log.c.actor_id))
        .order_by(log.c.id.desc())
        .limit(flt.limit)
    )
    if flt.user_id is not None:
        query = query.where(log.c.actor_id == flt.user_id)
    if flt.record_id is not None:
        query = query.where(log.c.record_id == flt.record_id)
    if flt.since is not None:
        query = query.where(log.c.at >= flt.since)
    if flt.action is not None:
        # "user" finds user.role, user.team...; "user.role" finds exactly that.
        family = flt.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(log.c.action == flt.action, log.c.action.like(family + ".%", escape="\\"))
        )
    if flt.actors is not None:
        query = query.where(log.c.actor_id.in_(sorted(flt.actors)))
    if flt.before_id is not None:
        query = query.where(log.c.id < flt.before_id)
    out = []
    for row in conn.execute(query):
        entry = dict(row._mapping)
        entry["detail"] = _json_or_text(entry["detail"])
        out.append(entry)
    return out


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


# Verifying -------------------------------------------------------------------------------------


@dataclass(slots=True)
class VerifyReport:
    checked: int = 0
    #: The first broken link: (entry id, what is wrong); None when the chain holds.
    broken: tuple[int, str] | None = None
    redacted: int = 0
    base_id: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(slots=True)
class _Walk:
    prev_id: int
    prev_hash: str
    redactions: set[int] = field(default_factory=set)
    redacted_rows: list[int] = field(default_factory=list)


def verify(conn: Connection) -> VerifyReport:
    """Walk the chain from its base to its head; stop at the first broken link."""
    head = conn.execute(select(m.audit_chain).where(m.audit_chain.c.id == 1)).one()
    report = VerifyReport(base_id=int(head.base_id))
    walk = _Walk(int(head.base_id), str(head.base_hash))
    problem = _check_base(conn, head)
    if problem is not None:
        report.broken = problem
        return report
    while report.broken is None:
        rows = conn.execute(
            select(m.audit_log)
            .where(m.audit_log.c.id > walk.prev_id)
            .order_by(m.audit_log.c.id)
            .limit(_VERIFY_BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            report.broken = _check_entry(walk, dict(row._mapping))
            if report.broken is not None:
                return report
            report.checked += 1
    if walk.prev_id != int(head.last_id) or walk.prev_hash != head.last_hash:
        report.broken = (
            walk.prev_id,
            f"the chain ends at entry {walk.prev_id} but its head names entry {head.last_id}: "
            "entries after it were deleted",
        )
        return report
    unnamed = [i for i in walk.redacted_rows if i not in walk.redactions]
    if unnamed:
        report.broken = (unnamed[0], f"entry {unnamed[0]}: its detail was changed")
    report.redacted = len(walk.redacted_rows)
    return report


def _check_entry(walk: _Walk, row: Mapping[str, Any]) -> tuple[int, str] | None:
    entry_id = int(row["id"])
    if row["prev_hash"] != walk.prev_hash:
        gap = range(walk.prev_id + 1, entry_id)
        missing = f" (entries {gap[0]}–{gap[-1]} are missing)" if gap else ""
        return entry_id, f"entry {entry_id} does not follow entry {walk.prev_id}{missing}"
    if row["hash"] != entry_hash(walk.prev_hash, row):
        return entry_id, f"entry {entry_id} was changed after it was written"
    if detail_hash(row["detail"]) != row["detail_hash"]:
        if row["detail"] != REDACTED_DETAIL:
            return entry_id, f"entry {entry_id}: its detail was changed"
        walk.redacted_rows.append(entry_id)
    if row["action"] == "audit.redact":
        walk.redactions.update(int(i) for i in json.loads(row["detail"]).get("entries", []))
    walk.prev_id, walk.prev_hash = entry_id, str(row["hash"])
    return None


def _check_base(conn: Connection, head: Any) -> tuple[int, str] | None:
    """The base must be where the newest purge entry says the purge ended."""
    purge = conn.execute(
        select(m.audit_log.c.id, m.audit_log.c.detail)
        .where(m.audit_log.c.action == PURGE_ACTION)
        .order_by(m.audit_log.c.id.desc())
        .limit(1)
    ).first()
    through, base_hash = 0, GENESIS
    if purge is not None:
        detail = json.loads(purge.detail)
        through, base_hash = int(detail["through_id"]), str(detail["base_hash"])
    elif int(head.base_id) != 0:
        first = conn.scalar(select(func.min(m.audit_log.c.id)))
        return int(first or 0), "the chain's start was moved, and no purge entry says why"
    base_id = int(head.base_id)
    if base_id != through or head.base_hash != base_hash:
        return through, "the chain's start does not match the last purge entry"
    return None


# Retention ---------------------------------------------------------------------------------------

PURGE_ACTION = "audit.purge"


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: int
    through_id: int
    cutoff: str


def purge_expired(
    conn: Connection, retention: timedelta, actor_id: str, *, dry_run: bool = False
) -> PurgeResult:
    """Delete the entries older than ``retention`` from the start of the chain, and append an
    ``audit.purge`` entry saying how many, up to which entry, and the hash the chain now
    starts from. Purge entries of earlier purges are kept while they are the newest one, so a
    later verify can check the chain's start against them."""
    cutoff = iso(now() - retention)
    head = _head(conn)
    base_id = int(head.base_id)
    # The chain is contiguous from its base: purge the run of old entries at its start (an
    # entry stamped out of order stops the run; it goes with a later purge).
    newer = conn.scalar(
        select(func.min(m.audit_log.c.id)).where(
            m.audit_log.c.id > base_id, m.audit_log.c.at >= cutoff
        )
    )
    upper = int(newer) - 1 if newer is not None else int(head.last_id)
    count = int(
        conn.scalar(
            select(func.count())
            .select_from(m.audit_log)
            .where(m.audit_log.c.id > base_id, m.audit_log.c.id <= upper)
        )
        or 0
    )
    if dry_run or count == 0:
        return PurgeResult(count, upper if count else base_id, cutoff)
    through_hash = conn.scalar(select(m.audit_log.c.hash).where(m.audit_log.c.id == upper))
    conn.execute(delete(m.audit_log).where(m.audit_log.c.id > base_id, m.audit_log.c.id <= upper))
    conn.execute(
        update(m.audit_chain)
        .where(m.audit_chain.c.id == 1)
        .values(base_id=upper, base_hash=through_hash)
    )
    event(
        conn,
        actor_id,
        None,
        PURGE_ACTION,
        {"count": count, "through_id": upper, "base_hash": through_hash, "before": cutoff},
    )
    return PurgeResult(count, upper, cutoff)


def redact(conn: Connection, entry_ids: Iterable[int], actor_id: str, reason: str) -> int:
    """Replace the detail of these entries by :data:`REDACTED_DETAIL` (erasing a person: the
    fact and the hash stay, the values go) and record it in an ``audit.redact`` entry."""
    ids = sorted(set(entry_ids))
    if not ids:
        return 0
    conn.execute(
        update(m.audit_log).where(m.audit_log.c.id.in_(ids)).values(detail=REDACTED_DETAIL)
    )
    event(conn, actor_id, None, "audit.redact", {"entries": ids, "reason": reason})
    return len(ids)
