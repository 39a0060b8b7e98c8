"""Computing the system tags: gathering accounts' facts in batched queries, evaluating the tag
rules (:mod:`desktop_crm.domain.tag_evaluation`) and storing what changed (:mod:`tag_store`).

Two callers: an applied push re-evaluates the accounts it touched, in its own transaction
(:func:`refresh`: a handful of queries for the whole batch, nothing at all when no rules are
set), and the scheduled pass (:func:`evaluate_all`: ``admin evaluate-tags``, daily in
``serve``) reads every account once and writes the changes in chunks, for the rules that
depend on time passing. The facts come from :mod:`tag_facts`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from desktop_crm.domain.records import PipelineStage
from desktop_crm.domain.tag_evaluation import computed_tags
from desktop_crm.domain.tag_rules import TagRule
from desktop_crm.server import models as m
from desktop_crm.server import tag_facts, tag_store
from desktop_crm.server.config_store import load_stages
from desktop_crm.server.db import write_transaction
from desktop_crm.server.store import ServerRecord
from desktop_crm.server.timeutil import now as server_now

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


def _evaluate_chunk(
    conn: Connection,
    rules: Sequence[TagRule],
    stages: Sequence[PipelineStage],
    chunk: tag_facts.Chunk,
    at: datetime,
) -> int:
    """Evaluate these accounts (deleted or missing ones have no tags) and store the changes.
    Returns how many rows changed."""
    computed = {
        facts.account_id: tag_store.tags_json(computed_tags(rules, facts, at))
        for facts in tag_facts.account_facts(conn, rules, stages, chunk)
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
        _evaluate_chunk(conn, rules, stages, tag_facts.Chunk(ids[i : i + CHUNK]), moment)
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


def evaluate_all(
    engine: Engine, at: datetime | None = None, chunk: int = CHUNK
) -> EvaluationReport:
    """The scheduled pass: every account (deleted ones lose their tags). The facts are read
    in one pass (:func:`tag_facts.all_facts`); the changes are written in write transactions
    of ``chunk`` accounts, so pushes are not held up for the whole pass. An account whose
    records changed after the read is evaluated again inside its chunk's transaction (a push
    meanwhile must not be overwritten by what the pass read before it)."""
    moment = at or server_now()
    changed = 0
    with engine.connect() as conn:
        with conn.begin():
            rules = tag_store.load_rules(conn)
            stages = load_stages(conn)
            read_through = int(conn.scalar(select(func.max(_R.change_seq))) or 0)
            every, facts = tag_facts.all_facts(conn, rules, stages)
        computed = {
            f.account_id: tag_store.tags_json(computed_tags(rules, f, moment)) for f in facts
        }
        del facts
        for start in range(0, len(every), chunk):
            ids = every[start : start + chunk]
            with write_transaction(conn):
                changed += _write_pass_chunk(
                    conn, rules, stages, ids, computed, read_through, moment
                )
        with conn.begin():
            tagged = tag_store.tagged_counts(conn)
    return EvaluationReport(evaluated=len(every), changed=changed, tagged=tagged)


def _write_pass_chunk(
    conn: Connection,
    rules: Sequence[TagRule],
    stages: Sequence[PipelineStage],
    ids: list[str],
    computed: dict[str, str],
    read_through: int,
    at: datetime,
) -> int:
    span = (ids[0], ids[-1])
    since = set(
        conn.scalars(
            select(_R.account_id)
            .where(_R.change_seq > read_through, _R.account_id.between(*span))
            .distinct()
        )
    )
    before = tag_store.stored(conn, ids)
    changes = {
        a: computed.get(a, "[]")
        for a in ids
        if a not in since and before.get(a, "[]") != computed.get(a, "[]")
    }
    written = tag_store.write(conn, changes, at)
    fresh = sorted(since & set(ids))
    if fresh:  # changed after the read: evaluated on what is there now
        written += _evaluate_chunk(conn, rules, stages, tag_facts.Chunk(fresh), at)
    return written


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
