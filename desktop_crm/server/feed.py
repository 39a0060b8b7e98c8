"""The change feed: the bulk snapshot for a first sync and the incremental pull.

Both answer with JSON text assembled from the stored JSON columns (see
:func:`store.wire_json`): at 100k records per scope, building pydantic or ORM objects per row
would cost more than the database does. The shapes are :class:`SnapshotResponse` and
:class:`PullResponse`; tests validate real responses against those models.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError

from desktop_crm.domain.records import Entity
from desktop_crm.domain.shape import text_problem
from desktop_crm.protocol.cursor import cursor_epoch, cursor_text
from desktop_crm.server import models as m
from desktop_crm.server import tombstones
from desktop_crm.server.auth import Principal
from desktop_crm.server.db import short_write
from desktop_crm.server.scope import (
    account_filter,
    can_see_accounts,
    scoped_accounts,
    visible_accounts,
)
from desktop_crm.server.store import ID_CHUNK, MOVE, WIRE_COLUMNS, Masks, wire_json

log = logging.getLogger(__name__)


class BadCursor(ValueError):
    """A cursor or page token the server did not issue."""


_HEAD_SEQ = select(func.coalesce(func.max(m.change_log.c.seq), 0))
#: ``server_state`` key of the server's epoch: absent until the database is first restored
#: from a backup, then a new random value at each restore (:mod:`desktop_crm.server.backup`).
EPOCH_KEY = "epoch"
#: An epoch as :mod:`desktop_crm.server.backup` mints it (``secrets.token_hex(8)``).
_EPOCH_TEXT = re.compile(r"[0-9a-f]{16}")
_EPOCH = select(m.server_state.c.value).where(m.server_state.c.key == EPOCH_KEY)
#: The pull's opening reads in one round trip: the change-log head, the caller's
#: ``scope_reset_seq``, how far tombstones were purged, and where the device was last noted.
#: Labelled, so that :data:`routes.sync` can read it joined to the caller's checks.
PULL_OPENING = select(
    _HEAD_SEQ.scalar_subquery().label("head_seq"),
    select(m.users.c.scope_reset_seq)
    .where(m.users.c.id == bindparam("user_id"))
    .scalar_subquery()
    .label("scope_reset_seq"),
    tombstones.PURGED_THROUGH_QUERY.scalar_subquery().label("purged_through"),
    select(m.devices.c.pull_seq)
    .where(m.devices.c.id == bindparam("device_id"))
    .scalar_subquery()
    .label("noted_seq"),
    select(m.devices.c.pulled_at)
    .where(m.devices.c.id == bindparam("device_id"))
    .scalar_subquery()
    .label("noted_at"),
    _EPOCH.scalar_subquery().label("epoch"),
)
#: The values :data:`PULL_OPENING` reads, in its order (head, scope reset, purged through,
#: the device's noted position and time, epoch).
PullOpening = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class FeedAnswer:
    """A snapshot or pull page as JSON text, and the position to note for the device
    (:func:`note_position`), if any."""

    body: str
    note: int | None = None
    snapshot: bool = False


def note_position(conn: Connection, device_id: str, answer: FeedAnswer) -> None:
    """Write down where the device is (the tombstone watermark, :mod:`tombstones`), in a short
    transaction of its own after the page was read. Best effort: if the database is too busy,
    the next pull notes it (a lagging note only holds the watermark back)."""
    if answer.note is None:
        return
    try:
        with short_write(conn):
            if answer.snapshot:
                tombstones.note_snapshot(conn, device_id, answer.note)
            else:
                tombstones.note_pull(conn, device_id, answer.note)
    except SQLAlchemyError:
        log.warning("could not note the pull position of device %s", device_id, exc_info=True)


def head_seq(conn: Connection) -> int:
    return int(conn.scalar(_HEAD_SEQ) or 0)


def split_cursor(text: str | None) -> tuple[int, str | None]:
    """A cursor's sequence number and epoch. A cursor is the sequence number, followed by
    ``.epoch`` once the server has been restored from a backup (:mod:`protocol.cursor`): a cursor
    from another epoch names a place in a history this database no longer has."""
    if text is None or text == "":
        return 0, None
    epoch = cursor_epoch(text)
    if epoch is not None and not _EPOCH_TEXT.fullmatch(epoch):
        raise BadCursor("The cursor is not one this server issued; take a fresh snapshot.")
    return _seq_of(text.partition(".")[0]), epoch


def parse_cursor(text: str | None) -> int:
    """A plain sequence cursor (the system tags' own, which carries no epoch)."""
    return 0 if text is None or text == "" else _seq_of(text)


def current_epoch(conn: Connection) -> str | None:
    return conn.scalar(_EPOCH)


def _seq_of(text: str) -> int:
    # Sequence numbers are 64-bit in the databases: a larger one would fail in the driver.
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) >= 2**63:
        raise BadCursor("The cursor is not one this server issued; take a fresh snapshot.")
    return int(text)


