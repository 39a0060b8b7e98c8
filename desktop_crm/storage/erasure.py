"""A person erased on the server is erased from this replica (issue 13, item 3).

The erasure arrives as an ordinary record: the contact, its personal fields replaced by the
marker (:mod:`desktop_crm.domain.erasure`). Before it is applied, :func:`erase_locally` takes
what this replica still knows of the person (its copy, the base copy, unsynced edits, a
conflict, parked changes) and removes it everywhere the replica keeps text:

- the contact's unsynced edits and conflict become one sync issue that says the person was
  erased, without their data (and are not sent);
- the contact row, its phone rows and its name-search entry are rewritten as erased;
- other records' texts quoting them (activities of their account, the account's notes and
  former names, queued edits, base copies, conflicts, sync issues) are scrubbed.

Rows the database no longer uses must not keep the text either: every connection runs with
``secure_delete`` (:mod:`storage.engine`), which zeroes freed cells and pages; the name
index's old segments are merged away here; and :func:`wipe_leftovers`, after the transaction,
truncates the write-ahead log, where earlier page images would otherwise stay.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, text, update
from sqlalchemy.exc import OperationalError

from desktop_crm.domain.erasure import (
    ERASED_REASON,
    Scrubber,
    is_erased_contact,
    personal_texts,
)
from desktop_crm.domain.records import Entity
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.schema import (
    NAME_INDEX_TABLE,
    account_former_names,
    accounts,
    activities,
    base_copies,
    conflicts,
    outbox,
    sync_issues,
)

log = logging.getLogger(__name__)

CONTACT = Entity.CONTACT.value


def erased_contacts(records: Iterable[StoredRecord]) -> list[StoredRecord]:
    return [r for r in records if r.entity is Entity.CONTACT and is_erased_contact(r.data)]


def erase_locally(
    conn: Connection, records: Sequence[StoredRecord], found: list[Scrubber] | None = None
) -> int:
    """Erase, before they are applied, the people among ``records`` that arrive erased.
    Returns how many were still known here (0: nothing to do); the scrubber of each (their
    texts) is appended to ``found``, for files outside the replica (the error log)."""
    erased = 0
    for record in erased_contacts(records):
        scrubber = _erase_one(conn, record)
        if scrubber is not None:
            erased += 1
            if found is not None and scrubber:
                found.append(scrubber)
    if erased:
        # FTS5 keeps deleted terms in old segments until they are merged.
        conn.execute(text(f"INSERT INTO {NAME_INDEX_TABLE}({NAME_INDEX_TABLE}) VALUES('optimize')"))
    return erased


def _known_copies(conn: Connection, contact_id: str) -> list[dict[str, Any]]:
    copies: list[dict[str, Any]] = []
    mine = store.read_record(conn, CONTACT, contact_id)
    if mine is not None:
        copies.append(mine.data)
    base = book.get_base_copy(conn, CONTACT, contact_id)
    if base is not None:
        copies.append(base.data)
    copies += [e.data for e in book.outbox_for_record(conn, CONTACT, contact_id)]
    conflict = book.get_conflict(conn, CONTACT, contact_id)
    if conflict is not None:
        copies += [conflict.mine, conflict.theirs, conflict.base or {}]
    copies += [i.data for i in book.list_sync_issues(conn) if i.record_id == contact_id]
    return copies


def _erase_one(conn: Connection, record: StoredRecord) -> Scrubber | None:
    """None: nothing of theirs here (never seen, or erased already)."""
    scrubber = Scrubber(personal_texts(_known_copies(conn, record.id)))
    pending = book.outbox_for_record(conn, CONTACT, record.id)
    conflict = book.get_conflict(conn, CONTACT, record.id)
    if not scrubber and not pending and conflict is None:
        return None
    # Their own unsynced work: one issue that says what happened, and nothing of the person.
    conn.execute(
        update(sync_issues)
        .where(sync_issues.c.entity == CONTACT, sync_issues.c.record_id == record.id)
        .values(data="{}", reason=ERASED_REASON)
    )
    if pending or conflict is not None:
        book.add_sync_issue(
            conn,
            change_id=pending[-1].change_id if pending else f"erased:{record.id}",
            entity=CONTACT,
            record_id=record.id,
            data={},
            deleted=False,
            reason=ERASED_REASON,
        )
    book.clear_outbox_for_record(conn, CONTACT, record.id)
    book.delete_conflict(conn, CONTACT, record.id)
    book.delete_base_copy(conn, CONTACT, record.id)
    store.apply_remote(conn, record)
    if scrubber:
        account_id = str(record.data.get("account_id") or "")
        _scrub_records(conn, account_id, scrubber)
        _scrub_bookkeeping(conn, scrubber)
    return scrubber


def _scrub_rows(
    conn: Connection,
    scrubber: Scrubber,
    table: Table,
    columns: Sequence[str],
    where: Any = None,
) -> None:
    """Scrub text columns of the rows ``where`` selects (JSON columns are scrubbed inside).
    The table's primary key finds each row again."""
    keys = list(table.primary_key.columns)
    query = select(*keys, *(table.c[c] for c in columns))
    for row in conn.execute(query if where is None else query.where(where)).all():
        values = {}
        for name, value in zip(columns, row[len(keys) :], strict=True):
            if isinstance(value, str):
                scrubbed = _scrub_column(scrubber, value)
                if scrubbed != value:
                    values[name] = scrubbed
        if values:
            match = [k == v for k, v in zip(keys, row[: len(keys)], strict=True)]
            conn.execute(update(table).where(*match).values(values))


def _scrub_column(scrubber: Scrubber, value: str) -> str:
    if value[:1] in "[{":
        try:
            parsed = json.loads(value)
        except ValueError:
            return scrubber.text(value)
        scrubbed = scrubber.value(parsed)
        return value if scrubbed == parsed else json.dumps(scrubbed, ensure_ascii=False)
    return scrubber.text(value)


def _scrub_records(conn: Connection, account_id: str, scrubber: Scrubber) -> None:
    """The records of the person's account that may quote them (the server sends its own
    scrubbed copies too; this covers what is only here, like a queued edit's row)."""
    _scrub_rows(
        conn,
        scrubber,
        activities,
        ("summary", "outcome", "participants"),
        activities.c.account_id == account_id,
    )
    _scrub_rows(conn, scrubber, accounts, ("notes",), accounts.c.id == account_id)
    _scrub_rows(
        conn,
        scrubber,
        account_former_names,
        ("name",),
        account_former_names.c.account_id == account_id,
    )


def _scrub_bookkeeping(conn: Connection, scrubber: Scrubber) -> None:
    """Queued edits, base copies, conflicts and parked changes of any record."""
    _scrub_rows(conn, scrubber, outbox, ("data",))
    _scrub_rows(conn, scrubber, conflicts, ("base", "mine", "theirs"))
    _scrub_rows(conn, scrubber, sync_issues, ("data", "reason"))
    _scrub_rows(conn, scrubber, base_copies, ("data",))


def wipe_leftovers(engine: Engine) -> None:
    """After an erasure committed: fold the write-ahead log into the database and truncate
    it, so no earlier page image that held the person's data stays in the ``-wal`` file.
    Best effort: a reader holding an old snapshot (the window's worker) can keep the log from
    being truncated; the next erasure or checkpoint completes it."""
    try:
        with engine.connect() as conn:
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    except OperationalError:
        busy = 1
    if busy:
        log.warning("the write-ahead log could not be truncated after an erasure (busy)")
