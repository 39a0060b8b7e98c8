"""The server's duplicate scan and its review queue (``duplicate_pairs``, revision 0009).

:func:`scan` reads every live account (or contact), scores the pairs worth scoring
(:func:`desktop_crm.domain.duplicates.similar_name_pairs` by name, plus every pair sharing an
E.164 phone or an e-mail) and fills the queue. A pair a person dismissed stays dismissed, a
merged one stays merged; open pairs the scan no longer finds (a record deleted, a name changed)
leave the queue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, select, update

from desktop_crm.domain.duplicates import (
    DEFAULT_THRESHOLD,
    Party,
    account_party,
    contact_party,
    similar_name_pairs,
    similarity,
)
from desktop_crm.domain.records import Entity
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import iso, now

OPEN = "open"
DISMISSED = "dismissed"
MERGED = "merged"
#: A phone or e-mail shared by more records than this is a switchboard or a shared mailbox,
#: not a sign of one customer: its group is not paired up. Nor is a person's name this common.
MAX_SHARED = 50
SCANNED = (Entity.ACCOUNT, Entity.CONTACT)


@dataclass(frozen=True, slots=True)
class FoundPair:
    entity: str
    id_a: str
    id_b: str
    score: float
    reasons: tuple[str, ...]


@dataclass(slots=True)
class ScanReport:
    entity: str
    scanned: int = 0
    compared: int = 0
    pairs: list[FoundPair] = field(default_factory=list)
    new: int = 0
    dismissed_kept: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "scanned": self.scanned,
            "compared": self.compared,
            "found": len(self.pairs),
            "new": self.new,
            "dismissed_kept": self.dismissed_kept,
            "pairs": [
                {"id_a": p.id_a, "id_b": p.id_b, "score": p.score, "reasons": list(p.reasons)}
                for p in self.pairs
            ],
        }


_LIVE = select(m.records.c.id, m.records.c.account_id, m.records.c.data).where(
    m.records.c.deleted.is_(False)
)


def _contact_identifiers(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    phones = [str(p.get("e164") or "") for p in data.get("phones") or [] if isinstance(p, dict)]
    emails = [str(e) for e in data.get("emails") or [] if isinstance(e, str)]
    return phones, emails


def load_parties(conn: Connection, entity: Entity) -> tuple[list[str], list[Party]]:
    """Every live record of ``entity`` as a :class:`Party`; an account's phones and e-mails
    are its contacts'."""
    ids: list[str] = []
    parties: list[Party] = []
    contacts = conn.execute(_LIVE.where(m.records.c.entity == Entity.CONTACT.value))
    if entity is Entity.CONTACT:
        for record_id, _account_id, data_text in contacts:
            data = json.loads(data_text)
            phones, emails = _contact_identifiers(data)
            ids.append(record_id)
            parties.append(contact_party(str(data.get("name") or ""), phones, emails))
        return ids, parties
    by_account: dict[str, tuple[list[str], list[str]]] = {}
    for _record_id, account_id, data_text in contacts:
        phones, emails = _contact_identifiers(json.loads(data_text))
        held = by_account.setdefault(account_id, ([], []))
        held[0].extend(phones)
        held[1].extend(emails)
    for record_id, _account_id, data_text in conn.execute(
        _LIVE.where(m.records.c.entity == Entity.ACCOUNT.value)
    ):
        phones, emails = by_account.get(record_id, ([], []))
        ids.append(record_id)
        parties.append(account_party(str(json.loads(data_text).get("name") or ""), phones, emails))
    return ids, parties


def _shared_identifier_pairs(parties: Sequence[Party]) -> Iterator[tuple[int, int]]:
    groups: dict[str, list[int]] = {}
    for i, party in enumerate(parties):
        for key in party.phones:
            groups.setdefault("p:" + key, []).append(i)
        for key in party.emails:
            groups.setdefault("e:" + key, []).append(i)
    for members in groups.values():
        if 1 < len(members) <= MAX_SHARED:
            for x, i in enumerate(members):
                for j in members[x + 1 :]:
                    yield i, j


def _name_pairs(
    parties: Sequence[Party], threshold: float, entity: Entity
) -> Iterator[tuple[int, int, float]]:
    """Pairs whose names reach ``threshold``, with the names' score. Each distinct name key is
    compared once: records sharing a key (the same name spelt alike) pair up without scoring.
    A person's name held by more than :data:`MAX_SHARED` contacts (张伟, "John Smith") is a
    common name, not a sign of one person: it pairs by phone or e-mail only."""
    groups: dict[str, list[int]] = {}
    for i, party in enumerate(parties):
        if party.name_key:
            groups.setdefault(party.name_key, []).append(i)
    if entity is Entity.CONTACT:
        groups = {key: members for key, members in groups.items() if len(members) <= MAX_SHARED}
    keys = list(groups)
    for members in groups.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                yield i, j, 100.0
    for a, b, score in similar_name_pairs(keys, threshold):
        for i in groups[keys[a]]:
            for j in groups[keys[b]]:
                yield i, j, score


def find_pairs(
    ids: Sequence[str],
    parties: Sequence[Party],
    entity: Entity,
    threshold: float = DEFAULT_THRESHOLD,
    report: ScanReport | None = None,
) -> list[FoundPair]:
    """The pairs among ``parties`` scoring at least ``threshold``, each once, ids ordered."""
    names: dict[tuple[int, int], float] = {}
    for i, j, score in _name_pairs(parties, threshold, entity):
        names[(i, j) if i < j else (j, i)] = score
    for i, j in _shared_identifier_pairs(parties):
        names.setdefault((i, j) if i < j else (j, i), -1.0)
    found: list[FoundPair] = []
    for (i, j), known in names.items():
        result = similarity(parties[i], parties[j], threshold, None if known < 0 else known)
        if result.is_duplicate(threshold):
            id_a, id_b = sorted((ids[i], ids[j]))
            found.append(
                FoundPair(entity.value, id_a, id_b, result.score, tuple(map(str, result.reasons)))
            )
    if report is not None:
        report.compared += len(names)
    return found


