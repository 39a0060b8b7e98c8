"""The Audit tab: administrators and managers read the server's audit trail online (real
server on loopback); a rep has no such tab; a malformed date is refused with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import create_replica
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from tests.ui.conftest import save_screenshot


def _window(qtbot: Any, folder: Path, url: str, user: str, role: str) -> MainWindow:
    profile = Profile(folder)
    replica = create_replica(profile.replica_path, RawKey.generate())
    settings = ProfileSettings(server_url=url, username=user, role=role)
    session = Session(
        lambda: replica, ProfileSync(profile, settings, DEMO_PASSWORD), interval_s=3600
    )
    window = MainWindow(session, user)
    qtbot.addWidget(window)
    return window


def _column(tree: Any, column: int) -> list[str]:
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [item.text(column) for item in items if item is not None]


def test_an_administrator_reads_the_audit_trail(
    qtbot: Any, tmp_path: Path, demo_server: Any
) -> None:
    window = _window(qtbot, tmp_path / "admin", demo_server.url, "admin", "admin")
    try:
        audit = window.audit
        assert audit is not None
        window.show()
        with qtbot.waitSignal(audit.loaded, timeout=20_000) as shown:
            window.tabs.setCurrentWidget(audit)
        assert shown.args[0] > 0
        actions = set(_column(audit.tree, 2))
        assert "login" in actions  # our own sign-in, at least
        save_screenshot(window, "audit-view.png")
        audit.action.setText("login")
        audit.user.setText("admin")
        with qtbot.waitSignal(audit.loaded, timeout=20_000):
            audit.search.click()
        who = _column(audit.tree, 1)
        assert who and set(who) == {"admin"}
        audit.since.setText("yesterday")
        with qtbot.waitSignal(audit.loaded, timeout=20_000) as refused:
            audit.search.click()
        assert refused.args[0] == -1
        assert "ISO-8601" in audit.status.text()
    finally:
        window.session.shutdown()
        window.close()


def test_a_rep_has_no_audit_tab(qtbot: Any, tmp_path: Path, demo_server: Any) -> None:
    window = _window(qtbot, tmp_path / "rep", demo_server.url, "rep1", "rep")
    try:
        assert window.audit is None
        labels = {window.tabs.tabText(i) for i in range(window.tabs.count())}
        assert "Audit" not in labels
    finally:
        window.session.shutdown()
        window.close()
