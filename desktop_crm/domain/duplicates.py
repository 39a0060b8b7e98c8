"""Suspected duplicates: how alike two customers (or two contacts) are, and why.

Pure functions shared by the replica's entry-time check and the server's scan, so both give
the same verdict for the same pair.

- **Names** are compared after folding (:func:`fold`: NFKC, so full-width becomes half-width;
  case; accents and umlauts; punctuation and spaces removed). A company name is reduced to its
  *core* first (:func:`company_core`): legal forms (有限公司, 股份, 集团, Co., Ltd, GmbH, plc,
  Inc …) and place words (a leading city or province, a place in brackets, a Latin place word
  anywhere) do not tell two companies apart. The score is rapidfuzz's normalized Indel
  similarity (``fuzz.ratio``), 0–100; person names use the token-sorted variant so
  "Smith John" matches "John Smith".
- **An exact phone (same E.164) or e-mail** match is a duplicate whatever the names say
  (score 100).

A pair scoring at least the threshold (80 by default) is a suspected duplicate; a person
confirms before anything is merged.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter

from rapidfuzz import fuzz, process

DEFAULT_THRESHOLD = 80.0


class Reason(enum.StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"


# Legal forms and company-kind words. Chinese ones are removed wherever they occur (they are
# suffixes in practice); Latin ones as whole words.
_CJK_LEGAL = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "有限责任",
    "股份公司",
    "集团公司",
    "分公司",
    "总公司",
    "公司",
    "股份",
    "集团",
    "有限",
)
_LATIN_LEGAL = frozenset(
    """co company corp corporation inc incorporated ltd limited llc llp plc gmbh ag kg
    sa sas sarl srl spa bv nv oy ab as aps kk pte pty group holding holdings the""".split()
)
# Places: provinces and the larger cities (Chinese, with and without 省/市), and their Latin
# spellings. A leading one is dropped from a Chinese name, one in brackets anywhere; Latin
# place words are dropped anywhere ("Acme Shanghai Trading" is "Acme Trading").
_CJK_PLACES = tuple(
    sorted(
        """中国 北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
        湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门
        广州 深圳 杭州 南京 苏州 成都 武汉 西安 长沙 郑州 青岛 大连 宁波 厦门 济南 沈阳 无锡
        合肥 福州 昆明 哈尔滨 长春 石家庄 太原 南昌 南宁 贵阳 兰州 东莞 佛山 珠海 温州 常州
        """.split(),
        key=len,
        reverse=True,
    )
)
_CJK_PLACE_SUFFIXES = ("省", "市", "自治区", "特别行政区")
_LATIN_PLACES = frozenset(
    """beijing shanghai tianjin chongqing guangzhou shenzhen hangzhou nanjing suzhou chengdu
    wuhan xian xiamen qingdao dalian ningbo hongkong hong kong china chinese international
    intl global asia europe usa us uk germany deutschland london paris berlin munich muenchen
    hamburg frankfurt newyork new york tokyo singapore""".split()
)
_BRACKETS = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o"})
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def _plain(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, umlauts spelt out, accents removed."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_kept(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def fold(text: str) -> str:
    """Folded text: NFKC, case, accents, and no punctuation or spaces."""
    return "".join(ch for ch in _plain(text) if _is_kept(ch))


def _words(text: str) -> list[str]:
    """Latin words and runs of other letters (CJK), in order."""
    out: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_kept(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def _strip_place(run: str) -> str:
    for place in _CJK_PLACES:
        if run.startswith(place):
            rest = run[len(place) :]
            for suffix in _CJK_PLACE_SUFFIXES:
                if rest.startswith(suffix):
                    rest = rest[len(suffix) :]
                    break
            return rest
    return run


def _strip_cjk_legal(run: str) -> str:
    for word in _CJK_LEGAL:
        run = run.replace(word, "")
    return run


def _is_place(text: str) -> bool:
    bare = fold(text)
    for suffix in _CJK_PLACE_SUFFIXES:
        bare = bare.removesuffix(suffix)
    return bare in _CJK_PLACES or bare in _LATIN_PLACES


def company_core(name: str) -> str:
    """The part of a company name that tells it apart, folded: no legal form, no place."""
    plain = _plain(name)
    # A place in brackets (腾讯科技（深圳）有限公司) goes; other bracketed text stays.
    plain = _BRACKETS.sub(lambda m: " " if _is_place(m.group(1)) else f" {m.group(1)} ", plain)
    parts: list[str] = []
    for index, word in enumerate(_words(plain)):
        if _LATIN_WORD.fullmatch(word):
            if word in _LATIN_LEGAL or word in _LATIN_PLACES:
                continue
            parts.append(word)
            continue
        run = _strip_cjk_legal(word)
        if index == 0 or not parts:
            run = _strip_place(run)
        parts.append(run)
    core = " ".join(part for part in parts if part)
    # A name that is nothing but legal and place words is compared as it is.
    return core or fold(name)


def person_key(name: str) -> str:
    """A person's name folded, for comparison whatever the word order: Latin words sorted
    ("Smith, John" is "john smith"); a Chinese name as one word (张 伟 is 张伟)."""
    words = _words(_plain(name))
    if not any(_LATIN_WORD.fullmatch(word) for word in words):
        return "".join(words)
    return " ".join(sorted(words))


def email_key(email: str) -> str:
    if email.isascii():  # (nearly all: NFKC and casefold are lower() there, and cost 10x)
        return email.strip().lower()
    return unicodedata.normalize("NFKC", email).strip().casefold()


@dataclass(frozen=True, slots=True)
class Party:
    """What a duplicate check compares: a name key and the exact identifiers.

    ``name_key`` is :func:`company_core` for accounts and :func:`person_key` for contacts.
    An account's phones and e-mails are those of its contacts.
    """

    name_key: str
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


def account_party(name: str, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> Party:
    return Party(
        company_core(name),
        frozenset(p for p in phones if p),
        frozenset(email_key(e) for e in emails if e.strip()),
    )


def contact_party(name: str, phones: Iterable[str] = (), emails: Iterable[str] = ()) -> Party:
    return Party(
        person_key(name),
        frozenset(p for p in phones if p),
        frozenset(email_key(e) for e in emails if e.strip()),
    )


@dataclass(frozen=True, slots=True)
class Similarity:
    score: float
    reasons: tuple[Reason, ...]

    def is_duplicate(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        return self.score >= threshold


def name_score(a: str, b: str) -> float:
    """How alike two name keys are, 0–100.

    The keys are compared without their spaces ("north wind" is "northwind"); when both have
    the same number of words, each word must also be alike on its own (the mean of the word
    scores caps the result), so a shared generic word ("Acme Trading" / "Apex Trading",
    "John Smith" / "Jane Smith") does not carry a pair that differs in its distinctive word.
    """
    joined_a, joined_b = a.replace(" ", ""), b.replace(" ", "")
    if not joined_a or not joined_b:
        return 0.0
    if joined_a == joined_b:
        return 100.0
    score = float(fuzz.ratio(joined_a, joined_b))
    words_a, words_b = a.split(), b.split()
    if len(words_a) == len(words_b) > 1:
        per_word = sum(fuzz.ratio(x, y) for x, y in zip(words_a, words_b, strict=True))
        score = min(score, per_word / len(words_a))
    return score


def similarity(
    a: Party, b: Party, threshold: float = DEFAULT_THRESHOLD, names: float | None = None
) -> Similarity:
    """The score of a pair and the reasons that reach ``threshold``: an exact phone or e-mail
    counts as 100 whatever the names say. ``names``: the names' score, when already known."""
    score = name_score(a.name_key, b.name_key) if names is None else names
    reasons: list[Reason] = []
    if score >= threshold:
        reasons.append(Reason.NAME)
    if a.phones & b.phones:
        reasons.append(Reason.PHONE)
        score = 100.0
    if a.emails & b.emails:
        reasons.append(Reason.EMAIL)
        score = 100.0
    return Similarity(round(score, 1), tuple(reasons))


