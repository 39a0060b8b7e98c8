"""Fixtures for the server tests: the same tests run on SQLite and on a real PostgreSQL.

PostgreSQL runs when DESKTOP_CRM_TEST_POSTGRES_URL is set (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); each test gets its own schema, dropped
afterwards. SQLite gets a fresh file per test.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, insert, text

from desktop_crm.domain.records import Account, Contact, Opportunity, SyncedRecord
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID, VersionVector
from desktop_crm.protocol.messages import Role
from desktop_crm.server import auth, db, directory
from desktop_crm.server import models as m
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings
from desktop_crm.server.store import write_record
from desktop_crm.server.timeutil import iso, now

POSTGRES_ENV = "DESKTOP_CRM_TEST_POSTGRES_URL"
SECRET = "test-secret-" + "x" * 40


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> None:
    """Argon2 with production parameters costs ~50 ms a hash; tests hash a lot."""
    auth.configure_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def postgres_schema_url(base: str) -> Iterator[str]:
    """A URL whose connections use a fresh schema of ``base``'s database, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield db.sqlite_url(tmp_path / "server.db")
        return
    yield from postgres_test_url()


def postgres_test_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL (dropped afterwards), or a skip saying why not."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} "
            "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield from postgres_schema_url(base)


@pytest.fixture
def settings(server_db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=server_db_url, secret_key=SECRET, data_dir=tmp_path)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Any:
    return create_app(settings, engine, run_migrations=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


# A small organization ---------------------------------------------------------------------------


def v(**counters: int) -> dict[str, int]:
    return dict(counters)


@dataclass
class World:
    """Team A: rep1, rep2, manager1. Team B: rep3, manager2. Plus desk1 and admin.

    Accounts acc1 (rep1), acc2 (rep2), acc3 (rep3), each with one contact and one opportunity.
    """

    client: TestClient
    engine: Engine
    users: dict[str, str] = field(default_factory=dict)  # username -> id
    tokens: dict[str, str] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # acc1 -> id
    contacts: dict[str, str] = field(default_factory=dict)  # acc1 -> contact id
    opportunities: dict[str, str] = field(default_factory=dict)

    def h(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def login(self, username: str, device_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"username": username, "password": "pw-" + username}
        if device_id:
            body["device_id"] = device_id
        response = self.client.post("/auth/login", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def push(self, username: str, *changes: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post(
            "/sync/push", json={"changes": list(changes)}, headers=self.h(username)
        )
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def pull(self, username: str, cursor: str | None = None, limit: int = 1000) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = self.client.get("/sync/pull", params=params, headers=self.h(username))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def pull_all(self, username: str, cursor: str | None = None) -> dict[str, Any]:
        records: list[dict[str, Any]] = []
        removals: list[dict[str, Any]] = []
        while True:
            page = self.pull(username, cursor)
            records += page["records"]
            removals += page["removals"]
            cursor = page["cursor"]
            if not page["has_more"]:
                return {
                    "records": records,
                    "removals": removals,
                    "cursor": cursor,
                    "resync_required": page["resync_required"],
                }

    def snapshot(self, username: str, limit: int = 5000) -> tuple[list[dict[str, Any]], str]:
        records: list[dict[str, Any]] = []
        after = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if after:
                params["after"] = after
            response = self.client.get("/sync/snapshot", params=params, headers=self.h(username))
            assert response.status_code == 200, response.text
            page = response.json()
            records += page["records"]
            after = page["next_page"]
            if after is None:
                return records, page["cursor"]

    def ids(self, records: list[dict[str, Any]]) -> set[str]:
        return {r["id"] for r in records}


def seed_record(conn: Any, record: SyncedRecord) -> None:
    write_record(
        conn,
        previous=None,
        entity=record.ENTITY,
        record_id=record.meta.id,
        data=record.data(),
        version=VersionVector({SERVER_REPLICA_ID: 1}),
        deleted=False,
        actor_id="server",
        device_id=None,
    )


#: Each test user's device's replica id (unique per test database).
REPLICA_IDS = {
    "rep1": "r1",
    "rep2": "r2",
    "manager1": "m1",
    "rep3": "r3",
    "manager2": "m2",
    "desk1": "d1",
    "admin": "a1",
}


def build_world(client: TestClient, engine: Engine, settings: Settings) -> World:
    world = World(client, engine)
    people = {
        "rep1": (Role.REP, "A"),
        "rep2": (Role.REP, "A"),
        "manager1": (Role.MANAGER, "A"),
        "rep3": (Role.REP, "B"),
        "manager2": (Role.MANAGER, "B"),
        "desk1": (Role.SERVICE_DESK, None),
        "admin": (Role.ADMIN, None),
    }
    with engine.connect() as conn, db.write_transaction(conn):
        directory.create_team(conn, "A", "server")
        directory.create_team(conn, "B", "server")
        for name, (role, team) in people.items():
            world.users[name] = directory.create_user(
                conn, name, "pw-" + name, role, "server", team
            )
        for key, owner in (("acc1", "rep1"), ("acc2", "rep2"), ("acc3", "rep3")):
            account = Account(
                name=f"Customer {key}", owner_id=world.users[owner], notes="secret notes"
            )
            contact = Contact(
                account_id=account.meta.id, name=f"Contact of {key}", emails=[f"{key}@example.com"]
            )
            opportunity = Opportunity(account_id=account.meta.id, name=f"Deal {key}")
            for record in (account, contact, opportunity):
                seed_record(conn, record)
            directory.set_assignment(conn, account.meta.id, world.users[owner], "server")
            world.accounts[key] = account.meta.id
            world.contacts[key] = contact.meta.id
            world.opportunities[key] = opportunity.meta.id
        # Devices and tokens straight from the database: sign-in has its own tests, and
        # seven HTTP logins per test would dominate the suite's run time.
        for name, user_id in world.users.items():
            # Short replica ids ("r1" for rep1): the tests write vectors by hand, and a device
            # may raise only its own entry.
            device_id, replica_id = str(uuid.uuid4()), REPLICA_IDS[name]
            conn.execute(
                insert(m.devices).values(
                    id=device_id,
                    user_id=user_id,
                    replica_id=replica_id,
                    name=f"{name}'s laptop",
                    created_at=iso(now()),
                )
            )
            world.tokens[name] = auth.mint_token(settings, user_id, device_id)[0]
            world.devices[name] = device_id
            world.replicas[name] = replica_id
    return world


@pytest.fixture
def world(client: TestClient, engine: Engine, settings: Settings) -> World:
    return build_world(client, engine, settings)


def change(
    entity: str,
    record_id: str,
    data: dict[str, Any],
    *,
    base: dict[str, int] | None = None,
    new: dict[str, int] | None = None,
    deleted: bool = False,
    change_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "change_id": change_id or str(uuid.uuid4()),
        "entity": entity,
        "record_id": record_id,
        "base_version": base or {},
        "new_version": new or {"r1": 1},
        "changed_fields": sorted(data),
        "deleted": deleted,
        "data": data,
        **extra,
    }


@pytest.fixture(autouse=True)
def _push_answer_json_equals_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every push answer any server test gets is the directly written JSON; this holds it
    equal, value for value, to the PushResponse models' answer (the path it replaced)."""
    from desktop_crm.protocol.messages import PushResponse
    from desktop_crm.server.push import PushAnswer

    written = PushAnswer.json

    def checked(self: PushAnswer) -> bytes:
        body = written(self)
        assert PushResponse.model_validate_json(body) == self.model()
        assert times_read(json.loads(body)) == times_read(
            json.loads(self.model().model_dump_json())
        )
        return body

    monkeypatch.setattr(PushAnswer, "json", checked)


def times_read(value: Any) -> Any:
    """A decoded answer with each ``updated_at`` read as a time (the models write UTC as
    "Z", the stored text as "+00:00": the same instant)."""
    if isinstance(value, list):
        return [times_read(v) for v in value]
    if isinstance(value, dict):
        return {
            k: datetime.fromisoformat(v) if k == "updated_at" else times_read(v)
            for k, v in value.items()
        }
    return value
