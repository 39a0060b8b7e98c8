"""What an operation changed, so screens refresh only what shows it.

Every record hangs off an account, so a change is described twice: which records of which
entity, and which accounts' 360° views it touches. ``None`` in place of a set means "too many
to list" (a sync that applied pages): treat every record of that kind as changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from desktop_crm.domain.records import Entity, SyncedRecord

#: Record ids per entity, or None: any record of that entity.
RecordIds = frozenset[str] | None


def _union(a: RecordIds, b: RecordIds) -> RecordIds:
    return None if a is None or b is None else a | b


@dataclass(frozen=True, slots=True)
class Changes:
    records: Mapping[Entity, RecordIds] = field(default_factory=lambda: MappingProxyType({}))
    #: The accounts whose own record or whose contacts, deals or activities changed.
    accounts: RecordIds = frozenset()

    @classmethod
    def of(cls, entity: Entity, record_id: str, account_id: str) -> Changes:
        ids: RecordIds = frozenset({record_id})
        accounts: RecordIds = frozenset({account_id}) if account_id else frozenset()
        return cls(MappingProxyType({entity: ids}), accounts)

    @classmethod
    def of_record(cls, record: SyncedRecord) -> Changes:
        account_id = getattr(record, "account_id", None) or (
            record.meta.id if record.ENTITY is Entity.ACCOUNT else ""
        )
        return cls.of(record.ENTITY, record.meta.id, str(account_id or ""))

    @classmethod
    def of_entities(cls, entities: Iterable[Entity]) -> Changes:
        """Some records of these entities changed, too many to list (a sync)."""
        kinds = frozenset(entities)
        return cls(MappingProxyType(dict.fromkeys(kinds, None)), None if kinds else frozenset())

    @classmethod
    def everything(cls) -> Changes:
        return cls.of_entities(Entity)

    def __or__(self, other: Changes) -> Changes:
        merged = dict(self.records)
        for entity, ids in other.records.items():
            merged[entity] = _union(merged[entity], ids) if entity in merged else ids
        return Changes(MappingProxyType(merged), _union(self.accounts, other.accounts))

    def __bool__(self) -> bool:
        return bool(self.records)

    def touches(self, *entities: Entity) -> bool:
        """Whether any record of these entities changed."""
        return any(e in self.records for e in entities)

    def touches_record(self, entity: Entity, record_id: str) -> bool:
        if entity not in self.records:
            return False
        ids = self.records[entity]
        return ids is None or record_id in ids

    def touches_account(self, account_id: str) -> bool:
        """Whether the account's 360° view (the account, its contacts, deals, activities)
        may show something new."""
        return self.accounts is None or account_id in self.accounts


NOTHING = Changes()
