"""The window tells a rep at once, without blocking, that a manager deleted a customer under the
rep's unsynced work (issue 14, item 11), and lets them export that work: pytest-qt against a
real server on loopback."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD, DemoServer
from desktop_crm.domain.records import Activity, Entity
from desktop_crm.protocol.messages import Change, LoginRequest, PushRequest
from desktop_crm.server import models as m
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.sync.http_client import SyncClient
from desktop_crm.ui.dialogs import ActivityDialog
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from desktop_crm.ui.sync_views import DeletedCustomersDialog
from tests.ui.conftest import save_screenshot


@pytest.fixture
def synced(
    qtbot: Any, tmp_path: Path, demo_server: DemoServer
) -> Iterator[tuple[MainWindow, Replica]]:
    profile = Profile(tmp_path)
    settings = ProfileSettings(server_url=demo_server.url, username="rep1")
    replica = create_replica(profile.replica_path, RawKey.generate())
    session = Session(
        lambda: replica, ProfileSync(profile, settings, DEMO_PASSWORD), interval_s=3600
    )
    win = MainWindow(session, "test")
    qtbot.addWidget(win)
    sync = session.sync
    assert sync is not None
    with qtbot.waitSignal(sync.finished, timeout=30_000) as blocker:
        session.submit(lambda _r: None, lambda _n: sync.start())
    assert blocker.args[0].error == ""
    with qtbot.waitSignal(win.accounts_model.reloaded, timeout=10_000):
        win.start()
    win.show()
    yield win, replica
    win.close()
    session.shutdown()


def _delete_on_server(server: DemoServer, account_id: str, username: str = "admin") -> None:
    """``username`` deletes the account over HTTP, like any client."""
    assert server.engine is not None
    with server.engine.connect() as conn:
        row = conn.execute(
            select(m.records.c.data, m.records.c.version).where(
                m.records.c.entity == Entity.ACCOUNT.value, m.records.c.id == account_id
            )
        ).one()
    base: dict[str, int] = json.loads(row.version)
    with SyncClient(server.url) as client:
        login = client.login(
            LoginRequest(username=username, password=DEMO_PASSWORD, device_name="admin's pc")
        )
        answer = client.push(
            PushRequest(
                changes=[
                    Change(
                        change_id=str(uuid.uuid4()),
                        entity=Entity.ACCOUNT.value,
                        record_id=account_id,
                        base_version=base,
                        new_version={**base, login.replica_id: base.get(login.replica_id, 0) + 1},
                        changed_fields=[],
                        deleted=True,
                        data=json.loads(row.data),
                    )
                ]
            )
        )
    assert answer.results[0].status.value == "applied", answer.results[0].reason


def test_the_rep_is_told_who_deleted_the_customer_and_exports_the_call(
    qtbot: Any, synced: tuple[MainWindow, Replica], demo_server: DemoServer, tmp_path: Path
) -> None:
    window, replica = synced
    account_id = window.accounts_model.account_id(window.accounts_model.rowCount() - 1)
    who = window.session.identity
    call = Activity(
        account_id=account_id,
        kind="call",
        summary="logged on the train",
        start_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    with replica.engine.begin() as conn:
        store.save_local(conn, call, who.replica_id, who.user_id)
    _delete_on_server(demo_server, account_id)
    assert not window.deleted_badge.isVisible()

    sync = window.session.sync
    assert sync is not None
    with qtbot.waitSignal(sync.finished, timeout=20_000):
        sync.sync_now()
    qtbot.waitUntil(lambda: window.deleted_badge.isVisible(), timeout=5000)
    assert "deleted by admin" in window.deleted_badge.text()
    assert "1 unsynced change(s)" in window.deleted_badge.toolTip()

    # Logging another call under it now says so first (it would wait with the rest).
    log_call = ActivityDialog(window.session, account_id, "the customer", [], parent=window)
    qtbot.addWidget(log_call)
    log_call.show()
    qtbot.waitUntil(lambda: log_call.deletion_warning.isVisible(), timeout=5000)
    assert "admin deleted this customer" in log_call.deletion_warning.text()
    log_call.close()

    window.deleted_badge.click()
    [dialog] = window.findChildren(DeletedCustomersDialog)
    assert not dialog.isModal()  # the window stays usable
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=5000)
    save_screenshot(window, "deleted-customer-badge.png")
    save_screenshot(dialog, "deleted-customer.png")
    assert "admin" in dialog.detail.text()
    assert not dialog.restore_button.isEnabled()  # a rep may not restore a customer
    target = tmp_path / "my-work.json"
    dialog.export_path = lambda: target
    with qtbot.waitSignal(dialog.decided, timeout=5000):
        dialog.export_button.click()
    assert "logged on the train" in target.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=5000)
    qtbot.waitUntil(lambda: not window.deleted_badge.isVisible(), timeout=5000)
    dialog.close()
