"""The Duplicates tab over the real server on loopback: a manager sees the review queue with
scores and reasons, dismisses one pair, merges another keeping a value of the merged-away
customer, and after the sync the replica holds the survivor with that value (and the loser's
contact) while the loser is gone. A rep has no such tab; offline, the tab says so; a pair not
yet on this computer cannot be merged blind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from desktop_crm.client.profile import Profile, ProfileSettings
from desktop_crm.client.session import ProfileSync
from desktop_crm.demo import DEMO_PASSWORD, DemoServer, free_port
from desktop_crm.domain.records import Account, Contact, Entity, Phone
from desktop_crm.server import admin, bulk
from desktop_crm.server import models as m
from desktop_crm.storage import records_store as store
from desktop_crm.storage.keys import RawKey
from desktop_crm.storage.replica import Replica, create_replica
from desktop_crm.ui.duplicates_view import DuplicatesView
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.merge_dialog import A, B
from desktop_crm.ui.session import Session
from tests.ui.conftest import save_screenshot


class Planted:
    """The server with two planted pairs of rep1's customers, scanned into the queue."""

    def __init__(self, server: DemoServer) -> None:
        self.server = server
        engine = server.engine
        assert engine is not None
        with engine.connect() as conn:
            rows = conn.execute(select(m.users.c.username, m.users.c.id)).all()
        ids = {str(name): str(user_id) for name, user_id in rows}
        rep1, rep2 = ids["rep1"], ids["rep2"]
        self.keep = Account(name="北京某某科技股份有限公司", owner_id=rep1, industry="软件")
        self.lose = Account(
            name="北京某某科技", owner_id=rep2, industry="人工智能", address="北京市海淀区中关村"
        )
        self.contact = Contact(account_id=self.lose.meta.id, name="王小明")
        self.acme = Account(name="Acme Trading GmbH", owner_id=rep1)
        self.acme2 = Account(name="ACME Trading Ltd.", owner_id=rep1)
        # Two people of one customer with one phone number, under different names.
        phone = Phone(raw="138 0013 8000", e164="+8613800138000")
        self.li = Contact(account_id=self.keep.meta.id, name="李雷", title="经理", phones=[phone])
        self.li2 = Contact(account_id=self.keep.meta.id, name="Li Lei", phones=[phone])
        records = (
            self.keep,
            self.lose,
            self.contact,
            self.acme,
            self.acme2,
            self.li,
            self.li2,
        )
        with engine.begin() as conn:  # as an import would: owned by rep1, in the change feed
            bulk.load_records(conn, records, "test")
        admin.find_duplicates(engine, Entity.ACCOUNT, 80)
        admin.find_duplicates(engine, Entity.CONTACT, 80)


@pytest.fixture
def planted(cheap_hashes: None) -> Iterator[Planted]:
    server = DemoServer(accounts=8, seed=3).start()
    try:
        yield Planted(server)
    finally:
        server.stop()


def _window(qtbot: Any, folder: Path, url: str, user: str, role: str) -> tuple[MainWindow, Replica]:
    profile = Profile(folder)
    replica = create_replica(profile.replica_path, RawKey.generate())
    settings = ProfileSettings(server_url=url, username=user, role=role)
    session = Session(
        lambda: replica, ProfileSync(profile, settings, DEMO_PASSWORD), interval_s=3600
    )
    window = MainWindow(session, user)
    qtbot.addWidget(window)
    return window, replica


def _sync(qtbot: Any, window: MainWindow) -> None:
    controller = window.session.sync
    assert controller is not None
    with qtbot.waitSignal(controller.finished, timeout=30_000) as done:
        # Through the worker first: the replica opens there.
        window.session.submit(lambda _r: None, lambda _n: window.sync_now())
    assert done.args[0].error == "", done.args[0].error


def _show_queue(qtbot: Any, window: MainWindow) -> DuplicatesView:
    view = window.duplicates
    assert view is not None
    window.show()
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        window.tabs.setCurrentWidget(view)
    return view


def _pairs(view: DuplicatesView) -> list[set[str]]:
    return [{p.id_a, p.id_b} for p in view.pairs]