def length_window(key: str, threshold: float = DEFAULT_THRESHOLD) -> tuple[int, int]:
    """The lengths another key can have and still reach ``threshold`` on the name alone:
    ratio = 2·common / (len a + len b), and common ≤ the shorter length."""
    n = len(key)
    t = threshold / 100
    if t <= 0:
        return 0, 10**9
    low = int(n * t / (2 - t))
    high = int(n * (2 - t) / t) + 1
    return low, high


# Finding similar names among many ----------------------------------------------------------------

#: Keys of at least this many characters (spaces removed) are looked up by their trigrams,
#: shorter ones by their bigrams: in a long name bigrams are common ("an", "er"), trigrams rare.
TRIGRAMS_FROM = 10
#: How many of a key's rarest grams it is looked up by: one more than a one-character change
#: can destroy (a changed or deleted character is in q grams, an inserted one splits q − 1),
#: so a key one changed character away always shares one of them. Asking for a common gram
#: (科技, "ing") costs thousands of candidates, which is why only the rarest are asked for.
QUERY_GRAMS = {1: 1, 2: 3, 3: 4}
#: Grams held by at most this many keys are asked for beyond :data:`QUERY_GRAMS`: nearly free,
#: they find keys further apart (two or more characters changed).
FREE_POSTINGS = 32


def _joined(key: str) -> str:
    return key.replace(" ", "")


