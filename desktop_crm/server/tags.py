"""Computing the system tags: gathering accounts' facts in batched queries, evaluating the tag
rules (:mod:`desktop_crm.domain.tag_evaluation`) and storing what changed (:mod:`tag_store`).

Two callers: an applied push re-evaluates the accounts it touched, in its own transaction
(:func:`refresh`: a handful of queries for the whole batch, nothing at all when no rules are
set), and the scheduled pass (:func:`evaluate_all`: ``admin evaluate-tags``, daily in
``serve``) walks every account in chunks, for the rules that depend on time passing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import JSON, Connection, Engine, and_, cast, func, select

from desktop_crm.domain.records import Entity, PipelineStage
from desktop_crm.domain.tag_evaluation import AccountFacts, DealFacts, computed_tags, needs
from desktop_crm.domain.tag_rules import TagRule
from desktop_crm.protocol.messages import ChangeResult, ChangeStatus
from desktop_crm.server import models as m
from desktop_crm.server import tag_store
from desktop_crm.server.config_store import load_stages
from desktop_crm.server.db import write_transaction
from desktop_crm.server.store import ServerRecord
from desktop_crm.server.timeutil import now as server_now
from desktop_crm.server.timeutil import parse_iso

log = logging.getLogger(__name__)

CHUNK = 1000
#: The scheduled pass in ``serve``: a first one shortly after start, then daily.
DAILY = 24 * 3600.0
FIRST_PASS_DELAY = 120.0
_R = m.records.c


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    evaluated: int
    changed: int
    tagged: dict[str, int]


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
class _Chunk:
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


def _created(conn: Connection, chunk: _Chunk) -> dict[str, datetime | None]:
    log = m.account_status_log.c
    rows = conn.execute(
        select(log.account_id, func.min(log.changed_at))
        .where(chunk.where(log.account_id))
        .group_by(log.account_id)
    )
    return {account_id: _time(at) for account_id, at in rows}


def _deals(
    conn: Connection, chunk: _Chunk, stages: dict[str, PipelineStage]
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
        stage = stages.get(str(stage_key or ""))
        deals[account_id].append(
            DealFacts(
                amount=_amount(amount),
                currency=str(currency or ""),
                is_open=stage is None or not stage.is_closed,
                is_won=stage is not None and stage.is_won,
                stage_changed_at=_time(changed_at),
            )
        )
    return deals


def _activity_times(conn: Connection, chunk: _Chunk) -> dict[str, list[datetime]]:
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
    conn: Connection, rules: Sequence[TagRule], stages: Sequence[PipelineStage], chunk: _Chunk
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


def _evaluate_chunk(
    conn: Connection,
    rules: Sequence[TagRule],
    stages: Sequence[PipelineStage],
    chunk: _Chunk,
    at: datetime,
) -> int:
    """Evaluate these accounts (deleted or missing ones have no tags) and store the changes.
    Returns how many rows changed."""
    computed = {
        facts.account_id: tag_store.tags_json(computed_tags(rules, facts, at))
        for facts in account_facts(conn, rules, stages, chunk)
    }
    before = tag_store.stored(conn, chunk.ids, chunk.span)
    changes: dict[str, str] = {}
    for account_id in chunk.ids:
        new = computed.get(account_id, "[]")
        if before.get(account_id, "[]") != new:
            changes[account_id] = new
    return tag_store.write(conn, changes, at)


def refresh(
    conn: Connection,
    account_ids: Iterable[str],
    at: datetime | None = None,
    rules: Sequence[TagRule] | None = None,
) -> int:
    """Re-evaluate these accounts now; inside the caller's write transaction. ``rules``: as
    loaded by the caller (else loaded here). Costs nothing more when no rules are set."""
    rules = tag_store.load_rules(conn) if rules is None else rules
    ids = sorted(set(account_ids))
    if not rules or not ids:
        return 0
    stages = load_stages(conn)
    moment = at or server_now()
    return sum(
        _evaluate_chunk(conn, rules, stages, _Chunk(ids[i : i + CHUNK]), moment)
        for i in range(0, len(ids), CHUNK)
    )


def typed_system_tags(
    rules: Sequence[TagRule], data: dict[str, Any], current: ServerRecord | None
) -> list[str]:
    """The hand-typed tags of a pushed account that are the rules' (system) tags and that the
    account did not already carry by hand: those a rep may not add."""
    system = {r.tag.casefold() for r in rules}
    before = {str(t).casefold() for t in (current.data.get("tags") or [])} if current else set()
    return [
        str(t)
        for t in data.get("tags") or []
        if str(t).casefold() in system and str(t).casefold() not in before
    ]


def typed_system_tags_message(names: Sequence[str]) -> str:
    quoted = ", ".join(f"“{n}”" for n in names)
    return (
        f"{quoted}: a system tag, computed by the server's tag rules; it cannot be set by hand. "
        "Remove it from the account's tags and save again."
    )


def pushed_accounts(results: Iterable[ChangeResult]) -> set[str]:
    """The accounts an applied push touched (its applied changes' records' accounts)."""
    touched: set[str] = set()
    for result in results:
        record = result.current
        if result.status != ChangeStatus.APPLIED or record is None:
            continue
        if record.entity == Entity.ACCOUNT:
            touched.add(record.id)
        elif isinstance(record.data.get("account_id"), str):
            touched.add(record.data["account_id"])
    return touched


def evaluate_all(
    engine: Engine, at: datetime | None = None, chunk: int = CHUNK
) -> EvaluationReport:
    """The scheduled pass: every account (deleted ones lose their tags), one write transaction
    per chunk so pushes are not held up for the whole pass."""
    moment = at or server_now()
    evaluated = changed = 0
    after = ""
    with engine.connect() as conn:
        with conn.begin():
            rules = tag_store.load_rules(conn)
            stages = load_stages(conn)
        while True:
            with write_transaction(conn):
                ids = list(
                    conn.scalars(
                        select(_R.id)
                        .where(_R.entity == Entity.ACCOUNT.value, _R.id > after)
                        .order_by(_R.id)
                        .limit(chunk)
                    )
                )
                if not ids:
                    break
                span = _Chunk(ids, (ids[0], ids[-1]))
                changed += _evaluate_chunk(conn, rules, stages, span, moment)
            evaluated += len(ids)
            after = ids[-1]
        with conn.begin():
            tagged = tag_store.tagged_counts(conn)
    return EvaluationReport(evaluated=evaluated, changed=changed, tagged=tagged)


async def run_daily(
    engine: Engine, interval: float = DAILY, first_delay: float = FIRST_PASS_DELAY
) -> None:
    """``serve``'s scheduled pass, for the rules that depend on time passing (a deal that
    stalls, a customer with no activity): in a worker thread, so requests go on being served.
    A failed pass is logged and the next one runs at its time."""
    delay = first_delay
    while True:
        await asyncio.sleep(delay)
        delay = interval
        try:
            report = await asyncio.to_thread(evaluate_all, engine)
        except Exception:  # noqa: BLE001 - the server goes on; the next pass tries again
            log.exception("the scheduled tag evaluation failed")
            continue
        log.info("tags evaluated: %d accounts, %d changed", report.evaluated, report.changed)
