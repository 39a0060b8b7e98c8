"""Property-based fuzzing over the OpenAPI schema: every endpoint, as a rep, a service-desk user
and an administrator, with valid and invalid requests, under every check schemathesis has
(the Python equivalent of ``--checks all``): no 5xx, and every answer as the schema documents
it (status code, content type, headers, body schema), invalid input refused, valid accepted.

Bounded for CI: a few examples per operation, user and generation mode, derandomized.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from tests.server.conftest import World

MAX_EXAMPLES = 8
USERS = ("rep1", "desk1", "admin")


def all_checks() -> list[Any]:
    """Every registered per-response check (what ``--checks all`` runs on each response)."""
    load_all_checks()
    return [check for check in CHECKS.get_all() if not isinstance(check, type)]


def test_every_check_is_run() -> None:
    names = {check.__name__ for check in all_checks()}
    assert {
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
        "ignored_auth",
    } <= names


@pytest.mark.parametrize("username", USERS)
def test_every_endpoint_answers_as_documented(world: World, username: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    checks = all_checks()
    failures: list[str] = []
    issued = _issued_tokens(world, username)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, world.h(username), issued, checks, failures)
    assert failures == []


def _issued_tokens(world: World, username: str) -> dict[str, str]:
    """A snapshot page token and a pull cursor this server issued to ``username``.

    They are opaque: a schema cannot say which strings the server issued, and one it did not
    issue is a 400 (documented). Valid requests carry these; invalid ones fuzz them."""
    response = world.client.get("/sync/snapshot", params={"limit": 1}, headers=world.h(username))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_page"] is not None
    return {"after": page["next_page"], "cursor": page["cursor"]}


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    issued: dict[str, str],
    checks: list[Any],
    failures: list[str],
) -> None:

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        if mode is GenerationMode.POSITIVE and case.query:
            case.query.update({k: v for k, v in issued.items() if k in case.query})
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except Exception as failure:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{mode} {case.method} {case.formatted_path}: {str(failure)[:600]}")

    try:
        run()
    except Unsatisfiable:
        # No invalid request exists for an operation without parameters or body.
        assert mode is GenerationMode.NEGATIVE, operation.path
