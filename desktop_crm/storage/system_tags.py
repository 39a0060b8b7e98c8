"""The system tags on the replica (``account_system_tags``, revision 0012): computed by the
server's tag rules, read-only here. A sync replaces each changed account's list
(:func:`replace`); the views read them beside the account's name (:func:`tags_of`) and the
account list filters by them (``queries.AccountFilter.system_tag``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from desktop_crm.storage.schema import account_system_tags, accounts, sync_state

#: ``sync_state`` key: where the next ``GET /sync/tags`` starts (absent: from the beginning).
CURSOR_KEY = "system_tags_cursor"
_CHUNK = 500
_T = account_system_tags.c


@dataclass(frozen=True, slots=True)
class SystemTag:
    name: str
    #: Why it holds, as the server said: "VIP: won 1,240,000 CNY in the last 12 months ≥ …".
    reason: str


def cursor(conn: Connection) -> str | None:
    value = conn.scalar(select(sync_state.c.value).where(sync_state.c.key == CURSOR_KEY))
    return None if value is None else str(value)


def set_cursor(conn: Connection, value: str | None) -> None:
    conn.execute(delete(sync_state).where(sync_state.c.key == CURSOR_KEY))
    if value is not None:
        conn.execute(insert(sync_state).values(key=CURSOR_KEY, value=value))


def clear(conn: Connection) -> None:
    """Forget every system tag (before fetching them all again)."""
    conn.execute(delete(account_system_tags))


def replace(conn: Connection, lists: Iterable[tuple[str, Sequence[SystemTag]]]) -> int:
    """Each account's system tags become the given list; returns the accounts written."""
    count = 0
    for account_id, tags in lists:
        conn.execute(delete(account_system_tags).where(_T.account_id == account_id))
        unique = {t.name: t for t in tags}
        if unique:
            conn.execute(
                insert(account_system_tags),
                [{"account_id": account_id, "name": t.name, "reason": t.reason}
                 for t in unique.values()],
            )
        count += 1
    return count


def tags_of(conn: Connection, account_ids: Iterable[str]) -> dict[str, list[SystemTag]]:
    """Account id -> its system tags (by name), for those among ``account_ids`` that have any."""
    wanted = sorted(set(account_ids))
    found: dict[str, list[SystemTag]] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = conn.execute(
            select(_T.account_id, _T.name, _T.reason)
            .where(_T.account_id.in_(wanted[start : start + _CHUNK]))
            .order_by(_T.account_id, _T.name)
        )
        for account_id, name, reason in rows:
            found.setdefault(str(account_id), []).append(SystemTag(str(name), str(reason)))
    return found


def names(conn: Connection) -> list[str]:
    """The system tags some live account carries, for the list's filter."""
    query = (
        select(_T.name)
        .join(accounts, accounts.c.id == _T.account_id)
        .where(accounts.c.deleted == 0)
        .distinct()
        .order_by(_T.name)
    )
    return [str(name) for name in conn.scalars(query)]
