"""A manager reassigns a customer in the edit dialog; after the syncs the old owner's replica no
longer holds it and the new owner's does (real server on loopback, real replicas)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD, DemoServer
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica
from desktop_crm.sync.engine import SyncSummary
from desktop_crm.ui.dialogs import AccountDialog
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session


@pytest.fixture
def team_server(cheap_hashes: None) -> Iterator[DemoServer]:
    """Its own server: this test changes who owns what."""
    server = DemoServer(accounts=12, seed=3).start()
    yield server
    server.stop()


class Desk:
    """One user's replica, session and window."""

    def __init__(self, qtbot: Any, folder: Path, url: str, user: str) -> None:
        profile = Profile(folder)
        self.replica = create_replica(profile.replica_path, RawKey.generate())
        sync = ProfileSync(profile, ProfileSettings(server_url=url, username=user), DEMO_PASSWORD)
        self.session = Session(lambda: self.replica, sync, interval_s=3600)
        self.window = MainWindow(self.session, user)
        qtbot.addWidget(self.window)
        self.qtbot = qtbot

    def sync(self) -> SyncSummary:
        controller = self.session.sync
        assert controller is not None
        with self.qtbot.waitSignal(controller.finished, timeout=30_000) as blocker:
            self.session.submit(lambda _r: None, lambda _n: controller.sync_now())
        outcome = blocker.args[0]
        assert outcome.error == "", outcome.error
        return outcome.result  # type: ignore[no-any-return]

    def start(self) -> None:
        self.sync()
        with self.qtbot.waitSignal(self.window.accounts_model.reloaded, timeout=10_000):
            self.window.start()

    def has_account(self, account_id: str) -> bool:
        with self.replica.engine.connect() as conn:
            return store.accounts.get(conn, account_id) is not None

    def close(self) -> None:
        self.window.close()
        self.session.shutdown()


def test_a_manager_reassigns_a_customer_and_it_moves_between_reps(
    qtbot: Any, tmp_path: Path, team_server: DemoServer
) -> None:
    desks = {
        user: Desk(qtbot, tmp_path / user, team_server.url, user)
        for user in ("rep1", "rep2", "manager1")
    }
    try:
        for desk in desks.values():
            desk.start()
        rep1, rep2, manager = desks["rep1"], desks["rep2"], desks["manager1"]
        account_id = rep1.window.accounts_model.account_id(0)
        assert not rep2.has_account(account_id)
        # A rep sees no owner field; the manager does, with the team by name.
        with qtbot.waitSignal(rep1.window.account_view.loaded, timeout=5000):
            rep1.window.show_account(account_id)
        rep_dialog = rep1.window.edit_account(None)
        assert rep_dialog is not None and rep_dialog.owner is None
        rep_dialog.reject()

        window = manager.window
        qtbot.waitUntil(lambda: bool(window.owner_ids), timeout=5000)
        with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
            window.show_account(account_id)
        dialog = window.edit_account(None)
        assert isinstance(dialog, AccountDialog) and dialog.owner is not None
        offered = [dialog.owner.itemText(i) for i in range(dialog.owner.count())]
        assert {"rep1", "rep2", "manager1"} <= set(offered)
        assert dialog.owner.currentText() == "rep1"
        dialog.owner.setCurrentText("rep2")
        with qtbot.waitSignal(window.refreshed, timeout=5000):
            dialog._save()
        assert manager.sync().pushed >= 1

        rep1.sync()
        rep2.sync()
        assert not rep1.has_account(account_id)  # removed from the old owner's replica
        assert rep2.has_account(account_id)
        with rep2.replica.engine.connect() as conn:
            moved = store.accounts.get(conn, account_id)
        assert moved is not None and moved.owner_id == rep2.session.identity.user_id
    finally:
        for desk in desks.values():
            desk.close()
