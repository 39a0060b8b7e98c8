"""Pipeline stages, account statuses and status rules: configuration kept in the server
database."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from desktop_crm.domain.records import AccountStatus, PipelineStage, pipeline_stage_from_row
from desktop_crm.domain.status_rules import (
    DEFAULT_STATUS_RULES,
    StatusRule,
    check_status_rules,
    status_rule_from_dict,
)
from desktop_crm.protocol.messages import (
    ConfigResponse,
    StageConfig,
    StatusConfig,
    StatusRuleConfig,
)
from desktop_crm.server import models as m

#: ``server_state`` key of the configured status rules (a JSON list; absent: the default).
STATUS_RULES_KEY = "status_rules"


def load_stages(conn: Connection) -> list[PipelineStage]:
    rows = conn.execute(select(m.pipeline_stages).order_by(m.pipeline_stages.c.position)).all()
    return [pipeline_stage_from_row(r._mapping) for r in rows]


def load_statuses(conn: Connection) -> list[AccountStatus]:
    rows = conn.execute(select(m.account_statuses).order_by(m.account_statuses.c.position)).all()
    return [AccountStatus(key=r.key, name=r.name, position=r.position) for r in rows]


def set_stages(conn: Connection, stages: Sequence[PipelineStage]) -> None:
    if not stages:
        raise ValueError("the pipeline needs at least one stage")
    keys = [s.key for s in stages]
    if len(set(keys)) != len(keys):
        raise ValueError("stage keys must be unique")
    conn.execute(delete(m.pipeline_stages))
    conn.execute(
        insert(m.pipeline_stages),
        [
            {
                "key": s.key,
                "name": s.name,
                "position": s.position,
                "default_probability": s.default_probability,
                "requires_activity_since_stage_change": s.requires_activity_since_stage_change,
                "requires_expected_close": s.requires_expected_close,
                "is_closed": s.is_closed,
                "is_won": s.is_won,
            }
            for s in stages
        ],
    )


def set_statuses(conn: Connection, statuses: Sequence[AccountStatus]) -> None:
    if not statuses:
        raise ValueError("at least one account status is needed")
    keys = [s.key for s in statuses]
    if len(set(keys)) != len(keys):
        raise ValueError("status keys must be unique")
    conn.execute(delete(m.account_statuses))
    conn.execute(
        insert(m.account_statuses),
        [{"key": s.key, "name": s.name, "position": s.position} for s in statuses],
    )


def load_status_rules(conn: Connection) -> list[StatusRule]:
    """The configured status rules (possibly none), or the default ones if never set."""
    state = m.server_state.c
    text = conn.scalar(select(state.value).where(state.key == STATUS_RULES_KEY))
    if text is None:
        return list(DEFAULT_STATUS_RULES)
    return [status_rule_from_dict(item) for item in json.loads(text)]


def set_status_rules(conn: Connection, rules: Sequence[StatusRule] | None) -> None:
    """Configure the status rules (an empty list: none); None: back to the default rules.
    Raises ValueError if a rule names a stage or status that is not configured."""
    conn.execute(delete(m.server_state).where(m.server_state.c.key == STATUS_RULES_KEY))
    if rules is None:
        return
    check_status_rules(
        rules, (s.key for s in load_stages(conn)), (s.key for s in load_statuses(conn))
    )
    value = json.dumps([r.to_dict() for r in rules], ensure_ascii=False)
    conn.execute(insert(m.server_state).values(key=STATUS_RULES_KEY, value=value))


def config_response(conn: Connection) -> ConfigResponse:
    return ConfigResponse(
        pipeline_stages=[
            StageConfig(
                key=s.key,
                name=s.name,
                position=s.position,
                default_probability=s.default_probability,
                requires_activity_since_stage_change=s.requires_activity_since_stage_change,
                requires_expected_close=s.requires_expected_close,
                is_closed=s.is_closed,
                is_won=s.is_won,
            )
            for s in load_stages(conn)
        ],
        account_statuses=[
            StatusConfig(key=s.key, name=s.name, position=s.position) for s in load_statuses(conn)
        ],
        status_rules=[
            StatusRuleConfig(when=r.when, to_status=r.to_status, only_from=list(r.only_from))
            for r in load_status_rules(conn)
        ],
    )
