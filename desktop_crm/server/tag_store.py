"""The stored system tags (``account_tags``, revision 0011) and the rules (``server_state``).

Each row's ``seq`` is new whenever the row is written, handed out as ``max + 1`` inside a write
transaction (:func:`db.write_transaction` serializes writers on both databases, so rows commit
in ``seq`` order and ``GET /sync/tags`` never skips one). An account entering a scope is
re-sent (:func:`bump`), as the change feed re-sends its records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select

from desktop_crm.domain.tag_evaluation import ComputedTag
from desktop_crm.domain.tag_rules import TagRule, rules_from_dicts, rules_to_json
from desktop_crm.protocol.messages import AccountTags, SystemTag, TagsResponse
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import iso

#: ``server_state`` key of the tag rules (a JSON list of :meth:`TagRule.to_dict`).
TAG_RULES_KEY = "tag_rules"
_CHUNK = 500
_T = m.account_tags.c


def load_rules(conn: Connection) -> list[TagRule]:
    state = m.server_state.c
    text = conn.scalar(select(state.value).where(state.key == TAG_RULES_KEY))
    return rules_from_dicts(json.loads(text)) if text else []


def save_rules(conn: Connection, rules: Sequence[TagRule]) -> None:
    conn.execute(delete(m.server_state).where(m.server_state.c.key == TAG_RULES_KEY))
    if rules:
        conn.execute(insert(m.server_state).values(key=TAG_RULES_KEY, value=rules_to_json(rules)))


def tags_json(tags: Sequence[ComputedTag]) -> str:
    return json.dumps([t.to_dict() for t in tags], ensure_ascii=False, separators=(",", ":"))


def stored(
    conn: Connection, account_ids: Sequence[str], span: tuple[str, str] | None = None
) -> dict[str, str]:
    """account id -> its stored tags JSON, for those that have a row. ``span``: the ids are
    every account in this key range (read as a range)."""
    if span is not None:
        rows = conn.execute(select(_T.account_id, _T.tags).where(_T.account_id.between(*span)))
        return {row.account_id: row.tags for row in rows}
    found: dict[str, str] = {}
    for start in range(0, len(account_ids), _CHUNK):
        chunk = list(account_ids[start : start + _CHUNK])
        rows = conn.execute(select(_T.account_id, _T.tags).where(_T.account_id.in_(chunk)))
        found.update({row.account_id: row.tags for row in rows})
    return found


def _next_seq(conn: Connection) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(_T.seq), 0))) or 0) + 1


def write(conn: Connection, tags_by_account: Mapping[str, str], at: datetime) -> int:
    """Store each account's tags JSON with a new ``seq``. Call inside a write transaction.
    Returns the rows written."""
    if not tags_by_account:
        return 0
    ids = sorted(tags_by_account)
    seq = _next_seq(conn)  # before the delete: a rewritten row must never get a lower seq
    for start in range(0, len(ids), _CHUNK):
        conn.execute(delete(m.account_tags).where(_T.account_id.in_(ids[start : start + _CHUNK])))
    when = iso(at)
    conn.execute(
        insert(m.account_tags),
        [
            {"account_id": a, "tags": tags_by_account[a], "seq": seq + n, "evaluated_at": when}
            for n, a in enumerate(ids)
        ],
    )
    return len(ids)


def bump(conn: Connection, account_ids: Iterable[str], at: datetime) -> int:
    """Re-send these accounts' tags at the next ``GET /sync/tags`` (they entered a scope)."""
    ids = sorted(set(account_ids))
    current = stored(conn, ids)
    return write(conn, {a: current[a] for a in ids if a in current and current[a] != "[]"}, at)


def tagged_counts(conn: Connection) -> dict[str, int]:
    """How many accounts carry each tag now."""
    counts: dict[str, int] = {}
    for (text,) in conn.execute(select(_T.tags).where(_T.tags != "[]")):
        for tag in json.loads(text):
            counts[tag["name"]] = counts.get(tag["name"], 0) + 1
    return counts


def page(conn: Connection, scope: Select[Any] | None, after: int, limit: int) -> TagsResponse:
    """The rows after ``after`` for accounts in ``scope`` (None: every account)."""
    # The head first: a row committed after it waits for the next call instead of being
    # skipped by a cursor moved past it.
    head = int(conn.scalar(select(func.coalesce(func.max(_T.seq), 0))) or 0)
    query = select(_T.account_id, _T.tags, _T.seq).where(_T.seq > after, _T.seq <= head)
    if scope is not None:
        query = query.where(_T.account_id.in_(scope))
    rows = conn.execute(query.order_by(_T.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1].seq if more else max(after, head)
    return TagsResponse(
        accounts=[
            AccountTags(
                account_id=row.account_id,
                tags=[SystemTag(**tag) for tag in json.loads(row.tags)],
            )
            for row in rows
        ],
        cursor=str(last),
        has_more=more,
    )