# Snapshot --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageKey:
    seq: int
    account_id: str
    entity: str
    id: str
    #: How the scope is filtered (see :func:`_wide_scope`), decided on the first page.
    wide: bool = False

    def encode(self) -> str:
        raw = json.dumps(
            [self.seq, self.account_id, self.entity, self.id, int(self.wide)],
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> PageKey:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            parts = json.loads(raw)
            if not isinstance(parts, list) or len(parts) not in (4, 5):
                raise ValueError
            seq, account_id, entity, record_id = parts[:4]
            wide = parts[4] if len(parts) == 5 else 0  # 4 parts: issued before "wide" existed
            if not isinstance(seq, int) or not 0 <= seq < 2**63 or wide not in (0, 1):
                raise ValueError
            if any(text_problem(str(part)) for part in (account_id, entity, record_id)):
                raise ValueError  # text no database would take (NUL, lone surrogate)
            return cls(seq, str(account_id), str(entity), str(record_id), bool(wide))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise BadCursor("The page token is not one this server issued.") from None


def _wide_scope(conn: Connection, principal: Principal) -> bool:
    """Whether the caller sees a large share of the accounts. Then each page walks the records
    in key order and checks each row's account (a correlated EXISTS), which stops after a
    page; for a narrow scope, listing the caller's accounts (``IN``) is cheaper: the walk
    would pass over many records of other people's accounts for every page."""
    accounts = scoped_accounts(principal)
    if accounts is None:
        return False  # no filter at all
    mine = conn.scalar(select(func.count()).select_from(accounts.subquery())) or 0
    total = conn.scalar(select(func.count()).select_from(m.account_assignments)) or 0
    return mine * WIDE_SHARE >= total > 0


#: A scope of at least 1/WIDE_SHARE of the assigned accounts counts as wide.
WIDE_SHARE = 4


def snapshot_page(
    conn: Connection, principal: Principal, masks: Masks, after: str | None, limit: int
) -> FeedAnswer:
    """A snapshot page; the first one notes the device at the snapshot's position."""
    key = PageKey.decode(after) if after else None
    seq = key.seq if key is not None else head_seq(conn)
    epoch = current_epoch(conn)
    wide = key.wide if key is not None else _wide_scope(conn, principal)
    query = select(*WIRE_COLUMNS, m.records.c.account_id).where(m.records.c.deleted.is_(False))
    scope = account_filter(
        principal, correlated=wide, from_account=key.account_id if key is not None else None
    )
    if scope is not None:
        query = query.where(scope)
    if key is not None:
        query = query.where(
            tuple_(m.records.c.account_id, m.records.c.entity, m.records.c.id)
            > tuple_(key.account_id, key.entity, key.id)
        )
    query = query.order_by(m.records.c.account_id, m.records.c.entity, m.records.c.id)
    rows = conn.execute(query.limit(limit + 1)).all()
    next_page = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_page = PageKey(seq, last.account_id, last.entity, last.id, wide).encode()
    body = ",".join(wire_json(row[:9], masks, principal.user_id) for row in rows)
    return FeedAnswer(
        f'{{"records":[{body}],"next_page":{json.dumps(next_page)},'
        f'"cursor":"{cursor_text(seq, epoch)}"}}',
        note=seq if key is None else None,
        snapshot=True,
    )


# Pull ------------------------------------------------------------------------------------------


def pull_json(
    conn: Connection, principal: Principal, masks: Masks, cursor: str | None, limit: int
) -> str:
    return pull_page(conn, principal, masks, cursor, limit).body


def pull_without_records(cursor: str | None, opening: PullOpening) -> FeedAnswer | None:
    """The pull's answer when the opening alone decides it (a resync, or nothing new: the
    idle pull); None when there are changes to read. Raises :class:`BadCursor`."""
    since, presented_epoch = split_cursor(cursor)
    head, reset_seq, purged, noted, noted_at, epoch = opening
    head = int(head or 0)
    if (
        since > head
        or (cursor and presented_epoch != epoch)
        or (reset_seq or 0) > since
        or since < int(purged or 0)
    ):
        # A cursor from another server or epoch (a restored backup), from before a wholesale
        # scope change, or from before tombstones it has not seen were purged: only a fresh
        # snapshot makes the replica right again.
        return FeedAnswer(_pull_body("", "[]", cursor_text(since, epoch), False, True))
    if since != head:
        return None
    # Nothing new (the common case).
    note = since if tombstones.needs_note(since, noted, noted_at) else None
    return FeedAnswer(_pull_body("", "[]", cursor_text(head, epoch), False, False), note)


def pull_page(
    conn: Connection,
    principal: Principal,
    masks: Masks,
    cursor: str | None,
    limit: int,
    opening: PullOpening | None = None,
) -> FeedAnswer:
    """A pull page; notes the device at the cursor it presented when that moved. ``opening``:
    :data:`PULL_OPENING` if the caller read it already (in this transaction)."""
    since = split_cursor(cursor)[0]
    if opening is None:
        params = {"user_id": principal.user_id, "device_id": principal.device_id}
        opening = tuple(conn.execute(PULL_OPENING, params).one())
    answer = pull_without_records(cursor, opening)
    if answer is not None:
        return answer
    head, _reset_seq, _purged, noted, noted_at, epoch = opening
    head = int(head or 0)
    note = since if tombstones.needs_note(since, noted, noted_at) else None
    query = select(*WIRE_COLUMNS, m.records.c.change_seq).where(
        m.records.c.change_seq > since, m.records.c.change_seq <= head
    )
    scope = account_filter(principal, correlated=True)
    if scope is not None:
        query = query.where(scope)
    rows = conn.execute(query.order_by(m.records.c.change_seq).limit(limit + 1)).all()
    has_more = len(rows) > limit
    upto = head
    if has_more:
        rows = rows[:limit]
        upto = int(rows[-1].change_seq)
    removals = _removals(conn, principal, since, upto)
    if removals is None:  # tombstones were purged while this page was read
        return FeedAnswer(_pull_body("", "[]", cursor_text(since, epoch), False, True))
    body = ",".join(wire_json(row[:9], masks, principal.user_id) for row in rows)
    return FeedAnswer(_pull_body(body, removals, cursor_text(upto, epoch), has_more, False), note)


def _pull_body(records: str, removals: str, cursor: str, has_more: bool, resync: bool) -> str:
    return (
        f'{{"records":[{records}],"removals":{removals},"cursor":"{cursor}",'
        f'"has_more":{"true" if has_more else "false"},'
        f'"resync_required":{"true" if resync else "false"}}}'
    )


#: The kind the purge mark is read under by :data:`_LEFT_SCOPE`.
PURGE_MARK = "purged"

_LOG_ENTRY = (
    m.change_log.c.seq,
    m.change_log.c.kind,
    m.change_log.c.entity,
    m.change_log.c.record_id,
    m.change_log.c.account_id,
)
#: What left the caller's scope in a range of the change log, in one round trip: accounts
#: (their "scope" entries) and records moved to another account ("move" entries, read through
#: the partial index ``ix_change_log_moves``, hence the literal).
_LEFT_SCOPE = union_all(
    select(*_LOG_ENTRY).where(
        m.change_log.c.user_id == bindparam("user_id"),
        m.change_log.c.kind == "scope",
        m.change_log.c.seq > bindparam("since"),
        m.change_log.c.seq <= bindparam("upto"),
    ),
    select(*_LOG_ENTRY).where(
        m.change_log.c.kind == literal_column(f"'{MOVE}'"),
        m.change_log.c.seq > bindparam("since"),
        m.change_log.c.seq <= bindparam("upto"),
    ),
    # Read again after the page's records (PostgreSQL reads each statement at its own moment):
    # a purge that committed meanwhile may have taken tombstones the page should have had.
    select(
        cast(m.server_state.c.value, BigInteger),
        literal(PURGE_MARK),
        literal(""),
        literal(""),
        literal(""),
    ).where(m.server_state.c.key == tombstones.PURGED_THROUGH),
)


def _removals(conn: Connection, principal: Principal, since: int, upto: int) -> str | None:
    """The pull's ``removals`` for (since, upto]: every record under an account the caller lost,
    and records moved out of the caller's sight (see :func:`_moved_away`). None: tombstones
    after ``since`` were purged meanwhile (the caller must resnapshot)."""
    lost: set[str] = set()
    moves: dict[tuple[str, str], str] = {}
    everything = scoped_accounts(principal) is None
    rows = conn.execute(
        _LEFT_SCOPE, {"user_id": principal.user_id, "since": since, "upto": upto}
    ).all()
    for seq, kind, entity, record_id, account_id in sorted(rows):
        if kind == PURGE_MARK:
            if seq > since:
                return None
        elif kind == "scope":
            lost.add(account_id)
        elif not everything:
            # The first move in the range says where the record was at ``since``.
            moves.setdefault((entity, record_id), account_id)
    if not lost and not moves:
        return "[]"
    items: list[dict[str, str]] = []
    gone: set[str] = set()
    if lost:
        # An account lost and then regained since the cursor stays: its records are in the feed.
        still = visible_accounts(conn, principal.user_id, lost)
        gone = lost - still if still is not None else _archived_among(conn, lost)
    if gone:
        rows = conn.execute(
            select(m.records.c.entity, m.records.c.id, m.records.c.account_id)
            .where(m.records.c.account_id.in_(sorted(gone)))
            .order_by(m.records.c.account_id, m.records.c.entity, m.records.c.id)
        ).all()
        items += [
            {"entity": entity, "id": record_id}
            for entity, record_id, _ in rows
            if entity != Entity.ACCOUNT
        ]
    listed = {(i["entity"], i["id"]) for i in items}
    items += [
        {"entity": entity, "id": record_id}
        for entity, record_id in _moved_away(conn, principal, moves)
        if (entity, record_id) not in listed
    ]
    # Children first, then the accounts themselves (also when the account row is unknown).
    items += [{"entity": Entity.ACCOUNT.value, "id": account_id} for account_id in sorted(gone)]
    if not items:
        return "[]"
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def _archived_among(conn: Connection, accounts: set[str]) -> set[str]:
    """For the roles that see every account: those lost to the archive (still archived)."""
    return set(
        conn.scalars(
            select(m.archived_accounts.c.account_id).where(
                m.archived_accounts.c.account_id.in_(sorted(accounts))
            )
        )
    )


_ACCOUNT_OF_RECORDS = select(m.records.c.id, m.records.c.account_id).where(
    m.records.c.entity == bindparam("entity"), m.records.c.id.in_(bindparam("ids", expanding=True))
)


def _moved_away(
    conn: Connection, principal: Principal, moves: dict[tuple[str, str], str]
) -> list[tuple[str, str]]:
    """Of the records that changed account in the pulled range (each with the account it was
    under at the cursor), those the caller saw there and cannot see where they are now.

    Both are judged as things stand now, like everything in the pull: a record moved away and
    back is not removed (it is in the feed), and one moved between two accounts the caller
    sees is simply in the feed. A record no longer stored (its tombstone purged) goes too."""
    if not moves:
        return []
    now_under: dict[tuple[str, str], str] = {}
    by_entity: dict[str, list[str]] = {}
    for entity, record_id in moves:
        by_entity.setdefault(entity, []).append(record_id)
    for entity, ids in sorted(by_entity.items()):
        for start in range(0, len(ids), ID_CHUNK):
            for record_id, account_id in conn.execute(
                _ACCOUNT_OF_RECORDS, {"entity": entity, "ids": ids[start : start + ID_CHUNK]}
            ):
                now_under[(entity, record_id)] = account_id
    accounts = set(moves.values()) | {a for a in now_under.values() if a}
    seen = can_see_accounts(conn, principal, accounts)
    out = []
    for key, was_under in moves.items():
        now = now_under.get(key, "")
        if seen.get(was_under, False) and not (now and seen.get(now, False)):
            out.append(key)
    return sorted(out)
