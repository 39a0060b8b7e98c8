"""An administrator archives the open customer in the app; it leaves the owner's replica at
the next sync; the owner finds it with "Search the archive" (over the server, marked as
archived); the administrator restores it there and it comes back to the owner's replica."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_crm.demo import DemoServer
from desktop_crm.ui.archive_view import ArchiveDialog
from tests.ui.conftest import save_screenshot
from tests.ui.test_reassign import Desk


@pytest.fixture
def archive_server(cheap_hashes: None) -> Iterator[DemoServer]:
    """Its own server: this test archives customers."""
    server = DemoServer(accounts=6, seed=5).start()
    yield server
    server.stop()


def _search(qtbot: Any, dialog: ArchiveDialog, text: str) -> list[str]:
    dialog.query.setText(text)
    dialog.message.clear()
    dialog.search()
    qtbot.waitUntil(
        lambda: "found" in dialog.message.text() or "No " in dialog.message.text(), timeout=10_000
    )
    items = [dialog.table.item(r, 0) for r in range(dialog.table.rowCount())]
    return [item.text() for item in items if item is not None]


def test_an_admin_archives_and_restores_a_customer_in_the_app(
    qtbot: Any, tmp_path: Path, archive_server: DemoServer
) -> None:
    admin, rep1 = (Desk(qtbot, tmp_path / u, archive_server.url, u) for u in ("admin", "rep1"))
    try:
        for desk in (admin, rep1):
            desk.start()
        account_id = rep1.window.accounts_model.account_id(0)
        with qtbot.waitSignal(admin.window.account_view.loaded, timeout=5000):
            admin.window.show_account(account_id)
        name = admin.window.account_view.view.account.name  # type: ignore[union-attr]
        # A rep is not offered the action.
        assert rep1.window.archive_customer(account_id) is None
        box = admin.window.archive_customer(account_id)
        assert isinstance(box, QMessageBox) and name in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(
            lambda: "archived" in admin.window.statusBar().currentMessage(), timeout=10_000
        )
        assert rep1.sync().removed >= 1
        assert not rep1.has_account(account_id)

        # The owner finds it online, in a window that says it is the archive.
        found = rep1.window.open_archive()
        assert "server only" in found.banner.text()
        assert found.restore_button.isHidden()  # only administrators restore
        assert _search(qtbot, found, name[:5]) == [name]
        found.close()

        desk_view = admin.window.open_archive()
        assert _search(qtbot, desk_view, name) == [name]
        desk_view.table.selectRow(0)
        save_screenshot(desk_view, "archive-search.png")
        desk_view.table.selectRow(0)
        with qtbot.waitSignal(desk_view.restored, timeout=10_000):
            desk_view.restore_button.click()
        qtbot.waitUntil(lambda: "No " in desk_view.message.text(), timeout=10_000)
        desk_view.close()
        rep1.sync()
        assert rep1.has_account(account_id)
    finally:
        for desk in (admin, rep1):
            desk.close()
