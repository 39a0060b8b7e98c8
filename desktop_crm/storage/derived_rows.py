"""Rows the replica derives from records: a contact's phone rows (with copies of the contact's
and the account's names) and the history rows (former names, status log, stage history).

Shared by the two write paths in :mod:`~desktop_crm.storage.records_store` and the bulk loader
in :mod:`~desktop_crm.storage.bulk_load`. Which history rows a write produces is decided by
:mod:`desktop_crm.domain.history`, the same rule the server follows.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from desktop_crm.domain.history import FormerNameRow, HistoryRow, StageChangeRow, StatusChangeRow
from desktop_crm.domain.phones import InvalidPhoneNumber, normalize_phone, reversed_digits
from desktop_crm.storage import bulk_phase
from desktop_crm.storage.schema import (
    account_former_names,
    account_status_log,
    opportunity_stage_history,
)
from desktop_crm.storage.schema import accounts as accounts_table
from desktop_crm.storage.schema import contacts as contacts_table


@functools.lru_cache(maxsize=64)
def _insert_sql(table: Table, columns: tuple[str, ...]) -> str:
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) with one-row statements (``executemany``).

    Not multi-row ``INSERT … VALUES (…), (…)``: a statement that writes several rows inside a
    transaction keeps a statement journal (a copy of every existing page it changes, so that it
    can be undone alone), which in a large replica cost more than the statements saved."""
    if rows:
        conn.exec_driver_sql(_insert_sql(table, tuple(columns)), list(rows))


# Phone rows ------------------------------------------------------------------------------------

#: What a phone row copies from its account: (name, live). An account the replica does not
#: hold (yet) is not live; the accounts' insert trigger fills it in when it arrives.
AccountLabel = tuple[str, bool]
ABSENT_ACCOUNT: AccountLabel = ("", False)


def account_labels(conn: Connection, account_ids: Iterable[str]) -> dict[str, AccountLabel]:
    wanted = list(dict.fromkeys(account_ids))
    labels: dict[str, AccountLabel] = {}
    a = accounts_table.c
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        for account_id, name, deleted in conn.execute(
            select(a.id, a.name, a.deleted).where(a.id.in_(chunk))
        ):
            labels[account_id] = (name, not deleted)
    return labels


def label_waiting_phones(conn: Connection, account_ids: Sequence[str]) -> None:
    """Copy the names of accounts just inserted into the phone rows of contacts that arrived
    before them (rare: sync order, scope changes). Triggers follow every later change."""
    c = contacts_table.c
    for start in range(0, len(account_ids), 900):
        chunk = account_ids[start : start + 900]
        waiting = conn.execute(
            select(c.account_id).where(c.account_id.in_(chunk)).distinct()
        ).all()
        if waiting:
            # Their phone rows are found by contact id: during a bulk phase, index them first.
            bulk_phase.build_now(conn, "ix_contact_phones_contact_id")
        for (account_id,) in waiting:
            conn.exec_driver_sql(
                "UPDATE contact_phones SET"
                " account_name = (SELECT name FROM accounts WHERE id = ?),"
                " account_live = (SELECT deleted = 0 FROM accounts WHERE id = ?)"
                " WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = ?)",
                (account_id, account_id, account_id),
            )


PHONE_COLUMNS = (
    "contact_id",
    "account_id",
    "position",
    "raw",
    "kind",
    "is_primary",
    "e164",
    "extension",
    "digits_reversed",
    "contact_name",
    "account_name",
    "account_live",
)


def phone_rows(
    record_id: str,
    account_id: str,
    phones: Iterable[Mapping[str, Any]],
    contact_name: str,
    account: AccountLabel,
) -> list[tuple[Any, ...]]:
    """The ``contact_phones`` rows of a contact, in :data:`PHONE_COLUMNS` order."""
    rows = []
    for position, phone in enumerate(phones):
        raw = str(phone.get("raw") or "")
        e164 = str(phone.get("e164") or "")
        extension = phone.get("extension")
        if not e164 and raw:
            # The number came without its normalized form (e.g. an older client): derive it
            # so it can be found; an unreadable number is kept for display only.
            with contextlib.suppress(InvalidPhoneNumber):
                normalized = normalize_phone(raw)
                e164, extension = normalized.e164, normalized.extension
        rows.append(
            (
                record_id,
                account_id,
                position,
                raw,
                str(phone.get("kind") or "mobile"),
                bool(phone.get("primary")),
                e164,
                extension,
                reversed_digits(e164),
                contact_name,
                account[0],
                account[1],
            )
        )
    return rows


# History rows ----------------------------------------------------------------------------------

#: The replica's table for each kind of history row (columns named as the row's fields).
HISTORY_TABLES: dict[type[HistoryRow], Table] = {
    FormerNameRow: account_former_names,
    StatusChangeRow: account_status_log,
    StageChangeRow: opportunity_stage_history,
}


def insert_history(conn: Connection, rows: Sequence[HistoryRow]) -> None:
    """Insert history rows (see :mod:`desktop_crm.domain.history`) into their tables."""
    by_type: dict[type[HistoryRow], list[HistoryRow]] = {}
    for row in rows:
        by_type.setdefault(type(row), []).append(row)
    for row_type, same in by_type.items():
        insert_rows(conn, HISTORY_TABLES[row_type], row_type._fields, same)
