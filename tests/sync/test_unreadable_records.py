"""Issue 14, item 1: a record the server stored before today's rules (a lone-surrogate key in
its version, text that is not Unicode) no longer stops every replica that sees it. The client
parks that one record as a sync issue and goes on; ``admin repair-records`` mends it and the
replicas take the repaired copy through the normal feed. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from desktop_crm.domain.records import Entity
from desktop_crm.domain.version_vector import SERVER_REPLICA_ID, VersionVector
from desktop_crm.server import db
from desktop_crm.server import models as m
from desktop_crm.server.app import create_app
from desktop_crm.server.cli import main as server_main
from desktop_crm.server.settings import Settings
from desktop_crm.server.store import load, write_record
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.sync.engine import UNREADABLE
from desktop_crm.sync.resolution import ResolutionError, retry_sync_issue
from tests.server.conftest import SECRET, build_world, postgres_test_url
from tests.sync.conftest import DeviceFactory, ServerWorld
from tests.sync.harness import Device

LONE_SURROGATE = "\ud800"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield db.sqlite_url(tmp_path / "server.db")
        return
    yield from postgres_test_url()


@pytest.fixture
def server(server_url: str, tmp_path: Path) -> Iterator[ServerWorld]:
    """The sync tests' server world, on SQLite and on PostgreSQL."""
    settings = Settings(database_url=server_url, secret_key=SECRET, data_dir=tmp_path)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    app = create_app(settings, engine, run_migrations=False)
    with TestClient(app) as client:
        yield ServerWorld(build_world(client, engine, settings), settings, engine, client)
    engine.dispose()


def store_unreadable_contact(engine: Engine, contact_id: str) -> None:
    """Write a contact as an older server stored what a hostile push sent: a lone
    surrogate as a vector key and inside the name (JSON ``\\ud800`` escapes, which both
    databases store as plain ASCII text and the feed serves as they are)."""
    with engine.connect() as conn, db.write_transaction(conn):
        current = load(conn, Entity.CONTACT, contact_id)
        assert current is not None
        bad_version = VersionVector({SERVER_REPLICA_ID: 2, LONE_SURROGATE: 1})
        write_record(
            conn,
            previous=current,
            entity=Entity.CONTACT,
            record_id=contact_id,
            data=current.data,
            version=bad_version,
            deleted=False,
            actor_id="server",
            device_id=None,
        )
        bad_data = {**current.data, "name": f"Wang {LONE_SURROGATE}Wei"}
        conn.execute(
            update(m.records)
            .where(m.records.c.entity == "contact", m.records.c.id == contact_id)
            .values(data=json.dumps(bad_data, ensure_ascii=True), version=bad_version.to_json())
        )


def _repair(server: ServerWorld, capsys: pytest.CaptureFixture[str], *flags: str) -> Any:
    argv = ["admin", "repair-records", "--database", server.settings.database_url, "--json"]
    assert server_main([*argv, *flags]) == 0
    return json.loads(capsys.readouterr().out)


def _unreadable_issues(dev: Device) -> list[book.SyncIssue]:
    with dev.replica.engine.connect() as conn:
        return [i for i in book.list_sync_issues(conn) if i.reason.startswith(UNREADABLE)]


def test_an_unreadable_record_is_parked_and_repaired(
    server: ServerWorld, device: DeviceFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    puller = device("rep1", "puller")
    puller.sync()  # has the good copy; meets the bad one in a pull page
    contact_id = server.world.contacts["acc1"]
    store_unreadable_contact(server.engine, contact_id)
    # A later edit in the same page: the page's other records still apply.
    opportunity_id = server.world.opportunities["acc1"]
    with server.engine.connect() as conn, db.write_transaction(conn):
        opportunity = load(conn, Entity.OPPORTUNITY, opportunity_id)
        assert opportunity is not None
        write_record(
            conn,
            previous=opportunity,
            entity=Entity.OPPORTUNITY,
            record_id=opportunity_id,
            data={**opportunity.data, "name": "Bigger deal"},
            version=opportunity.version.bump(SERVER_REPLICA_ID),
            deleted=False,
            actor_id="server",
            device_id=None,
        )
    newcomer = device("manager1", "newcomer")  # meets the bad record in its first snapshot

    for dev in (puller, newcomer):
        summary = dev.sync()  # no exception: one bad record does not stall sync
        [issue] = _unreadable_issues(dev)
        assert (issue.entity, issue.record_id) == ("contact", contact_id)
        assert "surrogate" in issue.reason and "repair-records" in issue.reason
        with dev.replica.engine.begin() as conn, pytest.raises(ResolutionError):
            retry_sync_issue(conn, issue.id, replica_id=dev.replica_id)  # nothing of ours
        assert summary.issues == 1
        received = dev.get("opportunity", opportunity_id)
        assert received is not None and received.data["name"] == "Bigger deal"
        dev.sync()  # the cursor moved past it: no second issue
        assert len(_unreadable_issues(dev)) == 1
    kept = puller.get("contact", contact_id)
    assert kept is not None and kept.version == VersionVector({SERVER_REPLICA_ID: 1})
    assert newcomer.get("contact", contact_id) is None

    # Until it is repaired, the server's other answers read it as repaired: nothing it
    # answers with is unreadable (no 500 for a record from before the rules).
    rep1 = server.world.h("rep1")
    response = server.client.get(f"/records/contact/{contact_id}", headers=rep1)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == {SERVER_REPLICA_ID: 2}
    assert response.json()["data"]["name"] == "Wang \ufffdWei"
    stale = {
        "change_id": "stale-edit",
        "entity": "contact",
        "record_id": contact_id,
        "base_version": {SERVER_REPLICA_ID: 1},
        "new_version": {SERVER_REPLICA_ID: 1, server.world.replicas["rep1"]: 1},
        "changed_fields": ["title"],
        "data": {"title": "CFO"},
    }
    push = server.client.post("/sync/push", json={"changes": [stale]}, headers=rep1)
    assert push.status_code == 200, push.text
    [answer] = push.json()["results"]
    assert answer["status"] == "conflict"
    assert answer["current"]["version"] == {SERVER_REPLICA_ID: 2}

    dry = _repair(server, capsys, "--dry-run")
    assert dry["dry_run"] is True
    assert [(r["entity"], r["id"]) for r in dry["repaired"]] == [("contact", contact_id)]
    assert _repair(server, capsys, "--dry-run") == dry  # a dry run changes nothing

    done = _repair(server, capsys)
    [repaired] = done["repaired"]
    assert repaired["version"] == {SERVER_REPLICA_ID: 3}
    assert any("version entr" in p for p in repaired["problems"])
    assert any("Unicode" in p for p in repaired["problems"])
    assert _repair(server, capsys)["repaired"] == []  # nothing left to repair

    for dev in (puller, newcomer):
        dev.sync()
        contact = dev.get("contact", contact_id)
        assert contact is not None
        assert contact.version == VersionVector({SERVER_REPLICA_ID: 3})
        assert contact.data["name"] == "Wang \ufffdWei"
        assert _unreadable_issues(dev) == []  # the repaired copy arrived: nothing left to do
