"""Three-way merge of one record, field by field, against the last synced (base) copy.

Fields changed on one side only merge silently; a field changed on both sides to different
values is a conflict for a person to decide. Deleting on one side while the other side edited
is a conflict of the whole record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldConflict:
    name: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True, slots=True)
class MergeResult:
    merged: dict[str, Any]
    conflicts: tuple[FieldConflict, ...] = ()
    #: Set when one side deleted the record and the other edited it.
    delete_conflict: bool = False
    deleted: bool = False
    changed_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.delete_conflict


def three_way_merge(
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    mine_deleted: bool = False,
    theirs_deleted: bool = False,
) -> MergeResult:
    """Merge ``mine`` and ``theirs`` given their common ancestor ``base``.

    ``base`` is None when both sides created the record independently (same id): then every
    field that differs is a conflict. In the merged dict, conflicted fields keep ``mine`` until
    the user decides.
    """
    base = base or {}
    names = list(dict.fromkeys([*base.keys(), *mine.keys(), *theirs.keys()]))
    mine_changed = {n for n in names if mine.get(n) != base.get(n)}
    theirs_changed = {n for n in names if theirs.get(n) != base.get(n)}

    if mine_deleted or theirs_deleted:
        if mine_deleted and theirs_deleted:
            return MergeResult(merged=dict(theirs), deleted=True)
        editor_changed = theirs_changed if mine_deleted else mine_changed
        if editor_changed:
            return MergeResult(merged=dict(mine), delete_conflict=True)
        return MergeResult(merged=dict(theirs if theirs_deleted else mine), deleted=True)

    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name in names:
        if name in mine_changed and name in theirs_changed and mine.get(name) != theirs.get(name):
            conflicts.append(FieldConflict(name, base.get(name), mine.get(name), theirs.get(name)))
            merged[name] = mine.get(name)
        elif name in mine_changed:
            merged[name] = mine.get(name)
        else:
            merged[name] = theirs.get(name)
    changed = frozenset(n for n in names if merged.get(n) != theirs.get(n))
    return MergeResult(merged=merged, conflicts=tuple(conflicts), changed_fields=changed)