def scan(conn: Connection, entity: Entity, threshold: float = DEFAULT_THRESHOLD) -> ScanReport:
    """Scan every live record of ``entity`` and fill the review queue (in the caller's
    transaction)."""
    if entity not in SCANNED:
        raise ValueError(f"duplicates are found among accounts and contacts, not {entity}")
    if not 0 < threshold <= 100:
        raise ValueError("the threshold is a score from 1 to 100")
    report = ScanReport(entity.value)
    ids, parties = load_parties(conn, entity)
    report.scanned = len(ids)
    report.pairs = find_pairs(ids, parties, entity, threshold, report)
    new, kept = store_pairs(conn, entity, report.pairs, replace_open=True)
    report.new, report.dismissed_kept = new, kept
    return report


def store_pairs(
    conn: Connection, entity: Entity, pairs: Sequence[FoundPair], *, replace_open: bool
) -> tuple[int, int]:
    """Put found pairs in the queue: new ones open, open ones rescored, decided ones left as
    they are. With ``replace_open`` (a full scan) open pairs not found again leave the queue.
    Each kind of change is one statement over many rows (a scan finds hundreds of thousands).
    Returns (new pairs, decided pairs found again)."""
    table = m.duplicate_pairs
    existing = {
        (row.id_a, row.id_b): (row.status, float(row.score), row.reasons)
        for row in conn.execute(
            select(
                table.c.id_a, table.c.id_b, table.c.status, table.c.score, table.c.reasons
            ).where(table.c.entity == entity.value)
        )
    }
    stamp = iso(now())
    inserts: list[dict[str, Any]] = []
    rescored: list[dict[str, Any]] = []
    decided = 0
    for p in pairs:
        reasons = ",".join(p.reasons)
        held = existing.get((p.id_a, p.id_b))
        if held is None:
            inserts.append(
                {
                    "entity": entity.value,
                    "id_a": p.id_a,
                    "id_b": p.id_b,
                    "score": p.score,
                    "reasons": reasons,
                    "status": OPEN,
                    "found_at": stamp,
                }
            )
        elif held[0] == OPEN and (held[1], held[2]) != (p.score, reasons):
            rescored.append({"k_a": p.id_a, "k_b": p.id_b, "k_score": p.score, "k_why": reasons})
        elif held[0] in (DISMISSED, MERGED):
            decided += 1
    if inserts:
        conn.execute(table.insert(), inserts)
    if rescored:
        conn.execute(
            update(table)
            .where(_pair_is(entity))
            .values(score=bindparam("k_score"), reasons=bindparam("k_why")),
            rescored,
        )
    if replace_open:
        found_keys = {(p.id_a, p.id_b) for p in pairs}
        gone = [
            {"k_a": id_a, "k_b": id_b}
            for (id_a, id_b), held in existing.items()
            if held[0] == OPEN and (id_a, id_b) not in found_keys
        ]
        if gone:
            conn.execute(delete(table).where(_pair_is(entity)), gone)
    return len(inserts), decided


def _pair_is(entity: Entity) -> ColumnElement[bool]:
    """The queue row of one pair, its ids bound per row (``k_a``, ``k_b``) for executemany."""
    table = m.duplicate_pairs
    return and_(
        table.c.entity == entity.value,
        table.c.id_a == bindparam("k_a"),
        table.c.id_b == bindparam("k_b"),
    )


@dataclass(frozen=True, slots=True)
class QueuedPair:
    entity: str
    id_a: str
    id_b: str
    score: float
    reasons: tuple[str, ...]
    status: str
    found_at: str


def list_pairs(
    conn: Connection, entity: Entity | None = None, status: str | None = OPEN
) -> list[QueuedPair]:
    table = m.duplicate_pairs
    query = select(table).order_by(table.c.score.desc(), table.c.id_a, table.c.id_b)
    if entity is not None:
        query = query.where(table.c.entity == entity.value)
    if status is not None:
        query = query.where(table.c.status == status)
    return [
        QueuedPair(
            r.entity,
            r.id_a,
            r.id_b,
            float(r.score),
            tuple(x for x in r.reasons.split(",") if x),
            r.status,
            r.found_at,
        )
        for r in conn.execute(query)
    ]


def set_status(
    conn: Connection, entity: Entity, id_1: str, id_2: str, status: str, actor_id: str
) -> bool:
    """Mark a pair dismissed or merged (inserting it when no scan found it). False when the
    pair is the same record twice."""
    if id_1 == id_2:
        return False
    id_a, id_b = sorted((id_1, id_2))
    table = m.duplicate_pairs
    where = and_(table.c.entity == entity.value, table.c.id_a == id_a, table.c.id_b == id_b)
    stamp = iso(now())
    changed = conn.execute(
        update(table).where(where).values(status=status, decided_at=stamp, decided_by=actor_id)
    ).rowcount
    if not changed:
        conn.execute(
            table.insert().values(
                entity=entity.value,
                id_a=id_a,
                id_b=id_b,
                score=0.0,
                reasons="",
                status=status,
                found_at=stamp,
                decided_at=stamp,
                decided_by=actor_id,
            )
        )
    return True
