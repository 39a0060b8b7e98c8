"""Pipeline stages and account statuses: configuration kept in the server database."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from desktop_crm.domain.records import AccountStatus, PipelineStage, pipeline_stage_from_row
from desktop_crm.protocol.messages import ConfigResponse, StageConfig, StatusConfig
from desktop_crm.server import models as m


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
    )
