"""Fixtures for the sync tests: a server world in-process, and client devices with replicas."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from desktop_crm.server import db
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.http_client import SyncClient
from tests.server.conftest import SECRET, World, build_world
from tests.server.conftest import _cheap_password_hashes as _cheap_password_hashes  # noqa: F401
from tests.storage.conftest import keyring_backend as keyring_backend  # noqa: F401
from tests.storage.conftest import replica_factory as replica_factory  # noqa: F401
from tests.storage.conftest import replica_template as replica_template  # noqa: F401
from tests.sync.harness import Device, FaultyTransport, add_device


@dataclass
class ServerWorld:
    world: World
    settings: Settings
    engine: Engine
    client: TestClient

    def user(self, name: str) -> str:
        return self.world.users[name]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerWorld]:
    settings = Settings(
        database_url=db.sqlite_url(tmp_path / "server.db"), secret_key=SECRET, data_dir=tmp_path
    )
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    app = create_app(settings, engine, run_migrations=False)
    with TestClient(app) as client:
        world = build_world(client, engine, settings)
        yield ServerWorld(world, settings, engine, client)
    engine.dispose()


DeviceFactory = Callable[..., Device]


@pytest.fixture
def device(server: ServerWorld, replica_factory: Callable[..., Replica]) -> Iterator[DeviceFactory]:
    """``device(username, name=None, **options) -> Device``: a new installation of a user."""
    made: list[Device] = []

    def make(
        username: str,
        name: str | None = None,
        *,
        seed: int = 0,
        p_request: float = 0.0,
        p_response: float = 0.0,
        **options: Any,
    ) -> Device:
        name = name or f"{username}-{len(made)}"
        user_id = server.user(username)
        token, _device_id, replica_id = add_device(server.engine, server.settings, user_id)
        transport = FaultyTransport(
            server.client._transport,
            rng=random.Random(seed),
            p_request=p_request,
            p_response=p_response,
        )
        client = SyncClient("http://testserver", token, transport=transport)
        dev = Device(
            name=name,
            replica=replica_factory(f"{name}.db"),
            client=client,
            transport=transport,
            replica_id=replica_id,
            user_id=user_id,
            **options,
        )
        made.append(dev)
        return dev

    yield make
    for dev in made:
        dev.client.close()
