"""Per-record version vectors: ``replica_id -> counter``.

A vector only ever grows. Comparing two vectors tells whether one history contains the other
(``BEFORE`` / ``AFTER``), they are the same (``EQUAL``), or each has edits the other lacks
(``CONCURRENT`` — the only case where a merge may need the user).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping
from typing import Any

#: The server's own entry in every vector; edits made on the server side bump it.
SERVER_REPLICA_ID = "server"

#: Bounds on a vector read from outside (docs/sync-protocol.md, "Version vectors"). A vector
#: has an entry per device that ever edited the record, so a few hundred is far beyond real use.
MAX_VECTOR_ENTRIES = 300
#: Counters stay below 2**53, so every JSON reader (JavaScript's too) reads them exactly.
MAX_COUNTER = 2**53 - 1
#: Replica ids are minted by the server (UUIDs); 64 is the id length everywhere on the wire.
MAX_REPLICA_ID_LENGTH = 64


class InvalidVersion(ValueError):
    """A version vector read from outside breaks the rules of :func:`checked_vector`."""


class Ordering(enum.Enum):
    EQUAL = "equal"
    BEFORE = "before"  # self happened before other: other contains all of self's edits
    AFTER = "after"  # self contains all of other's edits and more
    CONCURRENT = "concurrent"


class VersionVector(Mapping[str, int]):
    """An immutable version vector. Zero counters are never stored, so equal histories compare
    equal however they were built."""

    __slots__ = ("_counters", "_hash")

    def __init__(self, counters: Mapping[str, int] | None = None) -> None:
        clean: dict[str, int] = {}
        for replica_id, counter in (counters or {}).items():
            if not isinstance(replica_id, str) or not replica_id:
                raise ValueError(f"replica id must be a non-empty string, not {replica_id!r}")
            if isinstance(counter, bool) or not isinstance(counter, int) or counter < 0:
                raise ValueError(f"counter for {replica_id!r} must be a whole number >= 0")
            if counter:
                clean[replica_id] = counter
        self._counters = dict(sorted(clean.items()))
        self._hash: int | None = None

    # Mapping protocol -------------------------------------------------------------------------
    def __getitem__(self, replica_id: str) -> int:
        return self._counters[replica_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counters)

    def __len__(self) -> int:
        return len(self._counters)

    def get_counter(self, replica_id: str) -> int:
        return self._counters.get(replica_id, 0)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VersionVector):
            return self._counters == other._counters
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._counters.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"VersionVector({self._counters!r})"

    # The partial order ------------------------------------------------------------------------
    def compare(self, other: VersionVector) -> Ordering:
        self_ahead = other_ahead = False
        for replica_id in self._counters.keys() | other._counters.keys():
            mine, theirs = self.get_counter(replica_id), other.get_counter(replica_id)
            if mine > theirs:
                self_ahead = True
            elif theirs > mine:
                other_ahead = True
            if self_ahead and other_ahead:
                return Ordering.CONCURRENT
        if self_ahead:
            return Ordering.AFTER
        if other_ahead:
            return Ordering.BEFORE
        return Ordering.EQUAL

    def dominates(self, other: VersionVector) -> bool:
        """True when self contains every edit of other (equal or after)."""
        return self.compare(other) in (Ordering.EQUAL, Ordering.AFTER)

    def merge(self, other: VersionVector) -> VersionVector:
        """The least upper bound: the pointwise maximum."""
        merged = dict(self._counters)
        for replica_id, counter in other._counters.items():
            merged[replica_id] = max(counter, merged.get(replica_id, 0))
        return VersionVector(merged)

    def bump(self, replica_id: str) -> VersionVector:
        """This vector with one more edit by ``replica_id``."""
        bumped = dict(self._counters)
        bumped[replica_id] = bumped.get(replica_id, 0) + 1
        return VersionVector(bumped)

    # Serialization ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, int]:
        return dict(self._counters)

    def to_json(self) -> str:
        return json.dumps(self._counters, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> VersionVector:
        """Read a stored vector (not bounded: see :func:`checked_vector` for outside input)."""
        if not text:
            return cls()
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a version vector is a JSON object of counters")
        return cls(data)


# Vectors from outside ---------------------------------------------------------------------------


def replica_id_problem(replica_id: object) -> str | None:
    """Why ``replica_id`` cannot be a key of a vector read from outside, or None."""
    if not isinstance(replica_id, str) or not replica_id:
        return "a replica id must be a non-empty string"
    if len(replica_id) > MAX_REPLICA_ID_LENGTH:
        return f"a replica id is at most {MAX_REPLICA_ID_LENGTH} characters"
    try:
        replica_id.encode("utf-8")
    except UnicodeEncodeError:
        return "a replica id must be valid Unicode text (no lone surrogates)"
    if not replica_id.isprintable():
        return "a replica id has no control characters"
    return None


def vector_problem(raw: object) -> str | None:
    """Why ``raw`` (a decoded JSON value) is not an acceptable version vector, or None.

    The one check of every vector that comes from outside: a pushed change's versions on the
    server, a record's version in the client's pull and snapshot pages, stored vectors found
    by the server's repair command. Nothing that fails it is stored or served again."""
    if not isinstance(raw, Mapping):
        return "a version vector is an object of counters"
    if len(raw) > MAX_VECTOR_ENTRIES:
        return f"a version vector has at most {MAX_VECTOR_ENTRIES} entries, not {len(raw)}"
    for replica_id, counter in raw.items():
        problem = replica_id_problem(replica_id)
        if problem is not None:
            return problem
        if isinstance(counter, bool) or not isinstance(counter, int):
            return "a counter is a whole number"
        if not 0 <= counter <= MAX_COUNTER:
            return f"a counter is a whole number from 0 to {MAX_COUNTER}"
    return None


def checked_vector(raw: object) -> VersionVector:
    """``raw`` as a vector, or :class:`InvalidVersion` saying what is wrong with it."""
    problem = vector_problem(raw)
    if problem is not None:
        raise InvalidVersion(problem)
    assert isinstance(raw, Mapping)
    return VersionVector(raw)


def foreign_raises(
    new: VersionVector, current: VersionVector | None, writer_replica_id: str
) -> list[str]:
    """The entries of ``new`` other than the writer's own that are ahead of ``current`` (the
    server's version of the record; None when it has none yet).

    A client's edit raises only its own replica's counter; every other entry it carries it
    learnt from the server, so it cannot be ahead of the server's copy. Raising another
    device's counter would make that device's next edits look concurrent (false conflicts)."""
    ceiling = current if current is not None else VersionVector()
    return [
        replica_id
        for replica_id, counter in new.items()
        if replica_id != writer_replica_id and counter > ceiling.get_counter(replica_id)
    ]
