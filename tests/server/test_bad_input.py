"""Bad input answers 4xx with a clear message, never 500, and writes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select

from desktop_crm.protocol.messages import MAX_PUSH_BATCH
from desktop_crm.server import models as m
from tests.server.conftest import World, change


def _log_size(world: World) -> int:
    with world.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(m.change_log)) or 0)


def _post(world: World, content: bytes | str, user: str = "rep1") -> tuple[int, str]:
    response = world.client.post(
        "/sync/push",
        content=content,
        headers={**world.h(user), "Content-Type": "application/json"},
    )
    return response.status_code, response.json()["detail"]


def test_bad_push_bodies(world: World) -> None:
    before = _log_size(world)
    status, detail = _post(world, b'{"changes": [')
    assert (status, detail) == (400, "The request body is not valid JSON.")
    status, detail = _post(world, b"\xff\xfe")
    assert status in (400, 422)
    status, detail = _post(world, '{"changes": "many"}')
    assert status == 422 and "changes" in detail
    status, detail = _post(world, '{"changes": [{"change_id": 5}]}')
    assert status == 422 and "Invalid request" in detail
    status, detail = _post(world, '{"changes": [], "extra": 1}')
    assert status == 422
    status, detail = _post(world, "[]")
    assert status == 422
    assert _log_size(world) == before


def test_oversized_batch_is_413_and_writes_nothing(world: World) -> None:
    before = _log_size(world)
    changes = [
        change("contact", str(uuid.uuid4()), {"account_id": world.accounts["acc1"], "name": "x"})
        for _ in range(MAX_PUSH_BATCH + 1)
    ]
    response = world.client.post("/sync/push", json={"changes": changes}, headers=world.h("rep1"))
    assert response.status_code == 413
    assert str(MAX_PUSH_BATCH) in response.json()["detail"]
    assert _log_size(world) == before


def test_body_over_the_limit_is_refused_before_reading(world: World) -> None:
    limit = world.client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    response = world.client.post(
        "/sync/push",
        content=b"x" * (limit + 1),
        headers={**world.h("rep1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_query_parameters_out_of_range(world: World) -> None:
    for params in ({"limit": 0}, {"limit": 10**9}, {"limit": "ten"}):
        response = world.client.get("/sync/pull", params=params, headers=world.h("rep1"))
        assert response.status_code == 422
        assert response.json()["detail"].startswith("Invalid request")
    response = world.client.get("/records/invoice/x", headers=world.h("rep1"))
    assert response.status_code == 422


def test_invalid_phone_number_is_a_clear_rejection(world: World) -> None:
    [result] = world.push(
        "rep1",
        change(
            "contact",
            str(uuid.uuid4()),
            {"account_id": world.accounts["acc1"], "name": "Wang", "phones": [{"raw": "+86 123"}]},
        ),
    )
    assert result["status"] == "rejected"
    assert "+86 123" in result["reason"]


def test_strange_values_are_rejections_not_errors(world: World) -> None:
    acc1 = world.accounts["acc1"]
    weird: list[dict[str, Any]] = [
        {"account_id": acc1, "name": "n", "decision_weight": 10**30},
        {"account_id": acc1, "name": "n", "phones": "138"},
        {"account_id": acc1, "name": "n", "phones": [{"raw": 138}]},
        {"account_id": acc1, "name": "n", "emails": [None]},
        {"account_id": acc1, "name": "\ud800"},
        {"account_id": acc1, "name": "n" * 30000},
        {"account_id": ["list"], "name": "n"},
    ]
    body = {"changes": [change("contact", str(uuid.uuid4()), d) for d in weird]}
    response = world.client.post(
        "/sync/push",
        content=json.dumps(body),  # ASCII escapes carry the lone surrogate
        headers={**world.h("rep1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(weird)
    opp: list[dict[str, Any]] = [
        {"account_id": acc1, "name": "o", "amount": "NaN"},
        {"account_id": acc1, "name": "o", "amount": "1e400"},
        {"account_id": acc1, "name": "o", "expected_close": "tomorrow"},
        {"account_id": acc1, "name": "o", "probability": True},
    ]
    results = world.push("rep1", *[change("opportunity", str(uuid.uuid4()), d) for d in opp])
    assert [r["status"] for r in results] == ["rejected"] * len(opp)
    [result] = world.push(
        "rep1",
        change(
            "activity",
            str(uuid.uuid4()),
            {"account_id": acc1, "kind": "call", "start_at": "2030-01-01T00:00:00"},
            changed_at="2030-01-01T00:00:00",
        ),
    )
    assert result["status"] == "rejected" and "time zone" in result["reason"]
