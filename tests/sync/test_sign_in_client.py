"""The client's side of sign-in: the profile's installation id, and servers that predate it or
throttle sign-ins. (Against the real server: tests/server/test_installations.py,
tests/server/test_sign_in_throttle.py, tests/e2e/test_sign_in_hardening.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.protocol.messages import LoginRequest
from desktop_crm.sync.http_client import (
    ServerRefused,
    SignInRequired,
    SignInThrottled,
    SyncClient,
    throttled_message,
)

INSTALLATION = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ANSWER = {
    "access_token": "t",
    "expires_at": "2030-01-01T00:00:00Z",
    "user_id": "u",
    "username": "rep1",
    "role": "rep",
    "device_id": "d",
    "replica_id": "r",
}


def test_the_installation_id_is_minted_once_and_kept(tmp_path: Path) -> None:
    profile = Profile(tmp_path / "p")
    settings = profile.load_settings()
    assert settings.installation_id == ""
    assert settings.ensure_installation_id() is True
    minted = settings.installation_id
    LoginRequest(username="x", password="y", installation_id=minted)  # the server's rules
    assert settings.ensure_installation_id() is False and settings.installation_id == minted
    profile.save_settings(settings)
    assert profile.load_settings().installation_id == minted
    # A profile written before installation ids reads fine and gets one on first use.
    old = ProfileSettings.from_json(json.dumps({"server_url": "http://x", "device_id": "d"}))
    assert old.installation_id == "" and old.ensure_installation_id()
    # A hand-edited value the server would refuse is replaced rather than sent.
    edited = ProfileSettings(installation_id="not ok!")
    assert edited.ensure_installation_id() and edited.installation_id != "not ok!"


def _client(handler: object) -> SyncClient:
    return SyncClient("http://127.0.0.1:9", transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_a_server_older_than_installation_ids_gets_the_old_request() -> None:
    """Such a server refuses unknown fields (422); this one cannot run here, so its answer is
    reproduced: the text is what this server's validation error handler produced for it."""
    bodies: list[dict[str, object]] = []

    def old_server(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if "installation_id" in body:
            detail = "Invalid request: installation_id: Extra inputs are not permitted"
            return httpx.Response(422, json={"detail": detail})
        return httpx.Response(200, json=ANSWER)

    with _client(old_server) as client:
        login = client.login(
            LoginRequest(username="rep1", password="pw", installation_id=INSTALLATION)
        )
    assert login.device_id == "d"
    assert [("installation_id" in b) for b in bodies] == [True, False]
    # Without an installation id, the request has no such key at all (not even null).
    with _client(old_server) as client:
        client.login(LoginRequest(username="rep1", password="pw"))
    assert "installation_id" not in bodies[-1] and len(bodies) == 3


def test_other_422s_are_not_retried() -> None:
    calls = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(422, json={"detail": "Invalid request: username: too long"})

    with _client(server) as client, pytest.raises(ServerRefused):
        client.login(LoginRequest(username="rep1", password="pw", installation_id=INSTALLATION))
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("retry_after", "message"),
    [
        ("300", "Too many failed sign-ins; try again in 5 minutes."),
        ("61", "Too many failed sign-ins; try again in 2 minutes."),
        ("1", "Too many failed sign-ins; try again in 1 minute."),
        ("Wed, 21 Oct 2030 07:28:00 GMT", "Too many failed sign-ins; try again later."),
        (None, "Too many failed sign-ins; try again later."),
    ],
)
def test_429_on_sign_in_is_a_throttled_sign_in(retry_after: str | None, message: str) -> None:
    def server(request: httpx.Request) -> httpx.Response:
        headers = {"Retry-After": retry_after} if retry_after else {}
        return httpx.Response(429, json={"detail": "busy"}, headers=headers)

    with _client(server) as client, pytest.raises(SignInThrottled) as refused:
        client.login(LoginRequest(username="rep1", password="pw"))
    assert str(refused.value) == message
    assert isinstance(refused.value, SignInRequired)  # no automatic retries by the scheduler
    assert throttled_message(refused.value.retry_after) == message


def test_429_elsewhere_stays_a_server_refusal() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"detail": "slow down"}, headers={"Retry-After": "5"})

    with _client(server) as client, pytest.raises(ServerRefused) as refused:
        client.pull_page("0")
    assert refused.value.status_code == 429
