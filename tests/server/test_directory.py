"""The directory: user names behind the ids in records, for any signed-in user."""

from __future__ import annotations

from sqlalchemy import update

from desktop_crm.server import models as m
from tests.server.conftest import World


def test_every_role_gets_names_and_roles_and_nothing_secret(world: World) -> None:
    for username in ("rep1", "desk1", "admin"):
        response = world.client.get("/directory", headers=world.h(username))
        assert response.status_code == 200
        users = response.json()["users"]
        by_name = {u["username"]: u for u in users}
        assert by_name["rep1"] == {"id": world.users["rep1"], "username": "rep1", "role": "rep"}
        assert by_name["manager1"]["role"] == "manager"
        assert all(set(u) == {"id", "username", "role"} for u in users)  # no hashes, no teams


def test_disabled_users_are_left_out_and_strangers_refused(world: World) -> None:
    with world.engine.begin() as conn:
        conn.execute(update(m.users).where(m.users.c.username == "rep2").values(active=False))
    answer = world.client.get("/directory", headers=world.h("rep1")).json()
    names = {u["username"] for u in answer["users"]}
    assert "rep2" not in names and "rep1" in names
    assert world.client.get("/directory").status_code == 401
