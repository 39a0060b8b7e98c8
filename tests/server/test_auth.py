"""Sign-in, devices, tokens."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace

import pytest

from desktop_crm.server import admin, auth
from desktop_crm.server.settings import Settings
from tests.server.conftest import World


def test_first_login_registers_a_device(world: World) -> None:
    body = world.login("rep1")
    assert body["token_type"] == "bearer"
    assert uuid.UUID(body["replica_id"]) and uuid.UUID(body["device_id"])
    me = world.client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["device_id"] == body["device_id"]
    again = world.login("rep1", device_id=body["device_id"])
    assert again["replica_id"] == body["replica_id"]
    assert world.login("rep1")["replica_id"] != body["replica_id"]  # a second installation
    devices = world.client.get("/admin/devices", headers=world.h("admin")).json()
    assert sum(d["username"] == "rep1" for d in devices) == 3  # seeded + two new


@pytest.mark.parametrize(
    ("username", "password"), [("rep1", "wrong"), ("nobody", "pw")]
)
def test_wrong_credentials(world: World, username: str, password: str) -> None:
    response = world.client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong user name or password."}


def test_device_of_someone_else_or_revoked(world: World) -> None:
    response = world.client.post(
        "/auth/login",
        json={"username": "rep1", "password": "pw-rep1", "device_id": world.devices["rep2"]},
    )
    assert response.status_code == 403
    admin.revoke_device(world.engine, world.devices["rep1"])
    response = world.client.post(
        "/auth/login",
        json={"username": "rep1", "password": "pw-rep1", "device_id": world.devices["rep1"]},
    )
    assert response.status_code == 403
    assert "revoked" in response.json()["detail"]
    response = world.client.get("/me", headers=world.h("rep1"))
    assert response.status_code == 403
    listed = {d["id"]: d for d in admin.list_devices(world.engine, "rep1")}
    assert listed[world.devices["rep1"]]["revoked_at"]


def test_expired_and_forged_tokens(world: World, settings: Settings) -> None:
    short = replace(settings, token_ttl=__import__("datetime").timedelta(seconds=1))
    token, expires = auth.mint_token(short, world.users["rep1"], world.devices["rep1"])
    assert world.client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    time.sleep(max(0.0, expires.timestamp() - time.time()) + 0.05)
    response = world.client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    other = replace(settings, secret_key="another-secret-" + "y" * 40)
    forged, _ = auth.mint_token(other, world.users["admin"], world.devices["admin"])
    response = world.client.get("/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    # A valid signature for a device that belongs to someone else.
    mixed, _ = auth.mint_token(settings, world.users["rep1"], world.devices["admin"])
    assert world.client.get("/me", headers={"Authorization": f"Bearer {mixed}"}).status_code == 401


def test_password_hashes_are_argon2(world: World) -> None:
    from sqlalchemy import select

    from desktop_crm.server import models as m

    with world.engine.connect() as conn:
        hashes = list(conn.scalars(select(m.users.c.password_hash)))
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_disabled_user(world: World) -> None:
    from sqlalchemy import update

    from desktop_crm.server import models as m

    with world.engine.begin() as conn:
        conn.execute(update(m.users).where(m.users.c.username == "rep1").values(active=False))
    assert world.client.get("/me", headers=world.h("rep1")).status_code == 403
    response = world.client.post("/auth/login", json={"username": "rep1", "password": "pw-rep1"})
    assert response.status_code == 403
