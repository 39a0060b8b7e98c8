"""The demo: an embedded central server on loopback, filled with generated customers.

``desktop-crm --demo`` starts :class:`DemoServer` (uvicorn in a background thread over a
throw-away SQLite database), signs in as a demo user in a throw-away profile, and syncs like a
real client would. :func:`colleague_edit` changes a record *through the server* as another
user, so the next sync of the signed-in user meets a real conflict.

This module is the one place where client and server meet (the composition of the demo): the
window's demo controller gets a :class:`DemoServer` from ``app.py`` and uses it only through
the small interface it expects (url, users, password, start, stop, colleague_edit). No Qt here:
the GUI calls these on worker threads.
"""

from __future__ import annotations

import json
import logging
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from desktop_crm.domain.records import Entity, utc_now
from desktop_crm.protocol.messages import Change, LoginRequest, PushRequest
from desktop_crm.sync.http_client import SyncClient

log = logging.getLogger(__name__)

#: 2000 accounts (≈22 000 records) take ~9 s to generate and load on a laptop; the demo uses
#: fewer so the window is up in a few seconds. ``--demo-accounts`` overrides.
DEMO_ACCOUNTS = 400
DEMO_SEED = 2026
DEMO_PASSWORD = "demo"
#: The demo users one can switch between (see desktop_crm.server.admin.DEMO_USERS).
DEMO_USERS = ("rep1", "desk1", "manager1")
#: Who edits "behind the user's back" in the demo.
COLLEAGUE = "manager1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class DemoTimings:
    migrate_s: float
    load_s: float
    records: int


class DemoServer:
    """A central server on ``127.0.0.1:<free port>`` with demo users and customers."""

    password: str = DEMO_PASSWORD
    users: tuple[str, ...] = DEMO_USERS
    colleague: str = COLLEAGUE

    def __init__(self, accounts: int = DEMO_ACCOUNTS, seed: int = DEMO_SEED) -> None:
        self.accounts = accounts
        self.seed = seed
        self._folder = tempfile.TemporaryDirectory(prefix="desktop-crm-demo-server-")
        self.port = free_port()
        self.engine: Engine | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.timings: DemoTimings | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def folder(self) -> Path:
        return Path(self._folder.name)

    def start(self) -> DemoServer:
        import uvicorn

        from desktop_crm.server import admin, db
        from desktop_crm.server.app import create_app
        from desktop_crm.server.settings import Settings

        started = time.perf_counter()
        settings = Settings.load(data_dir=self.folder, demo_mode=True, environ={})
        self.engine = db.make_engine(settings.database_url)
        db.migrate(self.engine)
        migrated = time.perf_counter()
        result = admin.demo_data(self.engine, self.accounts, self.seed, DEMO_PASSWORD)
        loaded = time.perf_counter()
        self.timings = DemoTimings(migrated - started, loaded - migrated, result["records"])
        log.info("demo server: %s", self.timings)
        app = create_app(settings, self.engine, run_migrations=False)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="demo-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the demo server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        self._folder.cleanup()

    def colleague_edit(self, account_id: str) -> str:
        """The colleague changes the account's notes on the server; the new value."""
        return colleague_edit(self, account_id)


def colleague_edit(
    server: DemoServer,
    account_id: str,
    *,
    field: str = "notes",
    value: str | None = None,
    username: str = COLLEAGUE,
) -> str:
    """Change ``field`` of an account on the server as ``username`` (over HTTP, like any
    client). Returns the new value. Raises if the server refuses."""
    from desktop_crm.server import models as m

    assert server.engine is not None
    with server.engine.connect() as conn:
        row = conn.execute(
            select(m.records.c.data, m.records.c.version).where(
                m.records.c.entity == Entity.ACCOUNT.value, m.records.c.id == account_id
            )
        ).one()
    data: dict[str, Any] = json.loads(row.data)
    base: dict[str, int] = json.loads(row.version)
    new_value = (
        value
        if value is not None
        else (f"{username} (by phone, {utc_now():%H:%M}): the customer asked for a new quote.")
    )
    data[field] = new_value
    with SyncClient(server.url) as client:
        login = client.login(
            LoginRequest(username=username, password=DEMO_PASSWORD, device_name="demo colleague")
        )
        version = dict(base)
        version[login.replica_id] = version.get(login.replica_id, 0) + 1
        answer = client.push(
            PushRequest(
                changes=[
                    Change(
                        change_id=str(uuid.uuid4()),
                        entity=Entity.ACCOUNT.value,
                        record_id=account_id,
                        base_version=base,
                        new_version=version,
                        changed_fields=[field],
                        data=data,
                        changed_at=utc_now(),
                    )
                ]
            )
        )
    result = answer.results[0]
    if result.status.value not in {"applied", "already_applied"}:
        raise RuntimeError(f"the server did not take the colleague's edit: {result.reason}")
    return new_value
