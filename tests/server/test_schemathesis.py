"""Property-based fuzzing over the OpenAPI schema: whatever the input, never a 5xx."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from tests.server.conftest import World

MAX_EXAMPLES = 10


def test_no_server_errors_for_any_generated_request(world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    failures: list[str] = []
    # A token takes the requests past authentication into the handlers: the admin's for the
    # admin routes, a rep's (the most restricted scope) for the rest.
    for operation in operations:
        admin_route = operation.path.startswith(("/admin", "/accounts"))
        _fuzz(operation, world.h("admin" if admin_route else "rep1"), failures)
    assert failures == []


def _fuzz(operation: Any, headers: dict[str, str], failures: list[str]) -> None:

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{case.body!r:.200} {response.text[:200]}"
            )

    run()
