"""The configuration the server hands down (pipeline stages, account statuses, status rules)
as the replica holds it, or the defaults before the first sync brought any."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from desktop_crm.domain.records import (
    DEFAULT_ACCOUNT_STATUSES,
    DEFAULT_PIPELINE,
    AccountStatus,
    PipelineStage,
    pipeline_stage_from_row,
)
from desktop_crm.domain.status_rules import (
    DEFAULT_STATUS_RULES,
    StatusRule,
    status_rule_from_dict,
)
from desktop_crm.storage.schema import account_statuses, pipeline_stages
from desktop_crm.storage.sync_bookkeeping import get_state, set_state


def pipeline(conn: Connection) -> list[PipelineStage]:
    """The configured pipeline in order, or the default one."""
    rows = conn.execute(select(pipeline_stages).order_by(pipeline_stages.c.position)).all()
    if not rows:
        return list(DEFAULT_PIPELINE)
    return [pipeline_stage_from_row(r._mapping) for r in rows]


def status_choices(conn: Connection) -> list[tuple[str, str]]:
    """(key, name) of the configured account statuses in order, or the default ones."""
    rows = conn.execute(
        select(account_statuses.c.key, account_statuses.c.name).order_by(
            account_statuses.c.position
        )
    ).all()
    if rows:
        return [(str(r[0]), str(r[1])) for r in rows]
    return [(s.key, s.name) for s in DEFAULT_ACCOUNT_STATUSES]


#: ``sync_state`` key of the status rules the server handed down (JSON list); absent: the
#: server has not sent any (an older server, or no sync yet), so the default rules apply.
STATUS_RULES_KEY = "config.status_rules"


def status_rules(conn: Connection) -> list[StatusRule]:
    """The status rules the server configured (possibly none), or the default ones."""
    text = get_state(conn, STATUS_RULES_KEY)
    if text is None:
        return list(DEFAULT_STATUS_RULES)
    try:
        return [status_rule_from_dict(item) for item in json.loads(text)]
    except (ValueError, TypeError):
        return list(DEFAULT_STATUS_RULES)  # unreadable: the rule the server would default to


def save_status_rules(conn: Connection, rules: Sequence[StatusRule]) -> None:
    """Keep the status rules the server handed down (an empty list: no rules)."""
    set_state(conn, STATUS_RULES_KEY, json.dumps([r.to_dict() for r in rules]))


def save_pipeline(conn: Connection, stages: Sequence[PipelineStage]) -> None:
    """Keep the pipeline the server handed down, replacing the one held (none: the default)."""
    conn.execute(delete(pipeline_stages))
    if stages:
        conn.execute(insert(pipeline_stages), [dataclasses.asdict(s) for s in stages])


def save_account_statuses(conn: Connection, statuses: Sequence[AccountStatus]) -> None:
    """Keep the account statuses the server handed down (none: the default ones)."""
    conn.execute(delete(account_statuses))
    if statuses:
        conn.execute(insert(account_statuses), [dataclasses.asdict(s) for s in statuses])
