"""Version vectors form a partial order with merge as least upper bound."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_crm.domain.version_vector import (
    MAX_COUNTER,
    MAX_VECTOR_ENTRIES,
    InvalidVersion,
    Ordering,
    VersionVector,
    checked_vector,
    foreign_raises,
)

replica_ids = st.sampled_from(["a", "b", "c", "server"])
vectors = st.dictionaries(replica_ids, st.integers(min_value=0, max_value=5)).map(VersionVector)


@given(vectors)
def test_reflexive(v: VersionVector) -> None:
    assert v.compare(v) is Ordering.EQUAL
    assert v.dominates(v)


@given(vectors, vectors)
def test_compare_is_antisymmetric(a: VersionVector, b: VersionVector) -> None:
    opposite = {
        Ordering.EQUAL: Ordering.EQUAL,
        Ordering.BEFORE: Ordering.AFTER,
        Ordering.AFTER: Ordering.BEFORE,
        Ordering.CONCURRENT: Ordering.CONCURRENT,
    }
    assert b.compare(a) is opposite[a.compare(b)]
    if a.compare(b) is Ordering.EQUAL:
        assert a == b and hash(a) == hash(b)


@given(vectors, vectors, vectors)
def test_dominates_is_transitive(a: VersionVector, b: VersionVector, c: VersionVector) -> None:
    if a.dominates(b) and b.dominates(c):
        assert a.dominates(c)


@given(vectors, vectors)
def test_merge_is_least_upper_bound(a: VersionVector, b: VersionVector) -> None:
    m = a.merge(b)
    assert m.dominates(a) and m.dominates(b)
    assert m == b.merge(a)
    # Nothing smaller dominates both: every counter is exactly the larger of the two.
    for rid in m:
        assert m[rid] == max(a.get_counter(rid), b.get_counter(rid))


@given(vectors, vectors, vectors)
def test_merge_is_associative_and_idempotent(
    a: VersionVector, b: VersionVector, c: VersionVector
) -> None:
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a


@given(vectors, replica_ids)
def test_bump_moves_strictly_after(v: VersionVector, rid: str) -> None:
    bumped = v.bump(rid)
    assert bumped.compare(v) is Ordering.AFTER
    assert bumped.get_counter(rid) == v.get_counter(rid) + 1


@given(vectors, replica_ids, replica_ids)
def test_independent_bumps_are_concurrent(v: VersionVector, r1: str, r2: str) -> None:
    if r1 != r2:
        assert v.bump(r1).compare(v.bump(r2)) is Ordering.CONCURRENT


@given(vectors)
def test_json_round_trip(v: VersionVector) -> None:
    assert VersionVector.from_json(v.to_json()) == v


def test_zero_counters_do_not_matter() -> None:
    assert VersionVector({"a": 0, "b": 1}) == VersionVector({"b": 1})


@pytest.mark.parametrize("bad", [{"a": -1}, {"": 1}, {"a": 1.5}, {"a": True}, {"a": "1"}])
def test_rejects_malformed_counters(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        VersionVector(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["[1, 2]", '"x"', '{"a": -3}'])
def test_rejects_malformed_json(text: str) -> None:
    with pytest.raises(ValueError):
        VersionVector.from_json(text)


# Vectors from outside (issue 14) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ({"\ud800": 1}, "surrogate"),
        ({"a\x00": 1}, "control"),
        ({"x" * 65: 1}, "64"),
        ({"": 1}, "non-empty"),
        ({f"d{n}": 1 for n in range(MAX_VECTOR_ENTRIES + 1)}, f"at most {MAX_VECTOR_ENTRIES}"),
        ({"a": MAX_COUNTER + 1}, str(MAX_COUNTER)),
        ({"a": 10**4000}, str(MAX_COUNTER)),
        ({"a": -1}, str(MAX_COUNTER)),
        ({"a": 1.0}, "whole number"),
        ({"a": True}, "whole number"),
        ([["a", 1]], "object"),
    ],
)
def test_checked_vector_refuses_what_the_rules_refuse(raw: object, says: str) -> None:
    with pytest.raises(InvalidVersion, match=says):
        checked_vector(raw)


def test_checked_vector_accepts_the_bounds() -> None:
    most = {f"d{n}": MAX_COUNTER for n in range(MAX_VECTOR_ENTRIES)}
    assert checked_vector(most) == VersionVector(most)
    assert checked_vector({"王": 1, "server": 0}) == VersionVector({"王": 1})


def test_a_writer_raises_only_its_own_entry() -> None:
    current = VersionVector({"server": 2, "a": 1})
    assert foreign_raises(VersionVector({"server": 2, "a": 1, "me": 5}), current, "me") == []
    assert foreign_raises(VersionVector({"server": 1, "me": 1}), current, "me") == []
    assert foreign_raises(VersionVector({"server": 2, "a": 2, "me": 1}), current, "me") == ["a"]
    assert foreign_raises(VersionVector({"b": 1, "me": 1}), None, "me") == ["b"]
    assert foreign_raises(VersionVector({"me": 1}), None, "me") == []
