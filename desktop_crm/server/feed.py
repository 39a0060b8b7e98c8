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
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, select, tuple_

from desktop_crm.domain.records import Entity
from desktop_crm.server import models as m
from desktop_crm.server.auth import Principal
from desktop_crm.server.scope import account_filter, scoped_accounts, visible_accounts
from desktop_crm.server.store import WIRE_COLUMNS, Masks, wire_json


class BadCursor(ValueError):
    """A cursor or page token the server did not issue."""


_HEAD_SEQ = select(func.coalesce(func.max(m.change_log.c.seq), 0))
#: The pull's two opening reads in one round trip: the change-log head and the caller's
#: ``scope_reset_seq``.
_HEAD_AND_RESET_SEQ = select(
    _HEAD_SEQ.scalar_subquery(),
    select(m.users.c.scope_reset_seq).where(m.users.c.id == bindparam("user_id")).scalar_subquery(),
)


def head_seq(conn: Connection) -> int:
    return int(conn.scalar(_HEAD_SEQ) or 0)


def parse_cursor(text: str | None) -> int:
    if text is None or text == "":
        return 0
    if not text.isascii() or not text.isdigit() or len(text) > 19:
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
            if not isinstance(seq, int) or seq < 0 or wide not in (0, 1):
                raise ValueError
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


def snapshot_json(
    conn: Connection, principal: Principal, masks: Masks, after: str | None, limit: int
) -> str:
    key = PageKey.decode(after) if after else None
    seq = key.seq if key is not None else head_seq(conn)
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
    body = ",".join(wire_json(row[:7], masks) for row in rows)
    return f'{{"records":[{body}],"next_page":{json.dumps(next_page)},"cursor":"{seq}"}}'


# Pull ------------------------------------------------------------------------------------------


def pull_json(
    conn: Connection, principal: Principal, masks: Masks, cursor: str | None, limit: int
) -> str:
    since = parse_cursor(cursor)
    head, reset_seq = conn.execute(_HEAD_AND_RESET_SEQ, {"user_id": principal.user_id}).one()
    head = int(head or 0)
    if since > head or (reset_seq or 0) > since:
        # A cursor from another server (restored backup) or from before a wholesale scope
        # change: only a fresh snapshot makes the replica right again.
        return _pull_body("", "[]", str(since), False, True)
    if since == head:
        return _pull_body("", "[]", str(head), False, False)  # nothing new (the common case)
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
    body = ",".join(wire_json(row[:7], masks) for row in rows)
    return _pull_body(body, removals, str(upto), has_more, False)


def _pull_body(records: str, removals: str, cursor: str, has_more: bool, resync: bool) -> str:
    return (
        f'{{"records":[{records}],"removals":{removals},"cursor":"{cursor}",'
        f'"has_more":{"true" if has_more else "false"},'
        f'"resync_required":{"true" if resync else "false"}}}'
    )


def _removals(conn: Connection, principal: Principal, since: int, upto: int) -> str:
    lost = set(
        conn.scalars(
            select(m.change_log.c.account_id).where(
                m.change_log.c.user_id == principal.user_id,
                m.change_log.c.kind == "scope",
                m.change_log.c.seq > since,
                m.change_log.c.seq <= upto,
            )
        )
    )
    if not lost:
        return "[]"
    # An account lost and then regained since the cursor stays: its records are in the feed.
    still = visible_accounts(conn, principal.user_id, lost)
    gone = lost if still is None else lost - still
    if still is None:
        gone = set()
    if not gone:
        return "[]"
    rows = conn.execute(
        select(m.records.c.entity, m.records.c.id, m.records.c.account_id)
        .where(m.records.c.account_id.in_(sorted(gone)))
        .order_by(m.records.c.account_id, m.records.c.entity, m.records.c.id)
    ).all()
    items = [
        {"entity": entity, "id": record_id}
        for entity, record_id, _ in rows
        if entity != Entity.ACCOUNT
    ]
    # Children first, then the accounts themselves (also when the account row is unknown).
    items += [{"entity": Entity.ACCOUNT.value, "id": account_id} for account_id in sorted(gone)]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))
