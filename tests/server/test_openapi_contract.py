"""Issue 14, item 10: the OpenAPI schema says what the server answers.

The schemathesis run (test_schemathesis.py) checks every answer against the schema; these pin
the three drifts found by hand: 422 bodies, 400 on sign-in and assign, 413 for a chunked body.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from tests.server.conftest import World
from tests.server.test_live_server import live  # noqa: F401 - the fixture

ERROR_BODY = "#/components/schemas/ErrorBody"


def _schema_ref(openapi: dict[str, Any], path: str, method: str, code: str) -> str | None:
    responses = openapi["paths"][path][method]["responses"]
    if code not in responses:
        return None
    return str(responses[code]["content"]["application/json"]["schema"]["$ref"])


def test_every_route_documents_its_422_as_the_body_it_gets(world: World) -> None:
    openapi = world.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    for path, methods in openapi["paths"].items():
        for method in methods:
            assert _schema_ref(openapi, path, method, "422") == ERROR_BODY, (method, path)
    # What a 422 is: one readable string, as documented.
    for response in (
        world.client.get("/sync/pull", params={"limit": 0}, headers=world.h("rep1")),
        world.client.get("/sync/pull", params={"limt": 10}, headers=world.h("rep1")),
        world.client.get("/me", params={"x": 1}, headers=world.h("rep1")),
        world.client.post("/auth/login", json={"username": "rep1"}),
        world.client.post(
            f"/accounts/{world.accounts['acc1']}/assign",
            json={"username": 7},
            headers=world.h("admin"),
        ),
    ):
        assert response.status_code == 422, response.text
        assert set(response.json()) == {"detail"}
        assert isinstance(response.json()["detail"], str)
    assert (
        "limt"
        in world.client.get("/sync/pull", params={"limt": 10}, headers=world.h("rep1")).json()[
            "detail"
        ]
    )


def test_unknown_query_parameters_come_after_sign_in(world: World) -> None:
    """Refused like any invalid request: after a missing or refused token, not before."""
    assert world.client.get("/me", params={"x": 1}).status_code == 401
    assert world.client.get("/sync/pull", params={"limt": 1}).status_code == 401
    assert world.client.get("/health", params={"x": 1}).status_code == 422
    admin = world.h("admin")
    device = world.devices["rep2"]
    assert world.client.post(f"/admin/devices/{device}/revoke", headers=admin).status_code == 200
    for path in ("/sync/pull", "/sync/snapshot", "/me"):
        response = world.client.get(path, params={"limt": 1}, headers=world.h("rep2"))
        assert response.status_code == 403, (path, response.text)
        assert "revoked" in response.json()["detail"]
    response = world.client.get("/sync/pull", params={"limt": 1}, headers=world.h("rep1"))
    assert response.status_code == 422 and "limt" in response.json()["detail"]


def test_400_and_413_are_documented_where_they_are_answered(world: World) -> None:
    openapi = world.client.get("/openapi.json").json()
    body_routes = [
        ("/auth/login", "post"),
        ("/accounts/{account_id}/assign", "post"),
        ("/sync/push", "post"),
    ]
    for path, method in body_routes:
        for code in ("400", "413"):
            assert _schema_ref(openapi, path, method, code) == ERROR_BODY, (path, code)
    not_json = {"Content-Type": "application/json"}
    for path, headers in (
        ("/auth/login", not_json),
        (f"/accounts/{world.accounts['acc1']}/assign", {**not_json, **world.h("admin")}),
        ("/sync/push", {**not_json, **world.h("rep1")}),
    ):
        response = world.client.post(path, content=b"{nope", headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {"detail": "The request body is not valid JSON."}


def _chunks(total: int) -> Iterator[bytes]:
    """``total`` bytes as a stream: httpx sends it chunked, without a Content-Length."""
    chunk = b" " * (1 << 20)
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


def test_chunked_body_over_the_limit_is_413(live: tuple[World, httpx.Client]) -> None:  # noqa: F811
    world, http = live
    limit = world.client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    for path, headers in (
        ("/sync/push", world.h("rep1")),
        ("/auth/login", {}),
        (f"/accounts/{world.accounts['acc1']}/assign", world.h("admin")),
    ):
        response = http.post(
            path,
            content=_chunks(limit + 1),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 413, (path, response.text)
        assert "too large" in response.json()["detail"]
        assert response.request.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.request.headers
    # Up to the limit a chunked body is read as usual.
    response = http.post(
        "/sync/push",
        content=_chunks(1000),
        headers={**world.h("rep1"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400  # 1000 spaces: read in full, and not JSON