def test_a_manager_dismisses_one_pair_and_merges_another(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    window, replica = _window(qtbot, tmp_path / "m", planted.server.url, "manager1", "manager")
    keep, lose = planted.keep.meta.id, planted.lose.meta.id
    acme = {planted.acme.meta.id, planted.acme2.meta.id}
    try:
        _sync(qtbot, window)
        with qtbot.waitSignal(window.accounts_model.reloaded, timeout=10_000):
            window.start()
        view = _show_queue(qtbot, window)
        assert {keep, lose} in _pairs(view) and acme in _pairs(view)
        row = _pairs(view).index({keep, lose})
        why, score = view.table.item(row, 3), view.table.item(row, 2)
        assert why is not None and why.text() == "name"
        assert score is not None and score.text() == f"{view.pairs[row].score:g}%"
        view.select(keep, lose)
        save_screenshot(window, "duplicates-queue.png")

        view.select(*acme)
        with qtbot.waitSignal(view.loaded, timeout=20_000):
            view.dismiss_button.click()
        assert acme not in _pairs(view) and {keep, lose} in _pairs(view)

        view.select(keep, lose)
        dialog = view.open_merge()
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
        survivor_side = A if dialog.pair.id_a == keep else B
        dialog.keep(survivor_side)
        dialog.choose("industry", B if survivor_side == A else A)
        shown = {label.text() for label in dialog.grid_host.findChildren(QLabel)}
        assert {"rep1", "rep2"} <= shown  # the owners by name, not by id
        # The survivor has no address: the loser's is kept unless the user says otherwise.
        assert sorted(dialog.take_from_loser()) == ["address", "industry"]
        qtbot.waitExposed(dialog)  # laid out and painted before the (optional) screenshot
        save_screenshot(dialog, "merge-dialog.png")
        assert window.session.sync is not None
        with (
            qtbot.waitSignal(view.merged, timeout=20_000) as merged,
            qtbot.waitSignal(window.session.sync.finished, timeout=30_000),
        ):
            dialog.merge_button.click()
        assert merged.args[0] == keep
        qtbot.waitUntil(lambda: {keep, lose} not in _pairs(view), timeout=20_000)

        with replica.engine.connect() as conn:
            survivor = store.read_record(conn, Entity.ACCOUNT, keep)
            loser = store.read_record(conn, Entity.ACCOUNT, lose)
            person = store.read_record(conn, Entity.CONTACT, planted.contact.meta.id)
        assert survivor is not None and survivor.data["name"] == "北京某某科技股份有限公司"
        assert survivor.data["industry"] == "人工智能"  # the value taken from the loser
        assert survivor.data["address"] == "北京市海淀区中关村"
        assert loser is None or loser.deleted
        assert person is not None and person.data["account_id"] == keep
    finally:
        window.session.shutdown()
        window.close()


def test_a_pair_not_yet_on_this_computer_is_not_merged_blind(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    window, _replica = _window(qtbot, tmp_path / "m2", planted.server.url, "manager1", "manager")
    try:
        view = _show_queue(qtbot, window)  # no sync: the replica is empty
        assert view.pairs
        view.table.selectRow(0)
        dialog = view.open_merge()
        assert dialog is not None
        with qtbot.waitSignal(dialog.ready, timeout=10_000) as ready:
            pass
        assert ready.args[0] is False
        assert "not on this computer" in dialog.message.text()
        assert not dialog.merge_button.isEnabled()
        dialog.reject()
    finally:
        window.session.shutdown()
        window.close()


def test_offline_the_tab_says_the_queue_is_on_the_server(qtbot: Any, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    window, _replica = _window(qtbot, tmp_path / "off", nowhere, "manager1", "manager")
    try:
        view = window.duplicates
        assert view is not None
        window.show()
        with qtbot.waitSignal(view.loaded, timeout=20_000) as shown:
            window.tabs.setCurrentWidget(view)
        assert shown.args[0] == -1
        assert view.status.text().startswith("Offline")
        assert view.table.rowCount() == 0
    finally:
        window.session.shutdown()
        window.close()


def test_a_rep_has_no_duplicates_tab(qtbot: Any, tmp_path: Path, planted: Planted) -> None:
    window, _replica = _window(qtbot, tmp_path / "rep", planted.server.url, "rep1", "rep")
    try:
        assert window.duplicates is None
        labels = {window.tabs.tabText(i) for i in range(window.tabs.count())}
        assert "Duplicates" not in labels
    finally:
        window.session.shutdown()
        window.close()


def test_an_admin_undoes_a_merge_from_the_audit_trail(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    engine = planted.server.engine
    assert engine is not None
    keep, lose = planted.keep.meta.id, planted.lose.meta.id
    admin.merge_records(engine, Entity.ACCOUNT, keep, lose, ["industry"])
    window, _replica = _window(qtbot, tmp_path / "a", planted.server.url, "admin", "admin")
    try:
        audit = window.audit
        assert audit is not None and not audit.undo_merge.isHidden()
        window.show()
        audit.action.setText("merge")
        with qtbot.waitSignal(audit.loaded, timeout=20_000):
            window.tabs.setCurrentWidget(audit)
        entry = audit.tree.topLevelItem(0)
        assert entry is not None and entry.text(2) == "merge"
        assert not audit.undo_merge.isEnabled()  # nothing selected yet
        audit.tree.setCurrentItem(entry)
        assert audit.undo_merge.isEnabled()
        with qtbot.waitSignal(audit.merge_undone, timeout=20_000) as undone:
            audit.undo_merge.click()
        assert undone.args[0] == lose
        with engine.connect() as conn:
            deleted = conn.scalar(select(m.records.c.deleted).where(m.records.c.id == lose))
        assert deleted is False
        assert not audit.undo_merge.isEnabled()  # done: not offered twice in a row
        # Found again and undone again: refused with the server's reason, nothing changes.
        with qtbot.waitSignal(audit.loaded, timeout=20_000):
            audit.search.click()
        merges = [audit.tree.topLevelItem(i) for i in range(audit.tree.topLevelItemCount())]
        again = next(i for i in merges if i is not None and i.text(2) == "merge")
        audit.tree.setCurrentItem(again)
        audit.undo_merge.click()
        qtbot.waitUntil(lambda: "not undone" in audit.status.text(), timeout=20_000)
    finally:
        window.session.shutdown()
        window.close()


def test_a_manager_is_not_offered_to_undo_a_merge(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    window, _replica = _window(qtbot, tmp_path / "m3", planted.server.url, "manager1", "manager")
    try:
        assert window.audit is not None and window.audit.undo_merge.isHidden()
    finally:
        window.session.shutdown()
        window.close()


def test_a_merge_someone_else_did_first_is_refused_with_the_reason(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    engine = planted.server.engine
    assert engine is not None
    keep, lose = planted.keep.meta.id, planted.lose.meta.id
    window, replica = _window(qtbot, tmp_path / "m4", planted.server.url, "manager1", "manager")
    try:
        _sync(qtbot, window)
        view = _show_queue(qtbot, window)
        view.select(keep, lose)
        dialog = view.open_merge()
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
        # Meanwhile an administrator merges them the other way round.
        admin.merge_records(engine, Entity.ACCOUNT, lose, keep, [])
        dialog.merge_button.click()
        qtbot.waitUntil(lambda: "not done" in dialog.message.text(), timeout=20_000)
        assert "Not found" in dialog.message.text()
        assert dialog.isVisible() and dialog.merge_button.isEnabled()
        with replica.engine.connect() as conn:  # nothing changed here before the next sync
            survivor = store.read_record(conn, Entity.ACCOUNT, keep)
        assert survivor is not None and not survivor.deleted
        dialog.reject()
        assert view.merge_dialog is None
    finally:
        window.session.shutdown()
        window.close()


def test_contacts_with_one_phone_are_reviewed_and_merged(
    qtbot: Any, tmp_path: Path, planted: Planted
) -> None:
    li, li2 = planted.li.meta.id, planted.li2.meta.id
    window, replica = _window(qtbot, tmp_path / "m5", planted.server.url, "manager1", "manager")
    try:
        _sync(qtbot, window)
        view = _show_queue(qtbot, window)
        with qtbot.waitSignal(view.loaded, timeout=20_000):
            view.entity.setCurrentIndex(view.entity.findData(Entity.CONTACT.value))
        assert _pairs(view) == [{li, li2}]
        why = view.table.item(0, 3)
        assert why is not None and "same phone" in why.text()
        view.select(li, li2)
        dialog = view.open_merge()
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
        dialog.keep(A if dialog.pair.id_a == li else B)
        assert dialog.take_from_loser() == []  # 李雷 keeps its name; Li Lei has no title
        assert window.session.sync is not None
        with (
            qtbot.waitSignal(view.merged, timeout=20_000),
            qtbot.waitSignal(window.session.sync.finished, timeout=30_000),
        ):
            dialog.merge_button.click()
        with replica.engine.connect() as conn:
            kept = store.read_record(conn, Entity.CONTACT, li)
            gone = store.read_record(conn, Entity.CONTACT, li2)
        assert kept is not None and kept.data["name"] == "李雷" and not kept.deleted
        assert gone is None or gone.deleted
    finally:
        window.session.shutdown()
        window.close()
