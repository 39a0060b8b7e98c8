"""The service desk's search box: one entry point for phone numbers and names.

:func:`search` reads the text the way a person means it:

- **A phone number** in any format (``+86 138 0013 8000``, ``013800138000``, ``138-0013-8000``,
  full-width digits, extensions, text around it) or its last 4–7+ digits: candidates come from
  two index lookups on ``contact_phones`` — the exact E.164 key, and a range scan over the
  reversed digits (``digits_reversed >= p AND digits_reversed < p_next``: "ends with" as an
  index range) — and each candidate is confirmed with
  :func:`~desktop_crm.domain.phones.match_level`.
- **A name**: the FTS5 trigram index ``name_index`` finds substrings of three characters or
  more in any script; for one or two characters (张伟, 李) a prefix range over the name indexes,
  then a bounded ``LIKE`` scan.

Tombstoned contacts and accounts never appear.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Connection

from desktop_crm.domain.phones import (
    DEFAULT_REGION,
    PhoneMatch,
    PhoneQuery,
    match_level,
    parse_phone_query,
    reversed_digits,
)
from desktop_crm.storage.bulk_phase import execute_indexed

#: The most phone rows a suffix search confirms before ranking (last 4 digits of a million
#: numbers match ~100–200 rows; anything beyond this is noise to the person searching).
MAX_PHONE_CANDIDATES = 2000
#: How many name-index rows to rank for one query, at most.
MAX_NAME_CANDIDATES = 500
#: Fewest characters the trigram index can search for.
TRIGRAM = 3


class HitKind(enum.StrEnum):
    PHONE = "phone"
    CONTACT_NAME = "contact_name"
    ACCOUNT_NAME = "account_name"


_NAME_LABELS = {
    HitKind.CONTACT_NAME: "contact name",
    HitKind.ACCOUNT_NAME: "customer name",
}
_PHONE_LABELS = {
    PhoneMatch.EXACT: "phone: exact",
    PhoneMatch.NATIONAL: "phone: same national number",
    PhoneMatch.SUFFIX: "phone: last digits",
}


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: HitKind
    account_id: str
    account_name: str
    contact_id: str | None = None
    contact_name: str | None = None
    #: The matched phone number as typed when stored, and its E.164 form (phone hits only).
    phone_raw: str | None = None
    phone_e164: str | None = None
    phone_extension: str | None = None
    phone_match: PhoneMatch | None = None
    #: Higher is better; comparable within one result list.
    score: float = 0.0

    @property
    def match_label(self) -> str:
        if self.phone_match is not None:
            return _PHONE_LABELS[self.phone_match]
        return _NAME_LABELS.get(self.kind, str(self.kind))


def search(
    conn: Connection, text: str, region: str = DEFAULT_REGION, limit: int = 50
) -> list[SearchHit]:
    """Find contacts and accounts for what was typed into the search box, best first."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    query = parse_phone_query(text, region)
    if query is not None:
        return phone_search(conn, query, limit)
    return name_search(conn, text, limit)


# Phone numbers ---------------------------------------------------------------------------------

# Everything a phone hit needs is in the covering index ix_contact_phones_lookup: the number,
# whether its account is live, the contact's and the account's names (copied there and kept
# current, revision 0004). A suffix is one contiguous range of that index, so a search reads a
# few index pages and no table page. (Joining ~150 candidates of a four-digit suffix to their
# contacts and accounts cost several random, decrypted page reads each: 16 ms at p95 at 1M.)
# Tombstoned contacts have no phone rows; tombstoned accounts are ``account_live = 0``.
_CANDIDATES = (
    "SELECT p.e164, p.is_primary, p.digits_reversed, p.contact_id, p.account_id,"
    " p.contact_name, p.account_name, p.raw, p.extension"
    " FROM contact_phones AS p INDEXED BY ix_contact_phones_lookup"
)
EXACT_PHONE_SQL = f"{_CANDIDATES} WHERE p.digits_reversed = ? AND p.e164 = ? AND p.account_live = 1"
SUFFIX_PHONE_SQL = (
    f"{_CANDIDATES} WHERE p.digits_reversed >= ? AND p.digits_reversed < ?"
    " AND p.account_live = 1 LIMIT ?"
)


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


Rank = tuple[int, int, int]


def phone_search(conn: Connection, query: PhoneQuery, limit: int = 50) -> list[SearchHit]:
    rows: list[tuple[object, ...]] = []
    if query.e164 is not None:
        rows += execute_indexed(
            conn, EXACT_PHONE_SQL, (reversed_digits(query.e164), query.e164)
        ).all()
        if query.country_implied:
            # The same national number stored under another country code (ranked lower).
            prefix = query.reversed_suffix
            rows += execute_indexed(
                conn, SUFFIX_PHONE_SQL, (prefix, next_prefix(prefix), MAX_PHONE_CANDIDATES)
            ).all()
    else:
        prefix = query.reversed_suffix
        rows += execute_indexed(
            conn, SUFFIX_PHONE_SQL, (prefix, next_prefix(prefix), MAX_PHONE_CANDIDATES)
        ).all()

    # The best-matching phone row per (contact, number), ranked; names break ties.
    best: dict[tuple[str, str], tuple[Rank, SearchHit]] = {}
    for e164, is_primary, digits_rev, cid, aid, cname, aname, raw, extension in rows:
        level = match_level(query, str(e164))
        if level is None:
            continue
        rank = (int(level), 1 if is_primary else 0, _matched_digits(query, str(digits_rev)))
        key = (str(cid), str(e164))
        if key in best and best[key][0] >= rank:
            continue
        best[key] = (
            rank,
            SearchHit(
                kind=HitKind.PHONE,
                account_id=str(aid),
                account_name=str(aname),
                contact_id=str(cid),
                contact_name=str(cname),
                phone_raw=str(raw),
                phone_e164=str(e164),
                phone_extension=None if extension is None else str(extension),
                phone_match=level,
                score=level * 1000 + rank[1] * 100 + rank[2],
            ),
        )
    ordered = sorted(
        best.values(),
        key=lambda item: (-item[0][0], -item[0][1], -item[0][2], item[1].contact_name or ""),
    )
    return [hit for _, hit in ordered[:limit]]


