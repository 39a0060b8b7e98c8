"""Sign-in throttling: failed sign-ins counted per user name and per client address.

After ``Settings.sign_in_failures_per_user`` failed sign-ins for one user name, or
``sign_in_failures_per_address`` from one client address, within ``sign_in_window`` (counted
from the first failure), sign-ins for that name or from that address are refused with **429**
and ``Retry-After`` until the window ends. The password is then not checked at all, so the
answer is the same whether the user exists or not and whether the password is right; and user
names that exist and names that do not are counted alike.

The counters live in the database (table ``sign_in_failures``), not in process memory: with
``serve --workers N`` every process would otherwise grant its own allowance, and a restart
would forget it. That costs one small write per sign-in next to ~50 ms of Argon2, and works the
same on SQLite and PostgreSQL. Keys are SHA-256 digests, so mistyped user names (often
passwords) are not stored.

Each attempt is *charged* to its keys before the password is checked (one short transaction,
so parallel guesses cannot slip past a limit) and *refunded* when the password turns out right:
the user name's counter is reset, the address's decremented (a valid sign-in must not wipe the
address's failures, or one known password would unlock unlimited guessing of others).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from fastapi import HTTPException, status
from sqlalchemy import Connection, case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite

from desktop_crm.server import db
from desktop_crm.server import models as m
from desktop_crm.server.settings import Settings

_T = m.sign_in_failures


class TooManyFailures(HTTPException):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sign-in attempt's counters: ``(key, limit)`` for the user name and the address."""

    user_key: str | None
    address_key: str | None
    limits: dict[str, int]
    window: float

    @classmethod
    def of(cls, settings: Settings, username: str, address: str | None) -> Attempt:
        limits: dict[str, int] = {}
        user_key = address_key = None
        if settings.sign_in_failures_per_user > 0:
            user_key = _key("user", username)
            limits[user_key] = settings.sign_in_failures_per_user
        if settings.sign_in_failures_per_address > 0 and address:
            address_key = _key("address", address)
            limits[address_key] = settings.sign_in_failures_per_address
        return cls(user_key, address_key, limits, settings.sign_in_window.total_seconds())

    def charge(self, conn: Connection) -> None:
        """Count this attempt as a failure until :meth:`refund`; raise
        :class:`TooManyFailures` (counting nothing) when a limit is already reached."""
        if not self.limits:
            return
        now = time.time()
        cutoff = now - self.window
        refused: list[float] = []
        with db.short_write(conn) as tx:
            conn.execute(delete(_T).where(_T.c.window_start <= cutoff))
            for key, limit in self.limits.items():
                window_start, failures = _bump(conn, key, limit, now, cutoff)
                if failures > limit:
                    refused.append(window_start + self.window - now)
            if refused:
                tx.rollback()  # a refused attempt counts nowhere (nor extends a window)
        if refused:
            raise TooManyFailures(max(1, math.ceil(max(refused))))

    def refund(self, conn: Connection) -> None:
        """The password was right: reset the user name's counter, take this attempt back from
        the address's. Runs in the caller's transaction."""
        if self.user_key is not None:
            conn.execute(delete(_T).where(_T.c.key == self.user_key))
        if self.address_key is not None:
            conn.execute(
                update(_T)
                .where(_T.c.key == self.address_key, _T.c.failures > 0)
                .values(failures=_T.c.failures - 1)
            )


def _bump(conn: Connection, key: str, limit: int, now: float, cutoff: float) -> tuple[float, int]:
    """Add one failure to ``key`` (a new window if its last one ended); a key already at its
    limit goes to ``limit + 1`` and stays there. Returns ``(window_start, failures)``."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    fresh = (_T.c.window_start <= cutoff) | (_T.c.failures <= 0)
    stmt = (
        insert(_T)
        .values(key=key, window_start=now, failures=1)
        .on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={
                # Both expressions see the row as it was (SQL evaluates SET against the old row).
                "window_start": case((fresh, literal(now)), else_=_T.c.window_start),
                "failures": case(
                    (fresh, 1),
                    (_T.c.failures >= limit, limit + 1),
                    else_=_T.c.failures + 1,
                ),
            },
        )
        .returning(_T.c.window_start, _T.c.failures)
    )
    row = conn.execute(stmt).one()
    return float(row.window_start), int(row.failures)
