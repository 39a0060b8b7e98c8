"""The configuration the server hands down (pipeline stages, account statuses) as the replica
holds it, or the defaults before the first sync brought any."""

from __future__ import annotations

from sqlalchemy import Connection, select

from desktop_crm.domain.records import (
    DEFAULT_ACCOUNT_STATUSES,
    DEFAULT_PIPELINE,
    PipelineStage,
    pipeline_stage_from_row,
)
from desktop_crm.storage.schema import account_statuses, pipeline_stages


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