def _matched_digits(query: PhoneQuery, stored_reversed: str) -> int:
    """How many trailing digits of the stored number agree with what was typed."""
    typed = query.digits[::-1]
    count = 0
    for a, b in zip(typed, stored_reversed, strict=False):
        if a != b:
            break
        count += 1
    return count


# Names ----------------------------------------------------------------------------------------

_NAME_SELECT = """
SELECT n.entity, n.record_id, n.name, a.id, a.name
FROM name_index AS n
JOIN accounts AS a ON a.id = n.account_id AND a.deleted = 0
WHERE name_index MATCH ?
LIMIT ?
"""
_PREFIX_SQL = {
    "contact": """
        SELECT 'contact', c.id, c.name, a.id, a.name
        FROM contacts AS c JOIN accounts AS a ON a.id = c.account_id AND a.deleted = 0
        WHERE c.name >= ? AND c.name < ? AND c.deleted = 0
        LIMIT ?
    """,
    "account": """
        SELECT 'account', a.id, a.name, a.id, a.name
        FROM accounts AS a
        WHERE a.name >= ? AND a.name < ? AND a.deleted = 0
        LIMIT ?
    """,
}
_LIKE_SQL = {
    "contact": """
        SELECT 'contact', c.id, c.name, a.id, a.name
        FROM contacts AS c JOIN accounts AS a ON a.id = c.account_id AND a.deleted = 0
        WHERE c.name LIKE ? ESCAPE '\\' AND c.deleted = 0
        LIMIT ?
    """,
    "account": """
        SELECT 'account', a.id, a.name, a.id, a.name
        FROM accounts AS a
        WHERE a.name LIKE ? ESCAPE '\\' AND a.deleted = 0
        LIMIT ?
    """,
}


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for the words of ``text``: each word of at least three
    characters as a quoted string (so quotes, ``*``, ``AND``, ``-`` … are plain text), all
    required. None when no word is long enough for the trigram index."""
    words = [w for w in text.split() if len(w) >= TRIGRAM]
    if not words:
        return None
    return " AND ".join('"' + w.replace('"', '""') + '"' for w in words)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_search(conn: Connection, text: str, limit: int = 50) -> list[SearchHit]:
    text = " ".join(text.split())
    rows: list[tuple[object, ...]] = []
    # Names that start with the text, through the name indexes (also the only way to find a
    # one- or two-character name such as 张伟 quickly).
    upper = next_prefix(text)
    for sql in _PREFIX_SQL.values():
        rows += conn.exec_driver_sql(sql, (text, upper, limit)).all()
    expression = fts_query(text)
    if expression is not None:
        candidates = min(MAX_NAME_CANDIDATES, max(4 * limit, 100))
        rows += conn.exec_driver_sql(_NAME_SELECT, (expression, candidates)).all()
    elif not rows:
        # Nothing starts with it: look inside names. A scan, so bounded by LIMIT and only
        # taken for one or two characters that begin no name.
        pattern = _like_pattern(text)
        for sql in _LIKE_SQL.values():
            rows += conn.exec_driver_sql(sql, (pattern, limit)).all()

    folded = text.casefold()
    words = folded.split()
    seen: set[tuple[str, str]] = set()
    scored: list[tuple[float, str, SearchHit]] = []
    for entity, record_id, name, aid, aname in rows:
        key = (str(entity), str(record_id))
        if key in seen:
            continue
        seen.add(key)
        name_text = str(name)
        name_folded = name_text.casefold()
        if not all(w in name_folded for w in words):
            continue  # short words the trigram query could not check
        score = _name_score(folded, name_folded)
        if entity == "contact":
            hit = SearchHit(
                kind=HitKind.CONTACT_NAME,
                account_id=str(aid),
                account_name=str(aname),
                contact_id=str(record_id),
                contact_name=name_text,
                score=score,
            )
        else:
            hit = SearchHit(
                kind=HitKind.ACCOUNT_NAME,
                account_id=str(aid),
                account_name=str(aname),
                score=score,
            )
        scored.append((-score, name_text, hit))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [hit for _, _, hit in scored[:limit]]


def _name_score(folded_query: str, folded_name: str) -> float:
    """Exact name > name starting with the text > a word starting with it > contains it;
    shorter names first within each (the query covers more of them)."""
    if folded_name == folded_query:
        base = 400.0
    elif folded_name.startswith(folded_query):
        base = 300.0
    elif f" {folded_query}" in f" {folded_name}":
        base = 200.0
    else:
        base = 100.0
    return base + len(folded_query) / max(len(folded_name), 1) * 99
