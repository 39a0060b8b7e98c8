"""Three-way merge per field."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from desktop_crm.domain.merge import three_way_merge

BASE = {"name": "Acme", "status": "prospect", "notes": ""}


def test_one_sided_changes_merge_silently() -> None:
    mine = {**BASE, "name": "Acme Ltd"}
    theirs = {**BASE, "status": "active"}
    result = three_way_merge(BASE, mine, theirs)
    assert result.clean
    assert result.merged == {"name": "Acme Ltd", "status": "active", "notes": ""}
    assert result.changed_fields == {"name"}  # what the server lacks


def test_same_field_changed_differently_is_a_conflict() -> None:
    mine = {**BASE, "name": "Acme Ltd"}
    theirs = {**BASE, "name": "Acme Group", "status": "active"}
    result = three_way_merge(BASE, mine, theirs)
    assert [c.name for c in result.conflicts] == ["name"]
    conflict = result.conflicts[0]
    assert (conflict.base, conflict.mine, conflict.theirs) == ("Acme", "Acme Ltd", "Acme Group")
    assert result.merged["status"] == "active"


def test_same_change_on_both_sides_is_not_a_conflict() -> None:
    mine = {**BASE, "name": "Acme Ltd"}
    result = three_way_merge(BASE, mine, dict(mine))
    assert result.clean and result.merged == mine


def test_delete_versus_edit_is_a_conflict_either_way() -> None:
    edited = {**BASE, "notes": "VIP"}
    assert three_way_merge(BASE, BASE, edited, mine_deleted=True).delete_conflict
    assert three_way_merge(BASE, edited, BASE, theirs_deleted=True).delete_conflict


def test_delete_without_edit_on_the_other_side_deletes() -> None:
    result = three_way_merge(BASE, BASE, BASE, theirs_deleted=True)
    assert result.clean and result.deleted


def test_independent_creations_conflict_on_every_differing_field() -> None:
    result = three_way_merge(None, {"name": "A", "x": 1}, {"name": "B", "x": 1})
    assert [c.name for c in result.conflicts] == ["name"]


values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b"]))
records = st.fixed_dictionaries({"f1": values, "f2": values, "f3": values})


@given(records, records, records)
def test_merge_properties(
    base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> None:
    result = three_way_merge(base, mine, theirs)
    conflicted = {c.name for c in result.conflicts}
    for name in base:
        both_changed = mine[name] != base[name] and theirs[name] != base[name]
        # A conflict is raised exactly when both sides changed a field to different values.
        assert (name in conflicted) == (both_changed and mine[name] != theirs[name])
        if name not in conflicted:
            # The merged value is whichever side changed it (or the common value).
            expected = mine[name] if mine[name] != base[name] else theirs[name]
            assert result.merged[name] == expected
    # Symmetry: swapping sides gives the same conflicts and the same clean fields.
    swapped = three_way_merge(base, theirs, mine)
    assert {c.name for c in swapped.conflicts} == conflicted
    for name in base:
        if name not in conflicted:
            assert swapped.merged[name] == result.merged[name]
