"""Export and erase a person (GDPR / PIPL): ``admin person export|erase`` and their API.

**Export** gathers everything the server holds about a contact: the record, the activities
that name them (linked to them, or quoting their name, e-mail or number), the change log of
the record (who changed it, when) and the audit entries about it or quoting them.

**Erase** replaces the personal data with :data:`~desktop_crm.domain.erasure.ERASED_NAME`
everywhere on the server, in one transaction: the contact record (a new server version, so
every replica receives it at its next pull and erases its own copies:
:mod:`desktop_crm.storage.erasure`), the activities quoting them (they stay, with their date,
kind and account: the business facts), former account names and audit entries quoting them
(the entries stay: who did what when; the values go). The change log and the applied-change
ids hold no record data. ``erased_records`` keeps the fact; pushes for the person are refused
from then on (:mod:`server.push`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select, update

from desktop_crm.domain.erasure import (
    Scrubber,
    erased_contact_data,
    is_erased_contact,
    personal_texts,
)
from desktop_crm.domain.records import Entity
from desktop_crm.domain.shape import text_problem
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID
from desktop_crm.server import audit
from desktop_crm.server import models as m
from desktop_crm.server.auth import audit_event
from desktop_crm.server.store import ServerRecord, load, server_edit, write_record
from desktop_crm.server.timeutil import iso, now

#: A phone number quoted in another format still ends with these digits.
PHONE_TAIL = 8


class PersonNotFound(LookupError):
    """No contact with that id (or not in the caller's scope)."""


class ErasureRefused(ValueError):
    """The erasure cannot be made as asked (no reason given, already erased)."""


@dataclass(frozen=True, slots=True)
class ErasureReport:
    contact_id: str
    activities: int
    audit_entries: int
    former_names: int


def _contact(conn: Connection, contact_id: str, *, for_update: bool = False) -> ServerRecord:
    if text_problem(contact_id) or not contact_id:
        raise PersonNotFound(contact_id)
    record = load(conn, Entity.CONTACT, contact_id, for_update=for_update)
    if record is None:
        raise PersonNotFound(contact_id)
    return record


def _record_json(record: ServerRecord) -> dict[str, Any]:
    return {
        "entity": record.entity.value,
        "id": record.id,
        "account_id": record.account_id,
        "version": dict(record.version),
        "deleted": record.deleted,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
        "data": record.data,
    }


def _activities(conn: Connection, contact: ServerRecord, scrubber: Scrubber) -> list[ServerRecord]:
    """Activities linked to the person (in any account: they may have changed employer) or
    quoting them (within their account, where an activity about them is filed)."""
    rows = conn.execute(
        select(m.records.c.id, m.records.c.data).where(
            m.records.c.entity == Entity.ACTIVITY.value,
            or_(
                m.records.c.account_id == contact.account_id,
                m.records.c.data.contains(contact.id, autoescape=True),
            ),
        )
    ).all()
    out: list[ServerRecord] = []
    for record_id, text in sorted(rows):
        data = json.loads(text)
        if data.get("contact_id") == contact.id or scrubber.mentions(data):
            record = load(conn, Entity.ACTIVITY, record_id)
            if record is not None:
                out.append(record)
    return out


def _detail(text: str | None) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return text or ""


def _audit_rows(conn: Connection, contact: ServerRecord, scrubber: Scrubber) -> list[Any]:
    """The audit entries about the contact or quoting them. The database narrows them down by
    plain substrings (each personal text as stored: details are ASCII-escaped JSON; a phone's
    last digits); the scrubber decides on the parsed detail."""
    about = (m.audit_log.c.entity == Entity.CONTACT.value) & (m.audit_log.c.record_id == contact.id)
    texts = personal_texts([contact.data])
    needles = texts | {json.dumps(t)[1:-1] for t in texts}
    needles |= {d[-PHONE_TAIL:] for d in (re.sub(r"\D", "", t) for t in texts) if len(d) >= 8}
    quoting = [m.audit_log.c.detail.contains(n, autoescape=True) for n in sorted(needles)]
    rows = conn.execute(
        select(m.audit_log).where(or_(about, *quoting)).order_by(m.audit_log.c.id)
    ).all()
    return [
        row
        for row in rows
        if (row.entity == Entity.CONTACT.value and row.record_id == contact.id)
        or scrubber.mentions(_detail(row.detail))
    ]


def export_person(conn: Connection, contact_id: str) -> dict[str, Any]:
    """Everything held about the contact, as JSON-ready data."""
    contact = _contact(conn, contact_id)
    scrubber = Scrubber(personal_texts([contact.data]))
    history = conn.execute(
        select(
            m.change_log.c.seq,
            m.change_log.c.kind,
            m.change_log.c.at,
            m.change_log.c.actor_id,
            m.change_log.c.device_id,
        )
        .where(
            m.change_log.c.entity == Entity.CONTACT.value,
            m.change_log.c.record_id == contact_id,
        )
        .order_by(m.change_log.c.seq)
    ).all()
    erased = conn.execute(
        select(m.erased_records.c.erased_at, m.erased_records.c.reason).where(
            m.erased_records.c.entity == Entity.CONTACT.value, m.erased_records.c.id == contact_id
        )
    ).first()
    return {
        "contact": _record_json(contact),
        "erased": None if erased is None else {"at": erased.erased_at, "reason": erased.reason},
        "activities": [_record_json(a) for a in _activities(conn, contact, scrubber)],
        "history": [dict(row._mapping) for row in history],
        "audit": [
            {**row._mapping, "detail": _detail(row.detail)}
            for row in _audit_rows(conn, contact, scrubber)
        ],
    }


def audit_export(
    conn: Connection,
    contact_id: str,
    found: dict[str, Any],
    actor_id: str,
    device_id: str | None,
) -> None:
    """An export is a sensitive operation: who exported whom, and how much (no values)."""
    audit_event(
        conn,
        actor_id,
        device_id,
        "person.export",
        {"activities": len(found["activities"]), "audit": len(found["audit"])},
        entity=Entity.CONTACT.value,
        record_id=contact_id,
    )


def erase_person(
    conn: Connection, contact_id: str, reason: str, actor_id: str, device_id: str | None = None
) -> ErasureReport:
    """Erase the person everywhere on the server. Run inside a write transaction."""
    reason = reason.strip()
    if not reason or text_problem(reason):
        raise ErasureRefused("give the reason for the erasure (--reason)")
    contact = _contact(conn, contact_id, for_update=True)
    if is_erased_contact(contact.data):
        raise ErasureRefused(f"contact {contact_id} was already erased")
    scrubber = Scrubber(personal_texts([contact.data]))
    write_record(
        conn,
        previous=contact,
        entity=Entity.CONTACT,
        record_id=contact_id,
        data=erased_contact_data(contact.data),
        version=contact.version.bump(SERVER_REPLICA_ID),
        deleted=contact.deleted,
        actor_id=actor_id,
        device_id=device_id,
        changed_fields=sorted(k for k, v in erased_contact_data({}).items()),
    )
    activities = 0
    for activity in _activities(conn, contact, scrubber):
        if scrubber.mentions(activity.data):
            server_edit(
                conn,
                Entity.ACTIVITY,
                activity.id,
                scrubber.value(activity.data),
                actor_id,
                device_id,
            )
            activities += 1
    audit_entries = _scrub_audit(conn, contact, scrubber, actor_id, reason)
    former = _scrub_former_names(conn, contact.account_id, scrubber)
    conn.execute(
        m.erased_records.insert().values(
            entity=Entity.CONTACT.value,
            id=contact_id,
            erased_at=iso(now()),
            erased_by=actor_id,
            reason=reason,
        )
    )
    report = ErasureReport(contact_id, activities, audit_entries, former)
    audit_event(
        conn,
        actor_id,
        device_id,
        "person.erase",
        {
            "reason": reason,
            "activities": activities,
            "audit_entries": audit_entries,
            "former_names": former,
        },
        entity=Entity.CONTACT.value,
        record_id=contact_id,
    )
    return report


def _scrub_audit(
    conn: Connection, contact: ServerRecord, scrubber: Scrubber, actor_id: str, reason: str
) -> int:
    """Audit entries keep the fact (who, what, when) and their place in the hash chain; the
    values of those quoting the person go (``audit.redact``, which ``verify`` accepts)."""
    quoting = [
        row.id
        for row in _audit_rows(conn, contact, scrubber)
        if scrubber.value(_detail(row.detail)) != _detail(row.detail)
    ]
    return audit.redact(conn, quoting, actor_id, reason)


def _scrub_former_names(conn: Connection, account_id: str, scrubber: Scrubber) -> int:
    """An account once named after the person (a sole trader) keeps the row, not the name."""
    rows = conn.execute(
        select(m.account_former_names.c.id, m.account_former_names.c.name).where(
            m.account_former_names.c.account_id == account_id
        )
    ).all()
    count = 0
    for row_id, name in rows:
        scrubbed = scrubber.text(name)
        if scrubbed != name:
            conn.execute(
                update(m.account_former_names)
                .where(m.account_former_names.c.id == row_id)
                .values(name=scrubbed)
            )
            count += 1
    return count
