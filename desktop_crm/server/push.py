"""Applying pushed changes: versions, permissions, validation and stage rules, per change.

The batch runs in one write transaction. Each change is checked completely before anything of
it is written, so a rejected or conflicting change never blocks the rest and nothing of it is
written (no per-change SAVEPOINT is needed). The batch's records, idempotency rows and visibility
are read up front in a few queries; applied changes are buffered (:class:`store.RecordWriter`)
and written in bulk, in order, at the end of the batch, or earlier when a later change needs
them in the database (stage rules, owner changes). Every applied change writes the record, the
change log, the applied-changes row (idempotency) and the audit log together.

Version rule: with ``S`` the server's current vector and ``N`` the pushed ``new_version``,
``N`` after ``S`` applies (stored as ``N ⊔ S``); ``N`` equal to ``S`` with the same content is
already applied; anything else (``N`` before or concurrent with ``S``) is a conflict answered
with the server's record. A record the server has never seen is applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from desktop_crm.domain.erasure import ERASED_REASON, is_erased_contact
from desktop_crm.domain.fields import bounded_time, decode_wire_value
from desktop_crm.domain.pipeline import StageRuleViolation, check_stage_entry
from desktop_crm.domain.records import (
    ACCOUNT_LINK,
    FIELDS,
    RECORD_TYPES,
    Entity,
    Opportunity,
    PipelineStage,
)
from desktop_crm.domain.shape import data_problems, shown, text_problem, usable_id
from desktop_crm.domain.status_rules import StatusRule, status_change_for
from desktop_crm.domain.tag_rules import TagRule
from desktop_crm.domain.validation import KnownPhones, ValidationFailed, ensure_valid
from desktop_crm.domain.version_vector import (
    SERVER_REPLICA_ID,
    InvalidVersion,
    Ordering,
    VersionVector,
    checked_vector,
    foreign_raises,
)
from desktop_crm.protocol.messages import (
    Change,
    ChangeResult,
    ChangeStatus,
    PushRequest,
    PushResponse,
    Role,
)
from desktop_crm.server import models as m
from desktop_crm.server import tag_store, tags
from desktop_crm.server.archive import archived_for
from desktop_crm.server.auth import Principal
from desktop_crm.server.config_store import load_stages, load_status_rules, load_statuses
from desktop_crm.server.db import write_transaction
from desktop_crm.server.directory import UserInfo, set_assignment, user_by_id
from desktop_crm.server.merge import LoserEdit, apply_loser_edit, redirect_changes
from desktop_crm.server.scope import can_see_account, can_see_accounts
from desktop_crm.server.settings import Settings
from desktop_crm.server.store import (
    ID_CHUNK,
    Masks,
    RecordWriter,
    ServerRecord,
    cascade_account_deletion,
    cascade_account_restore,
    load,
    load_many,
    record_json,
    revealed_names,
    to_wire,
)
from desktop_crm.server.timeutil import iso, now, parse_iso
from desktop_crm.server.tombstones import purged_keys

NOT_FOUND = "Not found, or not yours to change."
PURGED = (
    "This record no longer exists on the server: it was deleted there, and the deletion has "
    "since been cleared away. Your change was not applied; create the record again if it is "
    "still needed."
)


class Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        # Reasons quote the pushed values; what no JSON reader or database takes is escaped.
        self.reason = shown(reason, 2000)


@dataclass(frozen=True, slots=True)
class Applied:
    """An applied-changes row: who applied the change id, and to which record."""

    user_id: str
    entity: str
    record_id: str


@dataclass(slots=True)
class Answer:
    """One change's answer: :class:`ChangeResult`'s fields, with the record the caller is
    shown (None: none, or not theirs to see) kept as the server's record, so the answer's
    JSON can be written directly (:meth:`PushAnswer.json`)."""

    change_id: str
    status: ChangeStatus
    reason: str | None = None
    current: ServerRecord | None = None
    masks: Masks = field(default_factory=dict)
    reader: str | None = None

    def model(self) -> ChangeResult:
        current = self.current
        return ChangeResult(
            change_id=self.change_id,
            status=self.status,
            reason=self.reason,
            current=None if current is None else to_wire(current, self.masks, self.reader),
        )

    def json(self) -> str:
        current = (
            "null" if self.current is None else record_json(self.current, self.masks, self.reader)
        )
        reason = "null" if self.reason is None else json.dumps(self.reason, ensure_ascii=False)
        return (
            f'{{"change_id":{json.dumps(self.change_id, ensure_ascii=False)},'
            f'"status":"{self.status.value}","reason":{reason},"current":{current}}}'
        )


@dataclass(slots=True)
class PushAnswer:
    """A push's answers, in order: as the :class:`PushResponse` model, or its JSON written
    directly (what the route sends; ``tests/server/test_push_answer_json.py`` holds the two
    equal)."""

    answers: list[Answer]

    def model(self) -> PushResponse:
        return PushResponse(results=[answer.model() for answer in self.answers])

    def json(self) -> bytes:
        """The answer's UTF-8 JSON. (Its text is all Unicode: reasons quote pushed text
        escaped, ``shown()``; stored text is checked when written, repaired when read.)"""
        text = '{"results":[' + ",".join(answer.json() for answer in self.answers) + "]}"
        return text.encode("utf-8")


_APPLIED_BY_IDS = select(
    m.applied_changes.c.change_id,
    m.applied_changes.c.user_id,
    m.applied_changes.c.entity,
    m.applied_changes.c.record_id,
).where(m.applied_changes.c.change_id.in_(bindparam("ids", expanding=True)))

_MISSING = object()


@dataclass(slots=True)
class Batch:
    conn: Connection
    principal: Principal
    settings: Settings
    masks: Masks
    writer: RecordWriter
    stages: dict[str, PipelineStage] = field(default_factory=dict)
    first_stage: str | None = None
    statuses: set[str] = field(default_factory=set)
    #: account id -> visible to the caller; entries go when an owner changes in the batch.
    visible: dict[str, bool] = field(default_factory=dict)
    #: (entity, id) -> the record as it stands now, including this batch's writes (None: absent).
    records: dict[tuple[str, str], ServerRecord | None] = field(default_factory=dict)
    #: change id -> applied-changes row, including this batch's.
    applied: dict[str, Applied] = field(default_factory=dict)
    users: dict[str, UserInfo | None] = field(default_factory=dict)
    #: (entity, id) of the batch's records whose tombstones were purged.
    purged: set[tuple[str, str]] = field(default_factory=set)
    status_rules: list[StatusRule] = field(default_factory=list)
    #: account id -> (status, base version) of the batch's own changes of that account: a
    #: device that ran the status rule itself pushes the account's new status after the deal.
    pushed_status: dict[str, tuple[str, VersionVector | None]] = field(default_factory=dict)
    #: account id -> why the rule changes its status, for the batch's own change of it.
    status_reasons: dict[str, str] = field(default_factory=dict)
    #: The tag rules: their tags are the server's, never typed by hand (``server/tags.py``).
    tag_rules: list[TagRule] = field(default_factory=list)
    #: Survivors of merges the caller may write to (their work under the merged-away account
    #: lands there) but not read: answers leave them out.
    granted: set[str] = field(default_factory=set)


def push(
    conn: Connection, principal: Principal, settings: Settings, masks: Masks, request: PushRequest
) -> PushResponse:
    return push_answer(conn, principal, settings, masks, request).model()


def push_answer(
    conn: Connection, principal: Principal, settings: Settings, masks: Masks, request: PushRequest
) -> PushAnswer:
    """Apply the batch (see the module's text); the answers, in the changes' order."""
    results: list[Answer] = []
    with write_transaction(conn):
        stages = load_stages(conn)
        batch = Batch(
            conn,
            principal,
            settings,
            masks,
            RecordWriter(conn),
            stages={s.key: s for s in stages},
            first_stage=stages[0].key if stages else None,
            statuses={s.key for s in load_statuses(conn)},
            status_rules=load_status_rules(conn),
            pushed_status=_pushed_statuses(request.changes),
            tag_rules=tag_store.load_rules(conn),
        )
        # Changes that name a merged-away record land on its survivor (server/merge.py).
        redirected = redirect_changes(conn, request.changes)
        set_apart = {edit.index: edit for edit in redirected.loser_edits}
        _prefetch(batch, redirected.changes)
        _grant_survivors(batch, redirected.survivors)
        pending = iter(redirected.changes)
        for index, change in enumerate(request.changes):
            try:
                if index in set_apart:
                    result = _loser_edit(batch, set_apart[index])
                else:
                    change = next(pending)
                    result = apply_change(batch, change)
            except Rejected as exc:
                # Every check runs before the first write of a change: nothing to undo.
                results.append(
                    Answer(
                        change_id=change.change_id, status=ChangeStatus.REJECTED, reason=exc.reason
                    )
                )
                continue
            results.append(result)
        batch.writer.flush()
        tags.refresh(conn, _pushed_accounts(results), rules=batch.tag_rules)
    return PushAnswer(results)


def _pushed_accounts(results: list[Answer]) -> set[str]:
    """The accounts an applied push touched, for the tag rules' refresh: the accounts of the
    applied changes' records the caller is shown."""
    touched: set[str] = set()
    for result in results:
        record = result.current
        if result.status != ChangeStatus.APPLIED or record is None:
            continue
        if record.entity == Entity.ACCOUNT:
            touched.add(record.id)
        elif isinstance(account_id := record.data.get("account_id"), str):
            touched.add(account_id)
    return touched


def _grant_survivors(batch: Batch, survivors: dict[tuple[str, str], str]) -> None:
    """Work done under an account the caller saw, merged since into one they do not see,
    still lands (nothing is lost); the answer does not show them the survivor."""
    for (entity, loser_id), survivor_id in survivors.items():
        if entity != Entity.ACCOUNT or _visible(batch, survivor_id):
            continue
        if _visible(batch, loser_id):
            batch.visible[survivor_id] = True
            batch.granted.add(survivor_id)


def _loser_edit(batch: Batch, edit: LoserEdit) -> Answer:
    """A pushed change of a merged-away record: carried to the survivor once (the change id
    is remembered), answered with the loser's tombstone."""
    change, conn = edit.change, batch.conn
    batch.writer.flush()
    tombstone = load(conn, change.entity, change.record_id)
    if conn.execute(_APPLIED_BY_IDS, {"ids": [change.change_id]}).first() is not None:
        return _result(batch, change, ChangeStatus.ALREADY_APPLIED, tombstone)
    survivor = load(conn, change.entity, edit.survivor_id)
    if survivor is None or not _visible(batch, survivor.account_id):
        raise Rejected(NOT_FOUND)
    principal = batch.principal
    stored = apply_loser_edit(conn, edit, principal.user_id, principal.device_id)
    conn.execute(
        m.applied_changes.insert().values(
            change_id=change.change_id,
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=change.entity,
            record_id=change.record_id,
            seq=stored.seq if stored is not None else 0,
            at=iso(now()),
        )
    )
    return _result(batch, change, ChangeStatus.APPLIED, tombstone)


def _pushed_statuses(changes: list[Change]) -> dict[str, tuple[str, VersionVector | None]]:
    """Account id -> (status, base version) of the last change of each account in a batch."""
    pushed: dict[str, tuple[str, VersionVector | None]] = {}
    for c in changes:
        status = c.data.get("status")
        if c.entity != Entity.ACCOUNT or c.deleted or not isinstance(status, str):
            continue
        try:
            base: VersionVector | None = checked_vector(c.base_version)
        except InvalidVersion:
            base = None
        pushed[str(c.record_id)] = (status, base)
    return pushed


def _prefetch(batch: Batch, changes: list[Change]) -> None:
    """Read what the batch's checks will ask for in a few queries instead of several per
    change: applied change ids, the changed records (locked on PostgreSQL), the records they
    link to, and which of their accounts the caller sees."""
    conn = batch.conn
    change_ids = sorted({cid for c in changes if (cid := usable_id(c.change_id))})
    for start in range(0, len(change_ids), ID_CHUNK):
        rows = conn.execute(_APPLIED_BY_IDS, {"ids": change_ids[start : start + ID_CHUNK]})
        for change_id, user_id, entity, record_id in rows:
            batch.applied[change_id] = Applied(user_id, entity, record_id)
    entities = {e.value for e in Entity}
    own: set[tuple[str, str]] = set()
    linked: set[tuple[str, str]] = set()
    for c in changes:
        record_id = usable_id(c.record_id)
        if c.entity not in entities or record_id is None:
            continue
        own.add((c.entity, record_id))
        data = c.data
        if (account_id := usable_id(data.get("account_id"))) is not None:
            linked.add((Entity.ACCOUNT.value, account_id))
        if c.entity == Entity.ACTIVITY:
            if (contact_id := usable_id(data.get("contact_id"))) is not None:
                linked.add((Entity.CONTACT.value, contact_id))
            if (opportunity_id := usable_id(data.get("opportunity_id"))) is not None:
                linked.add((Entity.OPPORTUNITY.value, opportunity_id))
    linked -= own
    found = load_many(conn, own, for_update=True)
    batch.purged = purged_keys(conn, own - found.keys())
    found.update(load_many(conn, linked))
    for key in own | linked:
        batch.records[key] = found.get(key)
    accounts = {account_id for entity, account_id in linked if entity == Entity.ACCOUNT}
    accounts |= {r.account_id for r in found.values() if r.account_id}
    batch.visible.update(can_see_accounts(conn, batch.principal, accounts))
    hidden = {a for a in accounts if not batch.visible.get(a)}
    if hidden:
        # Edits made before an account was archived still reach it (docs/sync-protocol.md,
        # "Archive"): its owner at archiving may write to it.
        batch.visible.update(
            dict.fromkeys(archived_for(conn, batch.principal.user_id, hidden), True)
        )


def _load(batch: Batch, entity: str, record_id: str) -> ServerRecord | None:
    """The record as it stands in this batch (read once, then kept up to date)."""
    key = (str(entity), record_id)
    found = batch.records.get(key, _MISSING)
    if found is _MISSING:
        found = batch.records[key] = load(batch.conn, entity, record_id, for_update=True)
    assert found is None or isinstance(found, ServerRecord)
    return found


def _user(batch: Batch, user_id: str) -> UserInfo | None:
    if user_id not in batch.users:
        batch.users[user_id] = user_by_id(batch.conn, user_id)
    return batch.users[user_id]


def _result(
    batch: Batch, change: Change, status: ChangeStatus, current: ServerRecord | None
) -> Answer:
    visible = (
        current is not None
        and _visible(batch, current.account_id)
        and current.account_id not in batch.granted
    )
    return Answer(
        change_id=change.change_id,
        status=status,
        current=current if visible else None,
        masks=batch.masks,
        reader=batch.principal.user_id,
    )


def _visible(batch: Batch, account_id: str) -> bool:
    if not account_id:
        return False
    seen = batch.visible.get(account_id)
    if seen is None:
        seen = can_see_account(batch.conn, batch.principal, account_id) or bool(
            archived_for(batch.conn, batch.principal.user_id, [account_id])
        )
        batch.visible[account_id] = seen
    return seen


def _check_texts(change: Change) -> None:
    for name, value in (("change_id", change.change_id), ("record_id", change.record_id)):
        problem = text_problem(value)
        if problem:
            raise Rejected(f"{name} {problem}")
    # Stored with the change log: checked here, per change, like the ids and the data.
    for field_name in change.changed_fields:
        problem = text_problem(field_name)
        if problem:
            raise Rejected(f"changed_fields: a name {problem}")


def _checked_shape(change: Change) -> tuple[Entity, VersionVector]:
    """The change's record type and new version, once its data and versions are well-formed."""
    try:
        entity = Entity(change.entity)
    except ValueError:
        raise Rejected(f"Unknown record type “{shown(change.entity, 40)}”.") from None
    problems = data_problems(entity, change.data)
    if problems:
        raise Rejected("Invalid data: " + "; ".join(problems))
    base, new = _checked_versions(change)
    if not new or not new.dominates(base):
        raise Rejected("new_version must contain base_version plus this edit.")
    return entity, new


def apply_change(batch: Batch, change: Change) -> Answer:
    principal = batch.principal
    _check_texts(change)
    previous = batch.applied.get(change.change_id)
    if previous is not None:
        if previous.user_id != principal.user_id:
            raise Rejected("This change id was already used for another change.")
        current = _load(batch, previous.entity, previous.record_id)
        return _result(batch, change, ChangeStatus.ALREADY_APPLIED, current)

    entity, new = _checked_shape(change)
    current = _load(batch, entity, change.record_id)
    if current is None and (entity.value, change.record_id) in batch.purged:
        # Deleted, and the tombstone purged: a replica that still has the record must not
        # create it again (docs/sync-protocol.md, "Tombstones").
        if change.deleted:
            return _result(batch, change, ChangeStatus.ALREADY_APPLIED, None)
        raise Rejected(PURGED)
    if current is not None and not _visible(batch, current.account_id):
        raise Rejected(NOT_FOUND)
    if entity is Entity.CONTACT and (
        is_erased_contact(change.data) or (current is not None and is_erased_contact(current.data))
    ):
        # An erased person stays erased: a replica's older copy or edit cannot bring them back,
        # and no client may write the marker (replicas recognise an erasure by it).
        raise Rejected(ERASED_REASON)
    _check_raises(batch, new, current)

    data = dict(current.data) if current is not None else {}
    data.update(change.data)
    # Masking is about reading: a new record is stored as its writer sent it, every field
    # theirs. On an existing one, the fields the writer cannot read stay as the server has them.
    hidden = _hidden(batch, entity, current)
    if current is not None:
        for name in hidden:
            data[name] = current.data.get(name)
        order = new.compare(current.version)
        if order == Ordering.EQUAL:
            same = data == current.data and change.deleted == current.deleted
            status = ChangeStatus.ALREADY_APPLIED if same else ChangeStatus.CONFLICT
            return _result(batch, change, status, current)
        if order != Ordering.AFTER:
            return _result(batch, change, ChangeStatus.CONFLICT, current)

    data = _validated(batch, entity, data, change.deleted, hidden, _known_phones(current))
    changed_at = _check_rules(batch, entity, change, data, current)

    # Every check has passed: from here on nothing is rejected.
    stored = batch.writer.write(
        previous=current,
        entity=entity,
        record_id=change.record_id,
        data=data,
        version=new.merge(current.version) if current is not None else new,
        deleted=change.deleted,
        actor_id=principal.user_id,
        device_id=principal.device_id,
        change_id=change.change_id,
        changed_fields=change.changed_fields[:200],
        changed_at=changed_at,
        applied_by=principal.user_id,
        status_reason=(
            batch.status_reasons.pop(change.record_id, None) if entity == Entity.ACCOUNT else None
        ),
    )
    batch.records[(entity.value, change.record_id)] = stored
    batch.applied[change.change_id] = Applied(principal.user_id, entity.value, change.record_id)
    if entity == Entity.OPPORTUNITY:
        _follow_status_rules(batch, current, stored, changed_at)
    if entity == Entity.ACCOUNT:
        _follow_owner(batch, change.record_id, data, current)
        _cascade(batch, change.record_id, change.deleted, current)
    return _result(batch, change, ChangeStatus.APPLIED, stored)


def _check_rules(
    batch: Batch,
    entity: Entity,
    change: Change,
    data: dict[str, Any],
    current: ServerRecord | None,
) -> str:
    """The business rules a well-formed change must meet (system tags, links, permission,
    people, stage entry); returns when the change was made."""
    if entity == Entity.ACCOUNT and batch.tag_rules:
        refused = tags.typed_system_tags(batch.tag_rules, data, current)
        if refused:
            raise Rejected(tags.typed_system_tags_message(refused))
    _check_links(batch, entity, change.record_id, data, current)
    _check_permission(batch, entity, change, data, current)
    _check_people(batch, entity, data, current)
    changed_at = _changed_at(batch, change)
    if entity == Entity.OPPORTUNITY and not change.deleted:
        _check_stage(batch, change.record_id, data, current, changed_at)
    return changed_at


def _follow_status_rules(
    batch: Batch, previous: ServerRecord | None, stored: ServerRecord, changed_at: str
) -> None:
    """Apply the status rules (``domain/status_rules.py``) to an applied opportunity change:
    a server-side edit of its account (bumping the server's entry, like a reassignment), so
    the account follows the deal even when the device did not run the rule (an older client).
    A device that ran it pushes the same status for the account later in this batch; then
    its own change does it (with the rule's reason) and no concurrent server edit is made."""
    if stored.deleted:
        return
    account_id = str(stored.data.get("account_id") or "")
    account = _load(batch, Entity.ACCOUNT, account_id) if account_id else None
    if account is None or account.deleted:
        return
    before = previous.data if previous is not None and not previous.deleted else None
    change = status_change_for(
        batch.status_rules,
        list(batch.stages.values()),
        before,
        stored.data,
        str(account.data.get("status") or ""),
    )
    if change is None or (batch.statuses and change.to_status not in batch.statuses):
        return
    pushed_status, pushed_base = batch.pushed_status.get(account_id, (None, None))
    if pushed_status == change.to_status and pushed_base == account.version:
        batch.status_reasons[account_id] = change.reason
        return
    principal = batch.principal
    batch.records[(Entity.ACCOUNT.value, account_id)] = batch.writer.write(
        previous=account,
        entity=Entity.ACCOUNT,
        record_id=account_id,
        data={**account.data, "status": change.to_status},
        version=account.version.bump(SERVER_REPLICA_ID),
        deleted=False,
        actor_id=principal.user_id,
        device_id=principal.device_id,
        changed_fields=["status"],
        changed_at=changed_at,
        status_reason=change.reason,
    )


def _checked_versions(change: Change) -> tuple[VersionVector, VersionVector]:
    """The change's base and new versions, bounded and readable (docs/sync-protocol.md,
    "Version vectors"); a bad one rejects this change only."""
    try:
        return checked_vector(change.base_version), checked_vector(change.new_version)
    except InvalidVersion as exc:
        raise Rejected(f"Invalid version: {exc}.") from None


def _check_raises(batch: Batch, new: VersionVector, current: ServerRecord | None) -> None:
    """A client raises only its own replica's entry: the caller's device's replica id, which
    the server minted. Every other entry must be no further than the server's copy has it."""
    server_counter = current.version.get_counter(SERVER_REPLICA_ID) if current else 0
    if new.get_counter(SERVER_REPLICA_ID) > server_counter:
        raise Rejected("A client cannot add to the server's version entry.")
    foreign = foreign_raises(new, current.version if current else None, batch.principal.replica_id)
    if foreign:
        raise Rejected(
            "A device can raise only its own version entry; this change raises "
            f"{len(foreign)} other entr{'y' if len(foreign) == 1 else 'ies'} "
            f"(such as “{foreign[0][:64]}”)."
        )


def _cascade(batch: Batch, account_id: str, deleted: bool, current: ServerRecord | None) -> None:
    """An account's deletion takes its children with it; its restoring brings back those its
    deletion took (docs/sync-protocol.md, "Deleting a customer")."""
    if current is None or deleted == current.deleted:
        return
    cascade = cascade_account_deletion if deleted else cascade_account_restore
    for child in cascade(
        batch.writer, account_id, batch.principal.user_id, batch.principal.device_id
    ):
        batch.records[(child.entity.value, child.id)] = child


def _hidden(batch: Batch, entity: Entity, current: ServerRecord | None) -> tuple[str, ...]:
    """The fields of this record the writer cannot read: none on a record they create; on an
    existing one the masked fields, except those still holding what the writer wrote when they
    created the record (they read those, so they may change them too)."""
    if current is None:
        return ()
    shown_to_writer = revealed_names(
        entity, batch.masks, batch.principal.user_id, current.created_by, current.others_wrote
    )
    return tuple(name for name in batch.masks.get(entity, ()) if name not in shown_to_writer)


def _known_phones(current: ServerRecord | None) -> KnownPhones | None:
    """The stored copy's normalized numbers: an edit that leaves a number as it was does not
    parse it again (parsing was 40% of a push of 100 contact edits)."""
    if current is None or current.entity is not Entity.CONTACT or current.deleted:
        return None
    phones = current.data.get("phones")
    if not isinstance(phones, list):
        return None
    known: dict[str, tuple[str, str | None]] = {}
    for phone in phones:
        if isinstance(phone, dict) and isinstance(phone.get("raw"), str) and phone.get("e164"):
            extension = phone.get("extension")
            known[phone["raw"]] = (str(phone["e164"]), str(extension) if extension else None)
    return known


def _validated(
    batch: Batch,
    entity: Entity,
    data: dict[str, Any],
    deleted: bool,
    hidden: tuple[str, ...],
    known_phones: KnownPhones | None = None,
) -> dict[str, Any]:
    """Build the typed record (normalizing phones) and return its canonical data. ``hidden``:
    the fields the writer cannot read (:func:`_hidden`); ``known_phones``: numbers already
    normalized (:func:`_known_phones`)."""
    record_type = RECORD_TYPES[entity]
    for name in hidden:
        try:
            decode_wire_value(FIELDS[entity][name], data.get(name))
        except (ValueError, ArithmeticError, TypeError):
            # The server's own value of a field the writer cannot read: never quote it.
            raise Rejected(
                f"{name}: the value stored on the server, hidden from you, cannot be read; "
                "ask someone who can see it to correct it."
            ) from None
    try:
        record = record_type.from_data(data)
    except TypeError as exc:
        missing = str(exc).split("argument", 1)[-1].strip(": ")
        raise Rejected(f"Missing required field(s): {missing}") from None
    except (ValueError, ArithmeticError) as exc:
        raise Rejected(f"Invalid data: {exc}") from None
    if deleted:
        return record.data()
    try:
        ensure_valid(record, hidden=hidden, known_phones=known_phones)
    except ValidationFailed as exc:
        raise Rejected(str(exc)) from None
    except (ValueError, ArithmeticError, TypeError) as exc:
        raise Rejected(f"Invalid data: {exc}") from None
    clean = record.data()
    if entity == Entity.ACCOUNT and batch.statuses and clean["status"] not in batch.statuses:
        raise Rejected(f"{_shown(clean['status'], 'status', hidden)} is not an account status.")
    if entity == Entity.OPPORTUNITY and clean["stage"] not in batch.stages:
        raise Rejected(f"{_shown(clean['stage'], 'stage', hidden)} is not a pipeline stage.")
    return clean


def _shown(value: object, name: str, hidden: tuple[str, ...]) -> str:
    """``value`` quoted for a refusal, unless the writer may not read field ``name``."""
    return f"The hidden {name}" if name in hidden else f"“{value}”"


def _check_links(
    batch: Batch,
    entity: Entity,
    record_id: str,
    data: dict[str, Any],
    current: ServerRecord | None,
) -> None:
    """The record's account (and an activity's contact/opportunity) must exist in scope."""
    if ACCOUNT_LINK[entity] is None:
        return
    account_id = data.get("account_id") or ""
    account = _load(batch, Entity.ACCOUNT, account_id) if account_id else None
    if account is None or account.deleted or not _visible(batch, account_id):
        raise Rejected(f"The customer account {account_id[:64]} was not found.")
    if entity == Entity.ACTIVITY:
        kept = current is not None and not current.deleted and current.account_id == account_id
        for link, target in (
            ("contact_id", Entity.CONTACT),
            ("opportunity_id", Entity.OPPORTUNITY),
        ):
            linked_id = data.get(link)
            if not linked_id:
                continue
            if kept and current is not None and current.data.get(link) == linked_id:
                # A link is checked when it is set. An activity stays with its account when
                # its contact or opportunity moves to another one (docs/sync-protocol.md,
                # "Records moved to another account"), and stays editable there.
                continue
            linked = _load(batch, target, linked_id)
            if linked is None or linked.account_id != account_id:
                raise Rejected(f"The {target} {linked_id[:64]} is not under this account.")


def _check_permission(
    batch: Batch,
    entity: Entity,
    change: Change,
    data: dict[str, Any],
    current: ServerRecord | None,
) -> None:
    role = batch.principal.role
    if role == Role.SERVICE_DESK:
        if entity == Entity.OPPORTUNITY:
            raise Rejected("The service desk cannot change opportunities.")
        if change.deleted:
            raise Rejected("The service desk cannot delete records.")
    if entity != Entity.ACCOUNT:
        return
    if change.deleted and role not in (Role.MANAGER, Role.ADMIN):
        raise Rejected("Only a manager or an administrator can delete a customer account.")
    restoring = current is not None and current.deleted and not change.deleted
    if restoring and role not in (Role.MANAGER, Role.ADMIN):
        raise Rejected("Only a manager or an administrator can restore a deleted customer account.")
    old_owner = current.data.get("owner_id", "") if current is not None else None
    owner = data.get("owner_id") or ""
    if current is None and not owner and role in (Role.REP, Role.MANAGER):
        owner = batch.principal.user_id  # a new account belongs to whoever created it
        data["owner_id"] = owner
    if owner == old_owner:
        return
    if role in (Role.REP, Role.SERVICE_DESK):
        if current is None and owner == batch.principal.user_id and role == Role.REP:
            return
        raise Rejected("Only a manager or an administrator can assign a customer to someone.")
    if not owner:
        if role != Role.ADMIN:
            raise Rejected("Only an administrator can leave a customer unassigned.")
        return
    _check_assignable(batch, owner, "customers")


def _check_assignable(batch: Batch, user_id: str, what: str) -> None:
    """``user_id`` must be someone the writer may give records to: a rep (or the desk)
    themselves, a manager themselves or their team, an administrator any active user."""
    principal = batch.principal
    target = _user(batch, user_id) if usable_id(user_id) else None
    if target is None:
        raise Rejected(f"No user with id {user_id[:64]}.")
    if target.id == principal.user_id:
        return
    if principal.role == Role.MANAGER:
        if principal.team_id is None or target.team_id != principal.team_id:
            raise Rejected(f"A manager can assign {what} only within their team.")
    elif principal.role != Role.ADMIN:
        raise Rejected(f"Only a manager or an administrator can assign {what} to someone else.")
    if not target.active:
        raise Rejected(f"The user {target.username} is disabled: {what} cannot go to them.")


def _check_people(
    batch: Batch, entity: Entity, data: dict[str, Any], current: ServerRecord | None
) -> None:
    """Records name the right people: an activity's author is the writer (or stays as it
    was), and an opportunity's owner is someone the writer may assign to (or stays)."""
    before = current.data if current is not None else {}
    if entity == Entity.ACTIVITY:
        author = data.get("author_id") or ""
        if author not in (before.get("author_id") or "", batch.principal.user_id):
            raise Rejected("An activity is logged in your own name: author_id must be you.")
    elif entity == Entity.OPPORTUNITY:
        owner = data.get("owner_id") or ""
        if owner and owner != before.get("owner_id"):
            _check_assignable(batch, owner, "opportunities")


def _owner_changes(data: dict[str, Any], current: ServerRecord | None) -> bool:
    owner = data.get("owner_id") or None
    old = (current.data.get("owner_id") or None) if current is not None else None
    return owner is not None if current is None else owner != old


def _follow_owner(
    batch: Batch, account_id: str, data: dict[str, Any], current: ServerRecord | None
) -> None:
    """Point the account's assignment at its owner. The batch's writes go to the database
    first, so the assignment's audit entry and scope changes come after the account's own."""
    owner = data.get("owner_id") or None
    old = (current.data.get("owner_id") or None) if current is not None else None
    batch.visible.pop(account_id, None)
    if not _owner_changes(data, current):
        return
    batch.writer.flush()  # the account's own write, before the assignment's audit and scope
    if current is None:
        if owner is not None:  # a new account: nobody can have seen it yet
            set_assignment(batch.conn, account_id, owner, batch.principal.user_id, announce=False)
    elif owner != old:
        set_assignment(batch.conn, account_id, owner, batch.principal.user_id)


def _changed_at(batch: Batch, change: Change) -> str:
    moment = now()
    if change.changed_at is not None:
        client = change.changed_at
        if client.tzinfo is None:
            raise Rejected("changed_at needs a time zone (UTC offset).")
        try:
            client = bounded_time(client)
        except ValueError as exc:
            raise Rejected(f"changed_at is out of range: {exc}") from None
        if client <= moment + batch.settings.clock_skew:
            moment = client
    return iso(moment)


def _check_stage(
    batch: Batch,
    record_id: str,
    data: dict[str, Any],
    current: ServerRecord | None,
    changed_at: str,
) -> None:
    stage_key = data.get("stage")
    old_stage = current.data.get("stage") if current is not None and not current.deleted else None
    if stage_key == old_stage or stage_key is None:
        return
    if current is None and stage_key == batch.first_stage:
        return
    target = batch.stages[stage_key]
    count = 0
    if target.requires_activity_since_stage_change:
        batch.writer.flush()  # the count reads this batch's activities and stage history
        count = _activities_since_stage_change(batch.conn, record_id)
    try:
        check_stage_entry(Opportunity.from_data(data), target, count)
    except StageRuleViolation as exc:
        raise Rejected(str(exc)) from None


def _activities_since_stage_change(conn: Connection, opportunity_id: str) -> int:
    last = conn.scalar(
        select(func.max(m.stage_history.c.changed_at)).where(
            m.stage_history.c.opportunity_id == opportunity_id
        )
    )
    since: datetime | None = parse_iso(last) if last else None
    rows = conn.scalars(
        select(m.records.c.data).where(
            m.records.c.entity == Entity.ACTIVITY,
            m.records.c.opportunity_id == opportunity_id,
            m.records.c.deleted.is_(False),
        )
    )
    count = 0
    for text in rows:
        start = json.loads(text).get("start_at")
        if start and (since is None or parse_iso(start) > since):
            count += 1
    return count
