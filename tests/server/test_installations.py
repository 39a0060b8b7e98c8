"""Idempotent device registration: an installation id sent with sign-in finds the device that
installation registered before, so a retried first sign-in registers no orphan device."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from desktop_crm.server import admin
from desktop_crm.server import models as m
from tests.server.conftest import World
from tests.server.test_live_server import LiveServer


def _sign_in(world: World, username: str, installation: str | None, **extra: Any) -> Any:
    body: dict[str, Any] = {"username": username, "password": "pw-" + username, **extra}
    if installation is not None:
        body["installation_id"] = installation
    return world.client.post("/auth/login", json=body)


def _devices(world: World, username: str) -> list[Any]:
    with world.engine.connect() as conn:
        return list(
            conn.execute(
                select(m.devices).where(m.devices.c.user_id == world.users[username])
            ).all()
        )


def test_the_same_installation_gets_the_same_device(world: World) -> None:
    installation = str(uuid.uuid4())
    first = _sign_in(world, "rep1", installation, device_name="laptop")
    # The answer is lost: the client still has no device id and signs in again the same way.
    second = _sign_in(world, "rep1", installation, device_name="laptop")
    assert first.status_code == second.status_code == 200
    assert second.json()["device_id"] == first.json()["device_id"]
    assert second.json()["replica_id"] == first.json()["replica_id"]
    devices = _devices(world, "rep1")
    assert len(devices) == 2  # the seeded one and this installation's
    assert [d.installation_id for d in devices if d.id == first.json()["device_id"]] == [
        installation
    ]
    # Later sign-ins with the device id as well: still that device.
    third = _sign_in(world, "rep1", installation, device_id=first.json()["device_id"])
    assert third.json()["replica_id"] == first.json()["replica_id"]
    assert len(_devices(world, "rep1")) == 2
    with world.engine.connect() as conn:
        registered = conn.scalar(
            select(func.count())
            .select_from(m.audit_log)
            .where(m.audit_log.c.action == "device.register")
        )
    assert registered == 1


def test_other_installations_and_other_users_get_their_own_devices(world: World) -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    one = _sign_in(world, "rep1", a).json()
    two = _sign_in(world, "rep1", b).json()
    assert one["device_id"] != two["device_id"] and one["replica_id"] != two["replica_id"]
    # A shared PC's profile signed in as someone else: a device of theirs, not rep1's.
    other = _sign_in(world, "rep2", a).json()
    assert other["device_id"] not in (one["device_id"], two["device_id"])
    assert len(_devices(world, "rep1")) == 3
    assert len(_devices(world, "rep2")) == 2


def test_a_revoked_installation_stays_refused(world: World) -> None:
    installation = str(uuid.uuid4())
    device = _sign_in(world, "rep1", installation).json()["device_id"]
    admin.revoke_device(world.engine, device)
    for extra in ({}, {"device_id": device}):
        refused = _sign_in(world, "rep1", installation, **extra)
        assert refused.status_code == 403
        assert "revoked" in refused.json()["detail"]
    assert len(_devices(world, "rep1")) == 2  # nothing new registered


def test_clients_without_an_installation_id_still_work(world: World) -> None:
    first = _sign_in(world, "rep1", None).json()
    again = _sign_in(world, "rep1", None, device_id=first["device_id"]).json()
    assert again["replica_id"] == first["replica_id"]
    assert _sign_in(world, "rep1", None).json()["device_id"] != first["device_id"]


def test_a_device_registered_before_installation_ids_adopts_one(world: World) -> None:
    old = _sign_in(world, "rep1", None).json()
    installation = str(uuid.uuid4())
    upgraded = _sign_in(world, "rep1", installation, device_id=old["device_id"]).json()
    assert upgraded["device_id"] == old["device_id"]
    # The device id lost from the settings: the installation id alone finds the device.
    found = _sign_in(world, "rep1", installation).json()
    assert found["device_id"] == old["device_id"] and found["replica_id"] == old["replica_id"]
    # Another old device of this user may not take the same installation id.
    older = _sign_in(world, "rep1", None).json()
    assert _sign_in(world, "rep1", installation, device_id=older["device_id"]).status_code == 200
    by_id = {d.id: d.installation_id for d in _devices(world, "rep1")}
    assert by_id[old["device_id"]] == installation and by_id[older["device_id"]] is None


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has spaces in it ok", "ünïcode-ïnstallation"])
def test_malformed_installation_ids_are_refused(world: World, bad: str) -> None:
    response = _sign_in(world, "rep1", bad)
    assert response.status_code == 422
    assert "installation_id" in response.json()["detail"]


def test_concurrent_retries_register_one_device(world: World) -> None:
    """Sign-ins of one installation at once (a retry overlapping the lost attempt). Four:
    five at once for one user name would meet the sign-in throttle (an attempt counts as a
    failure until its password is found right)."""
    installation = str(uuid.uuid4())
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()
    with LiveServer(world.client.app) as server:
        barrier = threading.Barrier(4)

        def sign_in() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                barrier.wait()
                response = http.post(
                    "/auth/login",
                    json={
                        "username": "rep1",
                        "password": "pw-rep1",
                        "installation_id": installation,
                    },
                )
            with lock:
                answers.append({"status": response.status_code, **response.json()})

        threads = [threading.Thread(target=sign_in) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert [a["status"] for a in answers] == [200] * 4, answers
    assert len({a["device_id"] for a in answers}) == 1
    assert len({a["replica_id"] for a in answers}) == 1
    assert len(_devices(world, "rep1")) == 2
