"""Gathering what the tag rules read about accounts (:class:`AccountFacts`): only the facts
the rules need (deals, activities' times, creation), in batched queries.

Two shapes: :func:`account_facts` for a chunk of accounts (a push's touched accounts, by id),
and :func:`all_facts` for the scheduled pass, which reads the records table once from end to
end. At 100,000 accounts the chunked reads were random page reads all over a ~700 MB file
(each account's children sit where they were written): one sequential scan costs less.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import JSON, Connection, and_, cast, func, select

from desktop_crm.domain.records import Entity, PipelineStage
from desktop_crm.domain.tag_evaluation import AccountFacts, DealFacts, needs
from desktop_crm.domain.tag_rules import TagRule
from desktop_crm.server import models as m
from desktop_crm.server.timeutil import parse_iso

_R = m.records.c


def _time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return amount if amount.is_finite() else Decimal(0)


@dataclass(frozen=True, slots=True)
class Chunk:
    """The accounts of one evaluation step: ``ids``, and for the scheduled pass, which walks
    the accounts in key order, the key range they span (a range is cheaper to send and plan
    than a thousand bound ids)."""

    ids: list[str]
    span: tuple[str, str] | None = None

    def where(self, column: Any) -> Any:
        if self.span is not None:
            return column.between(*self.span)
        return column.in_(self.ids)

    def children(self, entity: Entity) -> Any:
        """The live records of ``entity`` under these accounts. For a range, the entity test
        is written so no index can serve it (``entity || ''``): SQLite, without statistics,
        otherwise prefers the primary key's ``entity =`` and reads every record of the kind
        (measured: the whole pass 4x slower), instead of the account range of
        ``ix_records_account``."""
        kind = _R.entity.op("||")("") if self.span is not None else _R.entity
        return and_(kind == entity.value, self.where(_R.account_id), _R.deleted.is_(False))


def _server_side_json(conn: Connection) -> bool:
    """PostgreSQL reads fields out of the stored JSON itself (less to send); on SQLite its
    ``json_extract`` parses the whole text again per field, slower than Python's parser."""
    return conn.dialect.name == "postgresql"


def _json_columns(conn: Connection, names: Sequence[str]) -> list[Any]:
    if _server_side_json(conn):
        return [func.json_extract_path_text(cast(_R.data, JSON), name) for name in names]
    return [_R.data]


def _json_values(conn: Connection, values: Sequence[Any], names: Sequence[str]) -> list[Any]:
    """The fields ``names`` of a row read with :func:`_json_columns`."""
    if _server_side_json(conn):
        return list(values)
    data = json.loads(values[0])
    return [data.get(name) for name in names]


_START_AT = '"start_at":"'


def _start_at(data: str) -> Any:
    """An activity's ``start_at`` from its stored JSON: found in the text (as the server
    writes it, compact) or, failing that, parsed."""
    start = data.find(_START_AT)
    if start >= 0:
        start += len(_START_AT)
        end = data.find('"', start)
        if end > start:
            return data[start:end]
    return json.loads(data).get("start_at")


def _created(conn: Connection, chunk: Chunk | None) -> dict[str, datetime | None]:
    """When each account was created: its first status (``None``: every account)."""
    log = m.account_status_log.c
    query = select(log.account_id, func.min(log.changed_at)).group_by(log.account_id)
    if chunk is not None:
        query = query.where(chunk.where(log.account_id))
    rows = conn.execute(query)
    return {account_id: _time(at) for account_id, at in rows}


def _deals(
    conn: Connection, chunk: Chunk, stages: dict[str, PipelineStage]
) -> dict[str, list[DealFacts]]:
    history = m.stage_history.c
    last_change = (
        select(func.max(history.changed_at))
        .where(history.opportunity_id == _R.id)
        .scalar_subquery()
    )
    names = ("stage", "amount", "currency")
    rows = conn.execute(
        select(
            _R.account_id,
            func.coalesce(last_change, _R.updated_at),
            *_json_columns(conn, names),
        ).where(chunk.children(Entity.OPPORTUNITY))
    )
    deals: dict[str, list[DealFacts]] = defaultdict(list)
    for account_id, changed_at, *values in rows:
        stage_key, amount, currency = _json_values(conn, values, names)
        deals[account_id].append(_deal(stages, stage_key, amount, currency, changed_at))
    return deals


