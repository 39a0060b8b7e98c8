"""Against a real uvicorn on a loopback port, over httpx: what the desktop client will see."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from tests.server.conftest import World, change


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live(world: World) -> Iterator[tuple[World, httpx.Client]]:
    with LiveServer(world.client.app) as server, httpx.Client(base_url=server.url) as http:
        yield world, http


def _login(http: httpx.Client, username: str) -> dict[str, str]:
    response = http.post("/auth/login", json={"username": username, "password": "pw-" + username})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_sync_round_trip_over_http(live: tuple[World, httpx.Client]) -> None:
    world, http = live
    assert http.get("/health").json()["status"] == "ok"
    rep1 = _login(http, "rep1")
    snapshot = http.get("/sync/snapshot", headers=rep1).json()
    assert len(snapshot["records"]) == 3
    contact = {"account_id": world.accounts["acc1"], "name": "Over the wire", "emails": ["w@x.cn"]}
    replica_id = http.get("/me", headers=rep1).json()["replica_id"]  # the entry it may raise
    body = {
        "changes": [
            change("contact", str(uuid.uuid4()), contact, new={replica_id: 1}) for _ in range(40)
        ]
    }
    first = http.post("/sync/push", json=body, headers=rep1).json()["results"]
    assert {r["status"] for r in first} == {"applied"}
    replay = http.post("/sync/push", json=body, headers=rep1).json()["results"]
    assert {r["status"] for r in replay} == {"already_applied"}
    response = http.get(
        "/sync/pull",
        params={"cursor": snapshot["cursor"]},
        headers={**rep1, "Accept-Encoding": "gzip"},
    )
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["records"]) == 40
    # The desk sees the new contacts, emails masked.
    desk = _login(http, "desk1")
    pulled = http.get("/sync/pull", params={"cursor": snapshot["cursor"]}, headers=desk).json()
    assert {tuple(r["data"]["emails"]) for r in pulled["records"]} == {()}


def test_revocation_over_http(live: tuple[World, httpx.Client]) -> None:
    _world, http = live
    rep2 = _login(http, "rep2")
    admin = _login(http, "admin")
    device_id = http.get("/me", headers=rep2).json()["device_id"]
    assert http.post(f"/admin/devices/{device_id}/revoke", headers=admin).status_code == 200
    response = http.get("/sync/pull", headers=rep2)
    assert response.status_code == 403
    assert "revoked" in response.json()["detail"]


def test_bad_input_over_http(live: tuple[World, httpx.Client]) -> None:
    _world, http = live
    rep1 = _login(http, "rep1")
    response = http.post(
        "/sync/push", content=b"{nope", headers={**rep1, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    response = http.post(
        "/auth/login", content=b"\x00\x01", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert http.get("/sync/pull", params={"cursor": "x"}, headers=rep1).status_code == 400
