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
        if not text:
            return cls()
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a version vector is a JSON object of counters")
        return cls(data)
