"""Client devices against a real server world, in-process or over loopback, with faults.

A :class:`Device` is one replica (its own replica id, a device registered for a user) with a
:class:`SyncEngine` whose :class:`SyncClient` talks through an optional
:class:`FaultyTransport`: it drops a request before the server sees it, or throws away the
answer after the server processed it — the two ways a network loses work.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select

from desktop_crm.domain.records import ENTITY_FIELDS, RECORD_TYPES, Entity, SyncedRecord
from desktop_crm.server import auth
from desktop_crm.server import models as m
from desktop_crm.server.settings import Settings
from desktop_crm.server.timeutil import iso, now
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.records_store import StoredRecord
from desktop_crm.storage.replica import Replica
from desktop_crm.sync.engine import SyncEngine, SyncSummary
from desktop_crm.sync.http_client import SyncClient
from desktop_crm.sync.progress import SyncProgress
from desktop_crm.sync.resolution import Choice, DeleteChoice, FieldChoice, resolve_conflict


class InjectedFault(Exception):
    pass


class FaultyTransport(httpx.BaseTransport):
    """Wraps a transport; loses requests or responses on a plan or at random.

    ``plan``: a queue of "ok" / "drop_request" / "drop_response" consumed one per request
    (then ``p_request`` / ``p_response`` random faults, seeded).
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        rng: random.Random | None = None,
        p_request: float = 0.0,
        p_response: float = 0.0,
        only: Callable[[httpx.Request], bool] | None = None,
    ) -> None:
        self.inner = inner
        self.rng = rng or random.Random(0)
        self.p_request = p_request
        self.p_response = p_response
        self.only = only
        self.plan: deque[str] = deque()
        self.log: list[tuple[str, str, str]] = []  # (method, path, fault)

    def _fault(self, request: httpx.Request) -> str:
        if self.only is not None and not self.only(request):
            return "ok"
        if self.plan:
            return self.plan.popleft()
        roll = self.rng.random()
        if roll < self.p_request:
            return "drop_request"
        if roll < self.p_request + self.p_response:
            return "drop_response"
        return "ok"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._fault(request)
        self.log.append((request.method, request.url.path, fault))
        if fault == "drop_request":
            raise httpx.ConnectError("injected: request lost", request=request)
        response = self.inner.handle_request(request)
        if fault == "drop_response":
            response.read()
            response.close()
            raise httpx.ReadError("injected: response lost", request=request)
        return response


def add_device(engine: Engine, settings: Settings, user_id: str) -> tuple[str, str, str]:
    """Register a device for a user straight in the server database: (token, device, replica)."""
    device_id, replica_id = str(uuid.uuid4()), str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            insert(m.devices).values(
                id=device_id,
                user_id=user_id,
                replica_id=replica_id,
                name="test device",
                created_at=iso(now()),
            )
        )
    token = auth.mint_token(settings, user_id, device_id)[0]
    return token, device_id, replica_id


