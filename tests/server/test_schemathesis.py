"""Property-based fuzzing over the OpenAPI schema: every endpoint, as a rep, a service-desk user
and an administrator, with valid and invalid requests, under every check schemathesis has
(the Python equivalent of ``--checks all``): no 5xx, and every answer as the schema documents
it (status code, content type, headers, body schema), invalid input refused, valid accepted.

Two of schemathesis' phases run: coverage (the schema's boundaries and each way to break
them, deterministic) and fuzzing (hypothesis, derandomized, a few examples per operation,
user and mode). Bounded for CI: some tens of seconds for the three users on one database.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from tests.server.conftest import World

MAX_EXAMPLES = 8
USERS = ("rep1", "desk1", "admin")
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
#: schemathesis' default statuses for "invalid input refused", plus 413: a push over
#: MAX_PUSH_BATCH changes (the schema's maxItems) is refused with 413, as documented.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


def all_checks() -> list[Any]:
    """Every registered check (what ``--checks all`` runs on each response)."""
    load_all_checks()
    return list(CHECKS.get_all())


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
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
    } <= names
    assert not any(isinstance(check, type) for check in all_checks())  # all per-response


@pytest.mark.parametrize("username", USERS)
def test_every_endpoint_answers_as_documented(world: World, username: str) -> None:
    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12
    run = _Run(world.h(username), _issued_tokens(world, username), all_checks())
    for operation in operations:
        generation = schema.config.generation_for(operation=operation)
        for case in schema.iter_coverage_cases(
            operation, generation_modes=MODES, generation_config=generation
        ):
            run.call(case)
        for mode in MODES:
            _fuzz(operation, mode, run)
    assert run.calls > 100 * len(operations) // 10
    assert run.failures == []


def _issued_tokens(world: World, username: str) -> dict[str, str]:
    """A snapshot page token and a pull cursor this server issued to ``username``.

    They are opaque: a schema cannot say which strings the server issued, and one it did not
    issue is a 400 (documented). Valid requests carry these; invalid ones fuzz them."""
    response = world.client.get("/sync/snapshot", params={"limit": 1}, headers=world.h(username))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_page"] is not None
    return {"after": page["next_page"], "cursor": page["cursor"]}


class _Run:
    def __init__(self, headers: dict[str, str], issued: dict[str, str], checks: list[Any]):
        self.headers = headers
        self.issued = issued
        self.checks = checks
        self.calls = 0
        self.failures: list[str] = []

    def call(self, case: schemathesis.Case) -> None:
        mode = case.meta.generation.mode if case.meta is not None else None
        if mode is GenerationMode.POSITIVE and case.query:
            case.query.update({k: v for k, v in self.issued.items() if k in case.query})
        self.calls += 1
        try:
            case.call_and_validate(headers=self.headers, checks=self.checks)
        except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup
            self.failures.append(
                f"{mode} {case.method} {case.formatted_path} {case.query} "
                f"{str(case.body)[:200]}: {str(failure)[:600]}"
            )


def _fuzz(operation: Any, mode: GenerationMode, run: _Run) -> None:

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case) -> None:
        run.call(case)

    try:
        fuzz()
    except Unsatisfiable:
        # No invalid request exists for an operation without parameters or body.
        assert mode is GenerationMode.NEGATIVE, operation.path
