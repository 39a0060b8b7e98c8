"""The service desk keeps what it writes, and reads "hidden for your role" where its role may
not read a field (issue 9, item 3): through the real widgets, replica and server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from sqlalchemy import insert, select, update

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD, DemoServer
from desktop_crm.domain.records import Entity
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.storage.schema import accounts, activities, contacts, masked_fields
from desktop_crm.ui.account_view import ID_ROLE
from desktop_crm.ui.dialogs import ActivityDialog
from desktop_crm.ui.i18n import install_language
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from tests.ui.conftest import model_texts, save_screenshot

HIDDEN = "hidden for your role"
SUMMARY = "Caller asked for the invoice copy; 请周五前回电"


def _items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    return [item for n in range(tree.topLevelItemCount()) if (item := tree.topLevelItem(n))]


def _texts(tree: QTreeWidget, column: int) -> list[str]:
    return [item.text(column) for item in _items(tree)]


class SignedIn:
    """A window of one user, signed in to the demo server, with their own replica."""

    def __init__(self, qtbot: Any, folder: Path, url: str, user: str) -> None:
        profile = Profile(folder)
        settings = ProfileSettings(server_url=url, username=user)
        self.replica = create_replica(profile.replica_path, RawKey.generate())
        replica = self.replica
        self.session = Session(
            lambda: replica, ProfileSync(profile, settings, DEMO_PASSWORD), interval_s=3600
        )
        self.window = MainWindow(self.session, "test")
        qtbot.addWidget(self.window)
        self.sync(qtbot, first=True)
        with qtbot.waitSignal(self.window.accounts_model.reloaded, timeout=10_000):
            self.window.start()
        self.window.show()

    def sync(self, qtbot: Any, *, first: bool = False) -> None:
        sync = self.session.sync
        assert sync is not None
        with qtbot.waitSignal(sync.finished, timeout=30_000) as blocker:
            if first:
                self.session.submit(lambda _r: None, lambda _n: sync.start())
            else:
                self.window.sync_action.trigger()  # F5
        assert blocker.args[0].error == ""

    def open_account(self, qtbot: Any, account_id: str) -> None:
        with qtbot.waitSignal(self.window.account_view.loaded, timeout=10_000):
            self.window.show_account(account_id)

    def timeline_summaries(self) -> list[str]:
        return model_texts(self.window.account_view.timeline_model, 3)

    def close(self) -> None:
        self.window.close()
        self.session.shutdown()


@pytest.fixture
def rep_and_desk(
    qtbot: Any, tmp_path: Path, demo_server: DemoServer
) -> Iterator[tuple[SignedIn, SignedIn]]:
    install_language("en")
    rep = SignedIn(qtbot, tmp_path / "rep", demo_server.url, "rep1")
    desk = SignedIn(qtbot, tmp_path / "desk", demo_server.url, "desk1")
    yield rep, desk
    desk.close()
    rep.close()


def _a_rep_account_with_calls(replica: Replica) -> str:
    with replica.engine.connect() as conn:
        found = conn.execute(
            select(activities.c.account_id)
            .where(activities.c.summary != "", activities.c.deleted.is_(False))
            .order_by(activities.c.account_id)
            .limit(1)
        ).scalar_one()
    return str(found)


def test_the_call_the_desk_logs_reaches_the_rep_with_its_summary(
    qtbot: Any, rep_and_desk: tuple[SignedIn, SignedIn]
) -> None:
    rep, desk = rep_and_desk
    account_id = _a_rep_account_with_calls(rep.replica)
    desk.open_account(qtbot, account_id)
    # Others' summaries on this customer are masked for the desk, and say so.
    assert any(text == HIDDEN for text in desk.timeline_summaries())

    desk.window.activateWindow()
    desk.window.log_call_action.trigger()  # Ctrl+L, as the desk does when the phone rings
    [dialog] = desk.window.findChildren(ActivityDialog)
    dialog.summary.setPlainText(SUMMARY)
    with qtbot.waitSignal(desk.window.refreshed, timeout=5000):
        dialog._save()
    desk.sync(qtbot)
    qtbot.waitUntil(lambda: desk.window.pending_label.text() == "All changes sent", timeout=5000)
    # The push's answer did not overwrite the desk's words with blanks.
    with desk.replica.engine.connect() as conn:
        logged = conn.execute(
            select(activities.c.id, activities.c.summary).where(activities.c.summary == SUMMARY)
        ).all()
        assert len(logged) == 1
        assert store.masked_of(conn, Entity.ACTIVITY, [logged[0].id]) == {}
    desk.open_account(qtbot, account_id)
    assert SUMMARY in desk.timeline_summaries()
    # The desk's view of the customer: its own call in full, the rest hidden for its role.
    save_screenshot(desk.window.account_view, "hidden-for-your-role.png")

    rep.sync(qtbot)
    with rep.replica.engine.connect() as conn:
        assert (
            conn.execute(
                select(activities.c.summary).where(activities.c.id == logged[0].id)
            ).scalar_one()
            == SUMMARY
        )
    rep.open_account(qtbot, account_id)
    assert SUMMARY in rep.timeline_summaries()
    assert HIDDEN not in rep.timeline_summaries()


def test_masked_fields_read_hidden_for_your_role_not_a_dash(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    with filled_replica.engine.begin() as conn:
        account_id, contact_id = conn.execute(
            select(accounts.c.id, contacts.c.id)
            .join(contacts, contacts.c.account_id == accounts.c.id)
            .where(contacts.c.deleted.is_(False))
            .limit(1)
        ).one()
        # As a desk replica holds them: the masked fields arrive blank.
        conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(notes="", industry="")
        )
        conn.execute(
            insert(masked_fields),
            [
                {"entity": "account", "record_id": account_id, "fields": '["notes"]'},
                {"entity": "contact", "record_id": contact_id, "fields": '["emails"]'},
            ],
        )
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(account_id)
    labels = window.account_view._detail_labels
    assert HIDDEN in labels["notes"].text()
    assert labels["notes"].toolTip() != ""
    assert labels["industry"].text() == "—"  # empty, and not hidden: a dash as before
    tree = window.account_view.contacts
    [person] = [item for item in _items(tree) if item.data(0, ID_ROLE) == contact_id]
    children = [child.text(0) for n in range(person.childCount()) if (child := person.child(n))]
    assert f"✉ {HIDDEN}" in children
    # Editing the contact: the masked field says so and takes no typing the server would drop.
    dialog = window.edit_contact(account_id, contact_id)
    assert dialog is not None
    assert not dialog.emails.isEnabled() and dialog.emails.placeholderText() == HIDDEN
    assert dialog.name.isEnabled()
    dialog.reject()

    # The activity feed: the newest activity's masked summary.
    with filled_replica.engine.begin() as conn:
        newest = conn.execute(
            select(activities.c.id).order_by(activities.c.start_at.desc()).limit(1)
        ).scalar_one()
        conn.execute(
            insert(masked_fields).values(entity="activity", record_id=newest, fields='["summary"]')
        )
    with qtbot.waitSignal(window.activity.loaded, timeout=5000):
        window.tabs.setCurrentWidget(window.activity)
    rows = _items(window.activity.tree)
    assert rows[0].text(4) == HIDDEN
    assert HIDDEN not in {row.text(4) for row in rows[1:]}

    # In Chinese too.
    install_language("zh_CN")
    try:
        with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
            window.show_account(account_id)
        assert "因您的角色而隐藏" in labels["notes"].text()
    finally:
        install_language("en")
