"""The one rule for history rows (former names, account status log, opportunity stage history),
which the replica and the server both follow."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_crm.domain.history import (
    TRACKED_FIELDS,
    FormerNameRow,
    StageChangeRow,
    StatusChangeRow,
    history_rows,
)
from desktop_crm.domain.records import Entity

AT = "2025-06-01T08:00:00+00:00"


def rows(entity: Entity, previous: dict[str, Any] | None, data: dict[str, Any]) -> list[Any]:
    return history_rows(entity, "r1", previous, data, "u1", AT)


def test_a_new_account_logs_its_first_status_and_no_former_name() -> None:
    assert rows(Entity.ACCOUNT, None, {"name": "Acme", "status": "prospect"}) == [
        StatusChangeRow("r1", None, "prospect", AT, "u1")
    ]


@pytest.mark.parametrize("status", ["", None])
def test_a_blank_status_is_not_logged(status: str | None) -> None:
    assert rows(Entity.ACCOUNT, None, {"name": "Acme", "status": status}) == []
    assert rows(Entity.ACCOUNT, {"name": "Acme", "status": "active"}, {"name": "Acme"}) == []


def test_a_rename_keeps_the_former_name() -> None:
    before = {"name": "远望科技", "status": "active"}
    after = {"name": "北京远望星辰科技有限公司", "status": "active"}
    assert rows(Entity.ACCOUNT, before, after) == [FormerNameRow("r1", "远望科技", AT, "u1")]


def test_an_empty_former_name_is_not_kept() -> None:
    nameless = {"name": "", "status": "active"}
    assert rows(Entity.ACCOUNT, nameless, {**nameless, "name": "Acme"}) == []


def test_rename_and_status_change_at_once() -> None:
    before = {"name": "Old", "status": "prospect"}
    after = {"name": "New", "status": "active"}
    assert rows(Entity.ACCOUNT, before, after) == [
        FormerNameRow("r1", "Old", AT, "u1"),
        StatusChangeRow("r1", "prospect", "active", AT, "u1"),
    ]


def test_an_unchanged_account_has_no_history() -> None:
    same = {"name": "Acme", "status": "active", "notes": "x"}
    assert rows(Entity.ACCOUNT, same, {**same, "notes": "y"}) == []


def test_a_blank_former_status_is_logged_as_none() -> None:
    assert rows(Entity.ACCOUNT, {"name": "A", "status": ""}, {"name": "A", "status": "active"}) == [
        StatusChangeRow("r1", None, "active", AT, "u1")
    ]


def test_stage_history() -> None:
    assert rows(Entity.OPPORTUNITY, None, {"stage": "lead"}) == [
        StageChangeRow("r1", None, "lead", AT, "u1")
    ]
    assert rows(Entity.OPPORTUNITY, {"stage": "lead"}, {"stage": "won"}) == [
        StageChangeRow("r1", "lead", "won", AT, "u1")
    ]
    assert rows(Entity.OPPORTUNITY, {"stage": "lead"}, {"stage": "lead", "amount": "5"}) == []
    assert rows(Entity.OPPORTUNITY, None, {"stage": ""}) == []
    assert rows(Entity.OPPORTUNITY, {"stage": "lead"}, {"stage": None}) == []


@pytest.mark.parametrize("entity", [Entity.CONTACT, Entity.ACTIVITY])
def test_other_entities_have_no_history(entity: Entity) -> None:
    assert rows(entity, None, {"name": "x", "status": "y", "stage": "z"}) == []
    assert entity not in TRACKED_FIELDS


def test_the_rule_reads_only_the_tracked_fields() -> None:
    before = {"name": "Old", "status": "prospect", "notes": "a"}
    after = {"name": "New", "status": "active", "notes": "b"}
    for entity, fields in TRACKED_FIELDS.items():
        only = [{k: d[k] for k in fields if k in d} for d in (before, after)]
        assert rows(entity, *only) == rows(entity, before, after)


def test_row_fields_are_the_columns_on_both_sides() -> None:
    from desktop_crm.server import models as server
    from desktop_crm.storage import schema as replica

    tables: dict[Any, tuple[Any, Any]] = {
        FormerNameRow: (replica.account_former_names, server.account_former_names),
        StatusChangeRow: (replica.account_status_log, server.account_status_log),
        StageChangeRow: (replica.opportunity_stage_history, server.stage_history),
    }
    for row_type, both in tables.items():
        for table in both:
            assert tuple(table.c.keys()) == ("id", *row_type._fields), table.name
