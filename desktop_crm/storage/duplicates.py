"""The entry-time duplicate check on the replica: which stored customers (or contacts) a name,
phone or e-mail being entered may duplicate, offline, in milliseconds.

Candidates come from indexes only, then each is scored with
:func:`desktop_crm.domain.duplicates.similarity` (the same verdict as the server's scan):

- **name**: the FTS5 trigram index ``name_index`` (revision 0002), asked for any of a few
  trigrams of the name's *core* (legal forms and places removed), best BM25 rank first, so
  the rare parts of the name pick the candidates; a core of one or two characters, which
  trigrams cannot find, by a bounded ``LIKE``;
- **phone**: the exact E.164 key of ``ix_contact_phones_lookup`` (revision 0004);
- **e-mail**: the contacts' ``emails`` JSON text (no index: a scan, bounded).

Tombstoned records are never candidates.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from desktop_crm.domain.duplicates import (
    DEFAULT_THRESHOLD,
    Party,
    Reason,
    account_party,
    company_core,
    contact_party,
    email_key,
    person_key,
    similarity,
)
from desktop_crm.domain.phones import reversed_digits
from desktop_crm.storage.bulk_phase import execute_indexed
from desktop_crm.storage.search import EXACT_PHONE_SQL

#: Index row ids taken per trigram, at most (row ids only: cheap).
PER_TRIGRAM = 1000
#: The rows holding the most of the name's trigrams that are read and scored.
TOP_ROWS = 60
#: Rows read for a name too short for trigrams, at most.
MAX_NAME_CANDIDATES = 200
#: Trigrams of the name asked for, at most (spread over the name).
MAX_TRIGRAMS = 8


@dataclass(frozen=True, slots=True)
class SimilarRecord:
    """A stored record the one being entered may duplicate."""

    entity: str
    id: str
    name: str
    account_id: str
    account_name: str
    score: float
    reasons: tuple[Reason, ...]


def _trigrams(core: str) -> list[str]:
    grams: list[str] = []
    for word in core.split():
        grams += [word[i : i + 3] for i in range(len(word) - 2)]
    unique = list(dict.fromkeys(grams))
    if len(unique) <= MAX_TRIGRAMS:
        return unique
    step = len(unique) / MAX_TRIGRAMS
    return [unique[int(i * step)] for i in range(MAX_TRIGRAMS)]


_TRIGRAM_ROWS = "SELECT rowid FROM name_index WHERE name_index MATCH ? LIMIT ?"
_NAME_ROWS = "SELECT record_id, name, account_id, entity FROM name_index WHERE rowid IN ({})"
_SHORT_NAME_CANDIDATES = {
    "account": "SELECT id, name, id FROM accounts WHERE name LIKE ? ESCAPE '\\' AND deleted = 0"
    " LIMIT ?",
    "contact": "SELECT id, name, account_id FROM contacts WHERE name LIKE ? ESCAPE '\\'"
    " AND deleted = 0 LIMIT ?",
}
_EMAIL_CANDIDATES = (
    "SELECT id, name, account_id, emails FROM contacts"
    " WHERE deleted = 0 AND instr(lower(emails), ?) > 0 LIMIT 50"
)
_ACCOUNT_NAMES = "SELECT id, name FROM accounts WHERE deleted = 0 AND id IN ({})"
_CONTACT_IDENTIFIERS = (
    "SELECT c.id, c.emails, p.e164 FROM contacts AS c"
    " LEFT JOIN contact_phones AS p ON p.contact_id = c.id WHERE c.id IN ({})"
)


def _name_rows(conn: Connection, entity: str, key: str) -> list[tuple[str, str, str]]:
    trigrams = _trigrams(key)
    if trigrams:
        # Which index rows hold each trigram (row ids only: no row is read), then the rows
        # holding the most of them. A duplicate shares most trigrams of the name; a common
        # trigram ("电力设", "ing") alone brings nobody near the top.
        counts: Counter[int] = Counter()
        for gram in trigrams:
            expression = '"' + gram.replace('"', '""') + '"'
            counts.update(
                r[0] for r in conn.exec_driver_sql(_TRIGRAM_ROWS, (expression, PER_TRIGRAM))
            )
        best = [rowid for rowid, _ in counts.most_common(TOP_ROWS)]
        if not best:
            return []
        rows = conn.exec_driver_sql(_NAME_ROWS.format(",".join("?" * len(best))), tuple(best))
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows if r[3] == entity]
    else:
        joined = key.replace(" ", "")
        if not joined:
            return []
        escaped = joined.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = conn.exec_driver_sql(
            _SHORT_NAME_CANDIDATES[entity], (f"%{escaped}%", MAX_NAME_CANDIDATES)
        )
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def _phone_rows(conn: Connection, phones: Iterable[str]) -> list[tuple[str, str, str, str]]:
    """(contact id, contact name, account id, account name) of contacts with these numbers."""
    out = []
    for e164 in phones:
        for row in execute_indexed(conn, EXACT_PHONE_SQL, (reversed_digits(e164), e164)):
            # e164, is_primary, digits_reversed, contact_id, account_id, contact, account, …
            out.append((str(row[3]), str(row[5]), str(row[4]), str(row[6])))
    return out


def _email_rows(conn: Connection, emails: Iterable[str]) -> list[tuple[str, str, str]]:
    out = []
    for email in emails:
        for cid, name, aid, stored in conn.exec_driver_sql(_EMAIL_CANDIDATES, (email,)):
            if email in {email_key(e) for e in json.loads(stored or "[]")}:
                out.append((str(cid), str(name), str(aid)))
    return out


def _account_names(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {
        str(i): str(n) for i, n in conn.exec_driver_sql(_ACCOUNT_NAMES.format(marks), tuple(ids))
    }


def similar_accounts(
    conn: Connection,
    name: str,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    *,
    exclude_id: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[SimilarRecord]:
    """Stored customers a customer named ``name`` (with contacts on these E.164 phones and
    e-mails) may duplicate, best first."""
    party = account_party(name, phones, emails)
    found: dict[str, tuple[str, set[str], set[str]]] = {}
    for record_id, stored_name, _ in _name_rows(conn, "account", party.name_key):
        found.setdefault(record_id, (stored_name, set(), set()))
    for _cid, _cname, aid, aname in _phone_rows(conn, party.phones):
        found.setdefault(aid, (aname, set(), set()))[1].update(party.phones)
    for _cid, _cname, aid in _email_rows(conn, party.emails):
        found.setdefault(aid, ("", set(), set()))[2].update(party.emails)
    found.pop(exclude_id or "", None)
    names = _account_names(conn, sorted(found))
    results = []
    for record_id, (_, shared_phones, shared_emails) in found.items():
        if record_id not in names:
            continue  # tombstoned
        stored = Party(
            company_core(names[record_id]), frozenset(shared_phones), frozenset(shared_emails)
        )
        result = similarity(party, stored, threshold)
        if result.is_duplicate(threshold):
            results.append(
                SimilarRecord(
                    "account", record_id, names[record_id], record_id, names[record_id],
                    result.score, result.reasons,
                )
            )  # fmt: skip
    return sorted(results, key=lambda r: (-r.score, r.name))[:limit]


def similar_contacts(
    conn: Connection,
    name: str,
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
    *,
    exclude_id: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[SimilarRecord]:
    """Stored contacts a contact named ``name`` with these E.164 phones and e-mails may
    duplicate, best first."""
    party = contact_party(name, phones, emails)
    candidates: dict[str, tuple[str, str]] = {}
    for record_id, stored_name, account_id in _name_rows(conn, "contact", party.name_key):
        candidates[record_id] = (stored_name, account_id)
    for cid, cname, aid, _aname in _phone_rows(conn, party.phones):
        candidates[cid] = (cname, aid)
    for cid, cname, aid in _email_rows(conn, party.emails):
        candidates[cid] = (cname, aid)
    candidates.pop(exclude_id or "", None)
    if not candidates:
        return []
    ids = sorted(candidates)
    phones_of: dict[str, set[str]] = {i: set() for i in ids}
    emails_of: dict[str, set[str]] = {i: set() for i in ids}
    rows = conn.exec_driver_sql(_CONTACT_IDENTIFIERS.format(",".join("?" * len(ids))), tuple(ids))
    for cid, stored_emails, e164 in rows:
        emails_of[str(cid)].update(email_key(e) for e in json.loads(stored_emails or "[]"))
        if e164:
            phones_of[str(cid)].add(str(e164))
    accounts = _account_names(conn, sorted({a for _, a in candidates.values()}))
    results = []
    for cid, (cname, aid) in candidates.items():
        if aid not in accounts:
            continue  # under a tombstoned customer
        stored = Party(person_key(cname), frozenset(phones_of[cid]), frozenset(emails_of[cid]))
        result = similarity(party, stored, threshold)
        if result.is_duplicate(threshold):
            results.append(
                SimilarRecord(
                    "contact", cid, cname, aid, accounts[aid], result.score, result.reasons
                )
            )
    return sorted(results, key=lambda r: (-r.score, r.name))[:limit]
