"""Sign-in throttling: failed sign-ins per user name and per client address (429 + Retry-After),
without telling existing user names from unknown ones."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from desktop_crm.protocol.messages import LoginRequest
from desktop_crm.server import models as m
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings, SettingsError
from desktop_crm.sync.http_client import SignInThrottled, SyncClient
from tests.server.conftest import World, build_world
from tests.server.test_live_server import LiveServer

THROTTLED = "Too many failed sign-ins; try again in 5 minutes."


def _sign_in(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/auth/login", json={"username": username, "password": password})


def _fail(client: TestClient, username: str, times: int) -> list[int]:
    return [_sign_in(client, username, "wrong").status_code for _ in range(times)]


@pytest.fixture
def make_world(settings: Settings, engine: Engine) -> Iterator[Any]:
    """``make(address, **settings changes)``: the world (built on the first call) seen through
    a client at ``address``, on a server with those settings."""
    clients: list[TestClient] = []
    built: list[World] = []

    def make(address: str = "testclient", **changes: Any) -> World:
        app = create_app(replace(settings, **changes), engine, run_migrations=False)
        client = TestClient(app, client=(address, 50000)).__enter__()
        clients.append(client)
        if not built:
            built.append(build_world(client, engine, settings))
        return replace(built[0], client=client)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def test_a_user_name_is_refused_after_five_failures(world: World) -> None:
    assert _fail(world.client, "rep1", 5) == [401] * 5
    refused = _sign_in(world.client, "rep1", "wrong")
    assert refused.status_code == 429
    assert refused.json() == {"detail": THROTTLED}
    assert 290 <= int(refused.headers["Retry-After"]) <= 300
    # The right password does not get through either: it is not even checked.
    right = _sign_in(world.client, "rep1", "pw-rep1")
    assert right.status_code == 429
    # Other users, from the same address, are not affected.
    assert _sign_in(world.client, "rep2", "pw-rep2").status_code == 200
    # Refused attempts are not counted: the window is not pushed back.
    with world.engine.connect() as conn:
        # rep1's five and the address's five; rep2's attempt was refunded.
        assert sorted(conn.scalars(select(m.sign_in_failures.c.failures))) == [5, 5]


def test_existing_and_unknown_user_names_get_the_same_answers(world: World) -> None:
    def trace(username: str) -> list[tuple[int, str, str | None]]:
        out = []
        for _ in range(7):
            response = _sign_in(world.client, username, "wrong")
            out.append(
                (
                    response.status_code,
                    response.json()["detail"],
                    response.headers.get("Retry-After") and "set",
                )
            )
        return out

    existing, unknown = trace("rep1"), trace("no-such-user")
    assert existing == unknown
    assert [s for s, _, _ in existing] == [401] * 5 + [429] * 2


def test_a_successful_sign_in_resets_the_user_names_count(world: World) -> None:
    assert _fail(world.client, "rep1", 4) == [401] * 4
    assert _sign_in(world.client, "rep1", "pw-rep1").status_code == 200
    assert _fail(world.client, "rep1", 5) == [401] * 5  # five more, not one
    assert _sign_in(world.client, "rep1", "wrong").status_code == 429


def test_an_address_is_refused_after_twenty_failures(make_world: Any) -> None:
    world = make_world("10.0.0.7")
    # Twenty names, four failures each: no name reaches its limit, the address does.
    codes = [_sign_in(world.client, f"guess{i % 20}", "wrong").status_code for i in range(20)]
    assert codes == [401] * 20
    refused = _sign_in(world.client, "rep2", "pw-rep2")
    assert refused.status_code == 429
    assert refused.json() == {"detail": THROTTLED}
    # Another address is fine, for the same user.
    other = make_world("10.0.0.8")  # same server settings, same database
    assert _sign_in(other.client, "rep2", "pw-rep2").status_code == 200


def test_a_valid_sign_in_does_not_wipe_the_addresss_failures(make_world: Any) -> None:
    world = make_world("10.0.0.9")
    assert [_sign_in(world.client, f"n{i}", "x").status_code for i in range(19)] == [401] * 19
    # The attacker knows one password: signing in with it must not reopen the address.
    assert _sign_in(world.client, "rep3", "pw-rep3").status_code == 200
    assert _sign_in(world.client, "n19", "x").status_code == 401  # the twentieth failure
    assert _sign_in(world.client, "rep3", "pw-rep3").status_code == 429


def test_the_window_ends(make_world: Any) -> None:
    world = make_world(sign_in_failures_per_user=2, sign_in_window=timedelta(seconds=1))
    assert _fail(world.client, "rep1", 3) == [401, 401, 429]
    refused = _sign_in(world.client, "rep1", "pw-rep1")
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["detail"] == "Too many failed sign-ins; try again in 1 minute."
    time.sleep(1.1)
    assert _sign_in(world.client, "rep1", "pw-rep1").status_code == 200
    # Expired windows are purged, successful sign-ins leave nothing behind.
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.sign_in_failures)) == 1  # address


def test_limits_can_be_turned_off(make_world: Any) -> None:
    world = make_world(sign_in_failures_per_user=0, sign_in_failures_per_address=0)
    assert set(_fail(world.client, "rep1", 25)) == {401}
    assert _sign_in(world.client, "rep1", "pw-rep1").status_code == 200
    with world.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(m.sign_in_failures)) == 0


def test_parallel_guesses_do_not_slip_past_the_limit(world: World) -> None:
    """Each attempt is counted before its password is checked."""
    codes: Counter[int] = Counter()
    lock = threading.Lock()
    with LiveServer(world.client.app) as server:
        barrier = threading.Barrier(12)

        def guess() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                barrier.wait()
                code = http.post(
                    "/auth/login", json={"username": "rep1", "password": "wrong"}
                ).status_code
            with lock:
                codes[code] += 1

        threads = [threading.Thread(target=guess) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert codes == {401: 5, 429: 7}


def test_the_client_reports_a_throttled_sign_in(world: World) -> None:
    with LiveServer(world.client.app) as server, SyncClient(server.url) as client:
        for _ in range(5):
            with pytest.raises(Exception, match="Wrong user name or password"):
                client.login(LoginRequest(username="rep1", password="wrong"))
        with pytest.raises(SignInThrottled) as refused:
            client.login(LoginRequest(username="rep1", password="pw-rep1"))
    assert str(refused.value) == THROTTLED
    assert refused.value.retry_after is not None and 290 <= refused.value.retry_after <= 300


def test_settings_from_the_environment(tmp_path: Any) -> None:
    env = {
        "DESKTOP_CRM_SERVER_SECRET": "s" * 40,
        "DESKTOP_CRM_SERVER_SIGN_IN_FAILURES_PER_USER": "3",
        "DESKTOP_CRM_SERVER_SIGN_IN_FAILURES_PER_ADDRESS": "0",
        "DESKTOP_CRM_SERVER_SIGN_IN_WINDOW_SECONDS": "900",
    }
    settings = Settings.load(data_dir=tmp_path, environ=env)
    assert settings.sign_in_failures_per_user == 3
    assert settings.sign_in_failures_per_address == 0
    assert settings.sign_in_window == timedelta(minutes=15)
    defaults = Settings.load(data_dir=tmp_path, environ={"DESKTOP_CRM_SERVER_SECRET": "s" * 40})
    assert (defaults.sign_in_failures_per_user, defaults.sign_in_failures_per_address) == (5, 20)
    assert defaults.sign_in_window == timedelta(minutes=5)
    for name, value in (("SIGN_IN_FAILURES_PER_USER", "-1"), ("SIGN_IN_WINDOW_SECONDS", "0")):
        with pytest.raises(SettingsError):
            Settings.load(data_dir=tmp_path, environ={**env, f"DESKTOP_CRM_SERVER_{name}": value})
    with pytest.raises(SettingsError, match="whole number"):
        Settings.load(
            data_dir=tmp_path, environ={**env, "DESKTOP_CRM_SERVER_SIGN_IN_WINDOW_SECONDS": "5m"}
        )