@dataclass
class Device:
    name: str
    replica: Replica
    client: SyncClient
    transport: FaultyTransport
    replica_id: str
    user_id: str
    progress: SyncProgress = field(default_factory=SyncProgress)
    engine: SyncEngine = field(init=False)
    push_batch: int = 500
    pull_limit: int | None = None
    snapshot_limit: int | None = None

    def __post_init__(self) -> None:
        self.engine = SyncEngine(
            self.replica.engine,
            self.client,
            self.replica_id,
            user_id=self.user_id,
            progress=self.progress,
            push_batch=self.push_batch,
            pull_limit=self.pull_limit,
            snapshot_limit=self.snapshot_limit,
        )

    # Syncing ----------------------------------------------------------------------------------

    def sync(self) -> SyncSummary:
        return self.engine.sync_once()

    def sync_until_done(self, attempts: int = 30) -> SyncSummary:
        """Sync, retrying transport failures (the faults stay on)."""
        from desktop_crm.sync.http_client import Offline

        last: Exception | None = None
        for _ in range(attempts):
            try:
                return self.sync()
            except Offline as exc:
                last = exc
        raise AssertionError(f"{self.name} could not sync in {attempts} attempts: {last}")

    # Local edits ------------------------------------------------------------------------------

    def get(self, entity: Entity | str, record_id: str) -> StoredRecord | None:
        with self.replica.engine.connect() as conn:
            return store.read_record(conn, Entity(entity), record_id)

    def save(self, record: SyncedRecord) -> SyncedRecord:
        with self.replica.engine.begin() as conn:
            return store.save_local(conn, record, self.replica_id, self.user_id)

    def edit(self, entity: Entity | str, record_id: str, **changes: Any) -> SyncedRecord:
        stored = self.get(entity, record_id)
        assert stored is not None and not stored.deleted, f"{self.name}: no {entity} {record_id}"
        data = {**stored.data, **changes}
        record = RECORD_TYPES[Entity(entity)].from_data(data, stored.meta())
        return self.save(record)

    def delete(self, entity: Entity | str, record_id: str) -> None:
        with self.replica.engine.begin() as conn:
            store.delete_local(conn, entity, record_id, self.replica_id, self.user_id)

    # Looking --------------------------------------------------------------------------------

    def conflicts(self) -> list[book.ConflictEntry]:
        with self.replica.engine.connect() as conn:
            return book.list_conflicts(conn)

    def issues(self) -> list[book.SyncIssue]:
        with self.replica.engine.connect() as conn:
            return book.list_sync_issues(conn)

    def outbox(self) -> int:
        with self.replica.engine.connect() as conn:
            return book.outbox_count(conn)

    def unsent(self) -> int:
        """Outbox entries not held back by a conflict."""
        with self.replica.engine.connect() as conn:
            held = book.conflicted_records(conn)
            return len(book.pending_changes(conn, 10**9, held))

    def resolve(
        self,
        entity: str,
        record_id: str,
        *,
        choices: dict[str, FieldChoice] | None = None,
        default: Choice | None = None,
        delete_choice: DeleteChoice | None = None,
    ) -> StoredRecord:
        with self.replica.engine.begin() as conn:
            return resolve_conflict(
                conn,
                entity,
                record_id,
                replica_id=self.replica_id,
                user_id=self.user_id,
                choices=choices,
                default=default,
                delete_choice=delete_choice,
            )

    def records(self, *, include_deleted: bool = True) -> dict[tuple[str, str], StoredRecord]:
        out: dict[tuple[str, str], StoredRecord] = {}
        with self.replica.engine.connect() as conn:
            for entity in Entity:
                for r in store.read_records(conn, entity, include_deleted=include_deleted):
                    out[(entity.value, r.id)] = r
        return out


def server_records(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Every record on the server: (entity, id) -> {data, version, deleted, account_id}."""
    import json

    out: dict[tuple[str, str], dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(m.records)):
            out[(row.entity, row.id)] = {
                "data": json.loads(row.data),
                "version": json.loads(row.version),
                "deleted": bool(row.deleted),
                "account_id": row.account_id,
            }
    return out


def replica_records(replica_engine: Engine) -> dict[tuple[str, str], StoredRecord]:
    out: dict[tuple[str, str], StoredRecord] = {}
    with replica_engine.connect() as conn:
        for entity in Entity:
            for r in store.read_records(conn, entity, include_deleted=True):
                out[(entity.value, r.id)] = r
    return out


def assert_replica_matches_server(
    device: Device | Replica, engine: Engine, account_ids: set[str] | None = None
) -> None:
    """The replica holds exactly the server's records of its scope: same data, version and
    tombstone flag (tombstones the replica never saw may be absent)."""
    server = server_records(engine)
    if isinstance(device, Replica):
        local, name = replica_records(device.engine), str(device.path)
    else:
        local, name = device.records(), device.name
    if account_ids is not None:
        server = {k: v for k, v in server.items() if v["account_id"] in account_ids}
    for key, rec in server.items():
        mine = local.get(key)
        if mine is None:
            assert rec["deleted"], f"{name} lacks live record {key}"
            continue
        assert mine.deleted == rec["deleted"], (name, key)
        assert mine.version.to_dict() == rec["version"], (name, key, mine.version, rec)
        fields = ENTITY_FIELDS[Entity(key[0])]
        assert {f: mine.data.get(f) for f in fields} == {f: rec["data"].get(f) for f in fields}, (
            name,
            key,
        )
    extra = set(local) - set(server)
    assert not extra, f"{name} has records the server lacks: {sorted(extra)[:5]}"
