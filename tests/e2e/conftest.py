"""End-to-end fixtures: a real uvicorn on a loopback port (restartable on the same port and
database), client profiles in their own folders, and a TCP proxy that cuts connections."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from desktop_crm.client.profile import Profile
from desktop_crm.client.session import open_profile_replica, sign_in
from desktop_crm.domain import demo_data
from desktop_crm.server import bulk, db
from desktop_crm.server.app import create_app
from desktop_crm.server.settings import Settings
from desktop_crm.storage import records_store as store
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.engine import SyncEngine
from desktop_crm.sync.progress import SyncProgress
from tests.server.conftest import SECRET, World, build_world, postgres_test_url
from tests.server.conftest import _cheap_password_hashes as _cheap_password_hashes  # noqa: F401

PASSPHRASE = "e2e passphrase"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn in a thread; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="critical", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=15)
        self.server = self.thread = None


@dataclass
class E2EServer:
    world: World
    settings: Settings
    engine: Engine
    live: LiveServer
    tmp: Path
    extra_records: int = 0

    @property
    def url(self) -> str:
        return self.live.url

    def password_file(self, username: str, password: str | None = None) -> Path:
        path = self.tmp / f"{username}.pw"
        path.write_text((password or f"pw-{username}") + "\n", encoding="utf-8")
        return path

    def seed_accounts(self, username: str, accounts: int, seed: int = 1) -> int:
        """Give ``username`` more generated accounts with children (server bulk loader)."""
        owner = self.world.users[username]
        with self.engine.connect() as conn, db.write_transaction(conn):
            count = bulk.load_records(
                conn, demo_data.generate(seed=seed, accounts=accounts, owner_ids=[owner]), "test"
            )
        self.extra_records += count
        return count


@pytest.fixture
def e2e_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The server's database: SQLite, or (parametrize with ``indirect=True``) "postgresql"."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield db.sqlite_url(tmp_path / "server.db")
        return
    yield from postgres_test_url()


#: Parametrize a test over both server databases: ``@BOTH_DATABASES``.
BOTH_DATABASES = pytest.mark.parametrize(
    "e2e_db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def e2e_server(tmp_path: Path, e2e_db_url: str) -> Iterator[E2EServer]:
    settings = Settings(database_url=e2e_db_url, secret_key=SECRET, data_dir=tmp_path)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    app = create_app(settings, engine, run_migrations=False)
    world = build_world(TestClient(app), engine, settings)
    live = LiveServer(app, free_port())
    live.start()
    try:
        yield E2EServer(world, settings, engine, live, tmp_path)
    finally:
        live.stop()
        engine.dispose()


@dataclass
class ClientProfile:
    """One installation: a profile folder with its encrypted replica and settings."""

    folder: Path
    server_url: str
    username: str
    replica: Replica | None = None
    engine: SyncEngine | None = None
    progress: SyncProgress = field(default_factory=SyncProgress)

    @property
    def profile(self) -> Profile:
        return Profile(self.folder)

    def open(self, *, snapshot_limit: int | None = None, push_batch: int = 500) -> SyncEngine:
        self.close()
        settings = self.profile.load_settings()
        settings.server_url = self.server_url
        settings.username = self.username
        self.replica = open_profile_replica(self.profile, PASSPHRASE)
        signed_in = sign_in(self.profile, settings, f"pw-{self.username}")
        self.engine = SyncEngine(
            self.replica.engine,
            signed_in.client,
            signed_in.settings.replica_id,
            user_id=signed_in.settings.user_id,
            progress=self.progress,
            snapshot_limit=snapshot_limit,
            push_batch=push_batch,
        )
        self._client = signed_in.client
        return self.engine

    def edit(self, entity: str, record_id: str, **changes: object) -> None:
        """A local edit of a stored record (into the outbox), as the user would make it."""
        assert self.replica is not None and self.engine is not None
        with self.replica.engine.begin() as conn:
            stored = store.read_record(conn, entity, record_id)
            assert stored is not None
            record = stored.to_record()
            for name, value in changes.items():
                setattr(record, name, value)
            user_id = self.profile.load_settings().user_id
            store.save_local(conn, record, self.engine.replica_id, user_id)

    def close(self) -> None:
        if self.engine is not None:
            self._client.close()
            self.engine = None
        if self.replica is not None:
            self.replica.close()
            self.replica = None


@pytest.fixture
def profiles(tmp_path: Path, e2e_server: E2EServer) -> Iterator[list[ClientProfile]]:
    made: list[ClientProfile] = []
    yield made
    for p in made:
        p.close()


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DESKTOP_CRM_PASSPHRASE"] = PASSPHRASE
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("DESKTOP_CRM_PASSWORD", None)
    return env


def run_cli(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_crm.app", *args],
        env={**child_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# A TCP proxy that breaks connections ----------------------------------------------------------


class CuttingProxy:
    """Forwards loopback TCP connections to ``target_port``. Each of the first ``max_cuts``
    connections is cut after a random number of bytes (up to ``max_offset``) of what the client
    sends or of what the server answers; later connections pass through, so a sync can finish.
    (A client keeps its connection alive, so every cut also means a new connection.)

    ``schedule`` replaces the random cuts with given ones, connection by connection: e.g.
    ``[("response", 0)]`` lets the first request reach the server whole and forwards none of
    its answer (the work is done, the client never hears of it)."""

    def __init__(
        self,
        target_port: int,
        seed: int = 0,
        *,
        max_cuts: int = 12,
        max_offset: int = 20_000,
        schedule: list[tuple[str, int]] | None = None,
    ) -> None:
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.max_cuts = len(schedule) if schedule is not None else max_cuts
        self.max_offset = max_offset
        self.schedule = schedule
        self.planned = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.cuts: list[str] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CuttingProxy:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _plan(self) -> tuple[str, int]:
        with self._lock:
            if self.planned >= self.max_cuts:
                return "none", 0
            self.planned += 1
            if self.schedule is not None:
                return self.schedule[self.planned - 1]
            where = self.rng.choice(("request", "response"))
            return where, self.rng.randint(1, self.max_offset)

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        where, limit = self._plan()
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        done = threading.Event()

        def pump(src: socket.socket, dst: socket.socket, direction: str) -> None:
            sent = 0
            try:
                src.settimeout(0.5)
                while not done.is_set() and not self._stop.is_set():
                    try:
                        chunk = src.recv(4096)
                    except TimeoutError:
                        continue
                    if not chunk:
                        break
                    if where == direction and sent + len(chunk) >= limit:
                        dst.sendall(chunk[: max(0, limit - sent)])
                        with self._lock:
                            self.cuts.append(f"{direction}@{limit}")
                        break
                    dst.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            finally:
                done.set()
                for s in (client, upstream):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()

        back = threading.Thread(target=pump, args=(upstream, client, "response"), daemon=True)
        back.start()
        pump(client, upstream, "request")
        back.join(timeout=5)


def wait_health(url: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server not healthy")
