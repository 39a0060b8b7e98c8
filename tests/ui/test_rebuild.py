"""A damaged replica in the window (issue 14, item 8): the damage met by the window's reads is
reported once, the sync halts, and a non-modal box offers to rebuild from the server; choosing
it exports the unsynced work, sets the damaged file aside and signs in for a fresh first sync
against a real server on loopback."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

from desktop_crm.client.profile import Profile
from desktop_crm.demo import DemoServer
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from desktop_crm.ui.app_controller import ProfileController
from desktop_crm.ui.first_run import SignInDialog
from desktop_crm.ui.main_window import MainWindow
from tests.ui.conftest import save_screenshot

PASSPHRASE = "correct horse battery"


def _fill_sign_in(controller: ProfileController, url: str) -> SignInDialog:
    dialog = controller.dialog
    assert isinstance(dialog, SignInDialog)
    if dialog.first_run:
        dialog.server.setText(url)
        dialog.username.setText("rep1")
        dialog.passphrase_again.setText(PASSPHRASE)
    dialog.password.setText("demo")
    dialog.passphrase.setText(PASSPHRASE)
    return dialog


def _sign_in(qtbot: Any, controller: ProfileController, url: str) -> MainWindow:
    dialog = _fill_sign_in(controller, url)
    with qtbot.waitSignal(controller.window_ready, timeout=30_000) as blocker:
        dialog._check()
    window = blocker.args[0]
    assert isinstance(window, MainWindow)
    return window


def _damage_accounts(replica: Path) -> None:
    with open_replica(replica, Passphrase(PASSPHRASE)) as opened, opened.engine.connect() as conn:
        root = int(
            conn.execute(
                text("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'")
            ).scalar_one()
        )
    data = bytearray(replica.read_bytes())
    for i in range(16):
        data[(root - 1) * 4096 + 1000 + i] ^= 0xFF
    replica.write_bytes(bytes(data))


def test_damage_offers_a_rebuild_that_exports_and_syncs_afresh(
    qtbot: Any, tmp_path: Path, demo_server: DemoServer
) -> None:
    profile = Profile(tmp_path / "profile")
    first = ProfileController(profile, instance_name=f"rebuild-{uuid.uuid4().hex[:8]}")
    try:
        first.start()
        window = _sign_in(qtbot, first, demo_server.url)
        qtbot.waitUntil(lambda: window.accounts_model.rowCount() > 0, timeout=10_000)
        accounts = window.accounts_model.rowCount()
    finally:
        first.shutdown()
    _damage_accounts(profile.replica_path)

    controller = ProfileController(profile, instance_name=f"rebuild-{uuid.uuid4().hex[:8]}")
    try:
        controller.start()
        # Met by the open's full check, the sync or the window's first reads: whichever
        # comes first, the same offer.
        _fill_sign_in(controller, demo_server.url)._check()
        qtbot.waitUntil(lambda: controller.rebuild_box is not None, timeout=15_000)
        box = controller.rebuild_box
        assert box is not None and box.isVisible() and not box.isModal()
        assert "damaged" in box.text()
        save_screenshot(box, "rebuild-offer.png")
        session = controller.session
        assert session is not None and session.sync is not None and session.sync.halted

        rebuild = next(
            b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
        )
        rebuild.click()
        qtbot.waitUntil(lambda: controller.rebuilt is not None, timeout=15_000)
        aside = controller.rebuilt
        assert aside is not None and not profile.exists()
        assert (aside.folder / "replica.db").exists()
        assert json.loads(aside.export.read_text(encoding="utf-8"))["unreadable"] == []

        window = _sign_in(qtbot, controller, demo_server.url)  # first run: a fresh first sync
        qtbot.waitUntil(lambda: window.accounts_model.rowCount() == accounts, timeout=15_000)
        assert controller.session is not None and controller.session.damage is None
        with open_replica(profile.replica_path, Passphrase(PASSPHRASE), verify_pages=True):
            pass  # the new replica is whole
    finally:
        controller.shutdown()