def _gram_size(joined: str) -> int:
    if len(joined) >= TRIGRAMS_FROM:
        return 3
    return 2 if len(joined) >= 2 else 1


def _grams(joined: str, size: int) -> set[str]:
    if len(joined) <= size:
        return {joined} if joined else set()
    return {joined[i : i + size] for i in range(len(joined) - size + 1)}


class NameIndex:
    """Name keys, searchable by how alike they are (:func:`name_score`).

    Every key is indexed under its bigrams and trigrams (an inverted index of key numbers). A
    lookup takes the rarest grams of the key looked up (:data:`QUERY_GRAMS`), the keys holding
    any of them are the candidates, and rapidfuzz scores them all in one native call with the
    threshold as cutoff, so Python never loops over pairs that do not match. The joined score
    it cuts at is an upper bound of :func:`name_score`: no pair that reaches the threshold is
    lost there.
    """

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys: list[str] = []
        self._joined: list[str] = []
        self._postings: dict[str, list[int]] = {}
        for key in keys:
            self.add(key)

    def add(self, key: str) -> int:
        """Index ``key``; returns its number."""
        number = len(self.keys)
        joined = _joined(key)
        self.keys.append(key)
        self._joined.append(joined)
        # Under every gram a lookup may ask for: bigrams and trigrams (a one-character key
        # under itself).
        grams = _grams(joined, 2) | _grams(joined, 3) if len(joined) > 1 else {joined}
        for gram in grams:
            self._postings.setdefault(gram, []).append(number)
        return number

    def _candidates(self, joined: str) -> set[int]:
        grams = _grams(joined, _gram_size(joined))
        # (A gram no indexed key holds finds nobody: it does not use up the budget. An
        # appended word, "materials gxbh", makes several.)
        postings = sorted(
            (held for held in map(self._postings.get, grams) if held is not None), key=len
        )
        wanted = QUERY_GRAMS[_gram_size(joined)]
        found: set[int] = set()
        for rank, held in enumerate(postings):
            if rank >= wanted and len(held) > FREE_POSTINGS:
                break
            found.update(held)
        return found

    def similar(self, key: str, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, float]]:
        """The numbers of indexed keys whose :func:`name_score` with ``key`` reaches
        ``threshold``, with the score."""
        joined = _joined(key)
        numbers = list(self._candidates(joined)) if joined else []
        if not numbers:
            return []
        # itemgetter picks the candidates' texts in C; one number gives a bare string.
        picked = itemgetter(*numbers)(self._joined)
        choices = [picked] if len(numbers) == 1 else picked
        found: list[tuple[int, float]] = []
        for _choice, _joined_score, position in process.extract(
            joined, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        ):
            number = numbers[position]
            score = name_score(key, self.keys[number])
            if score >= threshold:
                found.append((number, score))
        return found


def similar_name_pairs(
    keys: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> Iterator[tuple[int, int, float]]:
    """Pairs ``(i, j, score)``, ``i < j``, of name keys whose :func:`name_score` reaches
    ``threshold``, each once: every key is looked up among the keys before it (a
    :class:`NameIndex` that grows), so each pair is scored once."""
    index = NameIndex()
    for j, key in enumerate(keys):
        for i, score in index.similar(key, threshold):
            yield i, j, score
        index.add(key)


class PartyIndex:
    """Many parties, searchable one at a time: the records a new one may duplicate (CSV import
    against the stored data). Names through a :class:`NameIndex`; phones and e-mails
    exactly."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.parties: list[Party] = []
        self._names = NameIndex()
        self._identifiers: dict[str, list[int]] = {}

    def add(self, record_id: str, party: Party) -> None:
        index = len(self.ids)
        self.ids.append(record_id)
        self.parties.append(party)
        self._names.add(party.name_key)
        for key in _identifier_keys(party):
            self._identifiers.setdefault(key, []).append(index)

    def matches(
        self, party: Party, threshold: float = DEFAULT_THRESHOLD
    ) -> list[tuple[str, Similarity]]:
        """The indexed records ``party`` may duplicate, best first."""
        names = dict(self._names.similar(party.name_key, threshold))
        for key in _identifier_keys(party):
            for i in self._identifiers.get(key, ()):
                names.setdefault(i, -1.0)
        found = [
            (self.ids[i], similarity(party, self.parties[i], threshold, None if s < 0 else s))
            for i, s in names.items()
        ]
        hits = [(rid, s) for rid, s in found if s.is_duplicate(threshold)]
        return sorted(hits, key=lambda hit: (-hit[1].score, hit[0]))


def _identifier_keys(party: Party) -> list[str]:
    return [f"p:{p}" for p in party.phones] + [f"e:{e}" for e in party.emails]
