"""The review queue of suspected duplicates and the merge, from the app (managers and
administrators, in their scope; ``docs/user-guide.md``, "Duplicates").

The queue and the merge are the server's, so these are online operations: functions of a
signed-in :class:`~desktop_crm.sync.http_client.SyncClient` that the window runs off the GUI
thread through :meth:`desktop_crm.client.session.ProfileSync.online`. What the merge dialog
shows side by side is read from the replica (:func:`merge_sides`); after a merge the next sync
brings the survivor and the merged-away tombstone to the replica."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop_crm.domain.records import ENTITY_FIELDS, Entity
from desktop_crm.protocol.duplicates import DuplicatePair, MergeRequest, PairRequest
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.http_client import SyncClient

__all__ = ["DuplicatePair", "MergeSides", "dismiss", "merge", "merge_sides", "review_queue"]

#: Fields that tie a record to others: the survivor keeps its own (the server refuses them).
_LINKS = frozenset({"account_id"})


def review_queue(client: SyncClient, entity: Entity) -> list[DuplicatePair]:
    """The open pairs of ``entity`` whose both records the user sees, best score first."""
    pairs = client.duplicates(entity.value)
    return sorted(pairs, key=lambda p: (-p.score, p.name_a, p.name_b))


def dismiss(client: SyncClient, pair: DuplicatePair) -> DuplicatePair:
    """Not duplicates: the pair leaves the queue and later scans leave it dismissed."""
    return client.dismiss_duplicate(
        PairRequest(entity=Entity(pair.entity), id_a=pair.id_a, id_b=pair.id_b)
    )


def merge(
    client: SyncClient,
    entity: Entity,
    survivor_id: str,
    loser_id: str,
    take_from_loser: Sequence[str],
) -> str:
    """Merge ``loser_id`` into ``survivor_id``, taking the named fields from the loser; the
    merge's id (an administrator can undo it)."""
    request = MergeRequest(
        entity=entity,
        survivor_id=survivor_id,
        loser_id=loser_id,
        take_from_loser=list(take_from_loser),
    )
    return client.merge(request).merge_id


def undo(client: SyncClient, merge_id: str) -> str:
    """Undo a merge (administrators): the id of the record restored."""
    return client.undo_merge(merge_id).restored_id


@dataclass(frozen=True, slots=True)
class MergeSides:
    """The two records of a pair as this replica holds them, and the fields a person chooses
    between (those whose values differ, links left out)."""

    entity: Entity
    a: dict[str, Any]
    b: dict[str, Any]
    fields: tuple[str, ...]


class NotOnThisComputer(LookupError):
    """A record of the pair is not in the replica (yet): a sync brings it."""


def merge_sides(replica: Replica, entity: Entity, id_a: str, id_b: str) -> MergeSides:
    """Both records' values from the replica; raises :class:`NotOnThisComputer`."""
    with replica.engine.connect() as conn:
        a = store.read_record(conn, entity, id_a)
        b = store.read_record(conn, entity, id_b)
    if a is None or b is None or a.deleted or b.deleted:
        raise NotOnThisComputer("sync first: a record of this pair is not on this computer")
    fields = tuple(
        name
        for name in ENTITY_FIELDS[entity]
        if name not in _LINKS and a.data.get(name) != b.data.get(name)
    )
    return MergeSides(entity, dict(a.data), dict(b.data), fields)