def _deal(
    stages: dict[str, PipelineStage], stage_key: Any, amount: Any, currency: Any, changed_at: Any
) -> DealFacts:
    stage = stages.get(str(stage_key or ""))
    return DealFacts(
        amount=_amount(amount),
        currency=str(currency or ""),
        is_open=stage is None or not stage.is_closed,
        is_won=stage is not None and stage.is_won,
        stage_changed_at=_time(changed_at),
    )


def _activity_times(conn: Connection, chunk: Chunk) -> dict[str, list[datetime]]:
    server_side = _server_side_json(conn)
    [column] = _json_columns(conn, ["start_at"])
    rows = conn.execute(select(_R.account_id, column).where(chunk.children(Entity.ACTIVITY)))
    times: dict[str, list[datetime]] = defaultdict(list)
    for account_id, value in rows:
        moment = _time(value if server_side else _start_at(value))
        if moment is not None:
            times[account_id].append(moment)
    return times


def account_facts(
    conn: Connection, rules: Sequence[TagRule], stages: Sequence[PipelineStage], chunk: Chunk
) -> list[AccountFacts]:
    """The facts of the live accounts of one chunk that the rules read."""
    rows = conn.execute(
        select(_R.id, _R.data).where(
            _R.entity == Entity.ACCOUNT.value, chunk.where(_R.id), _R.deleted.is_(False)
        )
    ).all()
    wanted = needs(rules)
    created = _created(conn, chunk) if "created" in wanted else {}
    deals = _deals(conn, chunk, {s.key: s for s in stages}) if "deals" in wanted else {}
    activities = _activity_times(conn, chunk) if "activities" in wanted else {}
    return [
        AccountFacts(
            account_id=row.id,
            fields=json.loads(row.data),
            created_at=created.get(row.id),
            deals=deals.get(row.id, ()),
            activity_times=activities.get(row.id, ()),
        )
        for row in rows
    ]




@dataclass(slots=True)
class _Gathered:
    fields: dict[str, dict[str, Any]]
    deals: dict[str, list[DealFacts]]
    activities: dict[str, list[datetime]]


def all_facts(
    conn: Connection, rules: Sequence[TagRule], stages: Sequence[PipelineStage]
) -> tuple[list[str], list[AccountFacts]]:
    """Every account id (deleted ones too: they lose their tags) and the facts of the live
    ones, from one sequential pass over the records (``entity || ''``: no index, so no random
    reads) plus two grouped reads of the history tables."""
    wanted = needs(rules)
    kinds = [Entity.ACCOUNT.value]
    kinds += [Entity.OPPORTUNITY.value] if "deals" in wanted else []
    kinds += [Entity.ACTIVITY.value] if "activities" in wanted else []
    by_stage = {s.key: s for s in stages}
    last_change: dict[str, str] = {}
    if "deals" in wanted:
        history = m.stage_history.c
        last_change.update(
            (str(key), str(at))
            for key, at in conn.execute(
                select(history.opportunity_id, func.max(history.changed_at)).group_by(
                    history.opportunity_id
                )
            )
        )
    created = _created(conn, None) if "created" in wanted else {}
    got = _Gathered({}, defaultdict(list), defaultdict(list))
    every: list[str] = []
    rows = conn.execute(  # streamed (a server-side cursor on PostgreSQL)
        select(_R.entity, _R.id, _R.account_id, _R.data, _R.updated_at, _R.deleted)
        .where(_R.entity.op("||")("").in_(kinds))
        .execution_options(yield_per=5000)
    )
    for entity, record_id, account_id, data, updated_at, deleted in rows:
        if entity == Entity.ACCOUNT.value:
            every.append(record_id)
            if not deleted:
                got.fields[record_id] = json.loads(data)
        elif deleted:
            continue
        elif entity == Entity.ACTIVITY.value:
            moment = _time(_start_at(data))
            if moment is not None:
                got.activities[account_id].append(moment)
        else:
            deal = json.loads(data)
            got.deals[account_id].append(
                _deal(
                    by_stage,
                    deal.get("stage"),
                    deal.get("amount"),
                    deal.get("currency"),
                    last_change.get(record_id) or updated_at,
                )
            )
    facts = [
        AccountFacts(
            account_id,
            fields,
            created.get(account_id),
            got.deals.get(account_id, ()),
            got.activities.get(account_id, ()),
        )
        for account_id, fields in got.fields.items()
    ]
    return sorted(every), facts
