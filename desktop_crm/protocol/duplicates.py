"""Request and response bodies of the duplicates API (``docs/sync-protocol.md``, "Merging two
customers"): the review queue, dismissing a pair, merging two records and undoing a merge.
Not part of sync: a merge reaches the replicas through the ordinary feed."""

from __future__ import annotations

from pydantic import Field, RootModel

from desktop_crm.domain.records import Entity
from desktop_crm.protocol.messages import WireModel, WireRecord, WireText


class DuplicatePair(WireModel):
    entity: str
    id_a: str
    id_b: str
    name_a: str
    name_b: str
    score: float
    #: Why they look alike: "name", "phone", "email".
    reasons: list[str]
    #: "open", "dismissed" or "merged".
    status: str
    found_at: str


class DuplicateQueue(RootModel[list[DuplicatePair]]):
    """``GET /duplicates`` answers a plain JSON list of pairs."""


class PairRequest(WireModel):
    entity: Entity
    id_a: WireText = Field(min_length=1, max_length=64)
    id_b: WireText = Field(min_length=1, max_length=64)


class MergeRequest(WireModel):
    entity: Entity
    survivor_id: WireText = Field(min_length=1, max_length=64)
    loser_id: WireText = Field(min_length=1, max_length=64)
    #: The fields whose value comes from the merged-away record (the rest keep the survivor's).
    take_from_loser: list[WireText] = Field(default=[], max_length=50)


class MergeResponse(WireModel):
    merge_id: str
    survivor: WireRecord
    moved: int


class UndoResponse(WireModel):
    merge_id: str
    restored_id: str
