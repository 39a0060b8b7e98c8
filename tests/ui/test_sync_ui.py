"""Sync from the window, against a real server on loopback: first sync, status bar, offline,
a colleague's edit meeting mine (conflict dialog), and sync issues."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop_crm.client import editing
from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD, DemoServer, colleague_edit, free_port
from desktop_crm.server import models as m
from desktop_crm.storage import records_store as store
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.sync.scheduler import Connectivity
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from desktop_crm.ui.sync_views import ConflictDialog, SyncIssuesDialog
from tests.ui.conftest import model_texts


def _session(folder: Path, url: str, user: str = "rep1") -> tuple[Session, Replica]:
    profile = Profile(folder)
    settings = ProfileSettings(server_url=url, username=user)
    replica = create_replica(profile.replica_path, RawKey.generate())
    sync = ProfileSync(profile, settings, DEMO_PASSWORD)
    session = Session(lambda: replica, sync, interval_s=3600)
    return session, replica


@pytest.fixture
def synced(
    qtbot: Any, tmp_path: Path, demo_server: DemoServer
) -> Iterator[tuple[MainWindow, Replica]]:
    session, replica = _session(tmp_path, demo_server.url)
    window = MainWindow(session, "test")
    qtbot.addWidget(window)
    sync = session.sync
    assert sync is not None
    with qtbot.waitSignal(sync.finished, timeout=30_000) as blocker:
        session.submit(lambda _r: None, lambda _n: sync.start())
    outcome = blocker.args[0]
    assert outcome.error == "" and outcome.result.pulled > 0
    with qtbot.waitSignal(window.accounts_model.reloaded, timeout=10_000):
        window.start()
    window.show()
    yield window, replica
    window.close()
    session.shutdown()


def test_first_sync_then_status_bar_shows_online_and_pending(
    qtbot: Any, synced: tuple[MainWindow, Replica]
) -> None:
    window, replica = synced
    assert window.accounts_model.rowCount() > 0
    qtbot.waitUntil(lambda: "Online" in window.online_label.text(), timeout=5000)
    assert "Last sync" in window.last_sync_label.text()
    assert window.pending_label.text() == "All changes sent"
    assert not window.conflict_badge.isVisible()
    # A local edit: pending shows, then F5 sends it.
    account_id = window.accounts_model.account_id(0)
    with replica.engine.connect() as conn:
        account = store.accounts.get(conn, account_id)
    assert account is not None
    account.industry = "edited in the test"
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        who = window.session.identity
        window.session.submit(
            lambda replica: editing.save(replica, account, who),
            lambda written: window.session.edited(written.changes),
        )
    qtbot.waitUntil(lambda: "waiting to be sent" in window.pending_label.text(), timeout=5000)
    sync = window.session.sync
    assert sync is not None
    with qtbot.waitSignal(sync.finished, timeout=20_000):
        window.sync_action.trigger()  # F5
    qtbot.waitUntil(lambda: window.pending_label.text() == "All changes sent", timeout=5000)


def test_a_colleagues_edit_meets_mine_in_the_conflict_dialog(
    qtbot: Any, synced: tuple[MainWindow, Replica], demo_server: DemoServer
) -> None:
    window, replica = synced
    sync = window.session.sync
    assert sync is not None
    account_id = window.accounts_model.account_id(1)
    colleague_edit(demo_server, account_id, value="theirs: call back on Monday")
    with replica.engine.connect() as conn:
        mine = store.accounts.get(conn, account_id)
    assert mine is not None
    mine.notes = "mine: they want a discount"
    with qtbot.waitSignal(sync.finished, timeout=20_000):
        who = window.session.identity
        window.session.submit(
            lambda replica: editing.save(replica, mine, who), lambda _r: sync.sync_now()
        )
    qtbot.waitUntil(lambda: window.conflict_badge.isVisible(), timeout=5000)
    assert window.conflict_badge.text() == "1 conflict(s)"
    window.conflict_badge.click()
    dialogs = window.findChildren(ConflictDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.list.count() == 1 and "notes" in dialog._choices, timeout=5000)
    dialog.choose("notes", "edit", "both: discount, call Monday")
    with qtbot.waitSignal(sync.finished, timeout=20_000):
        with qtbot.waitSignal(dialog.resolved, timeout=5000):
            dialog.apply_button.click()
    qtbot.waitUntil(lambda: not window.conflict_badge.isVisible(), timeout=5000)
    dialog.close()
    assert demo_server.engine is not None
    with demo_server.engine.connect() as conn:
        data = conn.execute(
            select(m.records.c.data).where(m.records.c.id == account_id)
        ).scalar_one()
    assert "both: discount, call Monday" in data


def test_offline_is_shown_and_edits_stay_queued(qtbot: Any, tmp_path: Path) -> None:
    session, replica = _session(tmp_path, f"http://127.0.0.1:{free_port()}")  # nobody listens
    window = MainWindow(session, "test")
    qtbot.addWidget(window)
    sync = session.sync
    assert sync is not None
    with qtbot.waitSignal(sync.finished, timeout=20_000) as blocker:
        session.submit(lambda _r: None, lambda _n: sync.start())
    assert blocker.args[0].state is Connectivity.OFFLINE
    window.start()
    qtbot.waitUntil(lambda: "Offline" in window.online_label.text(), timeout=5000)
    assert "Offline" in window.sync_text.text()
    window.close()
    session.shutdown()


def test_sync_issues_can_be_exported_and_discarded(
    qtbot: Any, synced: tuple[MainWindow, Replica], tmp_path: Path
) -> None:
    window, replica = synced
    with replica.engine.begin() as conn:
        book.add_sync_issue(
            conn,
            change_id="c-1",
            entity="account",
            record_id="acc-x",
            data={"name": "Refused Co."},
            deleted=False,
            reason="The stage rules refused it.",
        )
    window._update_sync_status()
    qtbot.waitUntil(lambda: window.issues_badge.isVisible(), timeout=5000)
    window.issues_badge.click()
    dialog = window.findChildren(SyncIssuesDialog)[0]
    qtbot.waitUntil(lambda: dialog.list.count() == 1, timeout=5000)
    assert "refused" in dialog.reason.text()
    target = tmp_path / "issues.csv"
    dialog.export_path = lambda: target
    dialog._export()
    qtbot.waitUntil(lambda: target.exists(), timeout=5000)
    assert "Refused Co." in target.read_text(encoding="utf-8-sig")
    dialog._discard()
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=5000)
    dialog.close()
    qtbot.waitUntil(lambda: not window.issues_badge.isVisible(), timeout=5000)


def test_owners_show_by_name_from_the_servers_directory(
    qtbot: Any, synced: tuple[MainWindow, Replica]
) -> None:
    window, replica = synced
    with replica.engine.connect() as conn:
        names = book.user_names(conn)
    assert "rep1" in names.values() and "manager1" in names.values()
    qtbot.waitUntil(lambda: bool(window.account_view.owner_names), timeout=5000)
    account_id = window.accounts_model.account_id(0)
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(account_id)
    owner_label = window.account_view._detail_labels["owner"].text()
    assert owner_label == "rep1"  # the demo rep owns what they see; not an id prefix
    authors = set(model_texts(window.account_view.timeline_model, 4))
    assert authors and authors <= set(names.values())  # who logged each call, by name
