"""The new-customer dialog warns of similar customers before saving (offline, from the
replica), lets the user open one instead, or save anyway with a second press."""

from __future__ import annotations

from typing import Any

from desktop_crm.client import editing
from desktop_crm.domain.records import Account
from desktop_crm.storage import sync_bookkeeping as book
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.dialogs import AccountDialog
from desktop_crm.ui.main_window import MainWindow
from tests.ui.conftest import ME, save_screenshot


def _new_customer_dialog(window: MainWindow) -> AccountDialog:
    window.new_account_action.trigger()
    [dialog] = [d for d in window.findChildren(AccountDialog) if d.isVisible()]
    return dialog


def _existing(replica: Replica) -> Account:
    return editing.save(replica, Account(name="北京某某科技股份有限公司"), ME).value


def _outbox(replica: Replica) -> int:
    with replica.engine.connect() as conn:
        return book.outbox_count(conn)


def test_similar_customers_are_shown_and_save_again_saves_anyway(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    _existing(filled_replica)
    before = _outbox(filled_replica)
    dialog = _new_customer_dialog(window)
    dialog.name.setText("北京某某科技")
    dialog._save()
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible(), timeout=5000)
    assert "Similar customers already exist" in dialog.duplicates.title.text()
    [candidate] = dialog.duplicates.candidates
    assert candidate.name == "北京某某科技股份有限公司" and candidate.score == 100.0
    save_screenshot(dialog, "duplicate-warning.png")
    assert _outbox(filled_replica) == before  # nothing saved yet
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000) as loaded:
        dialog._save()  # "Save anyway"
    assert window.account_view.title.text() == "北京某某科技"
    assert loaded.args[0] != candidate.id
    assert _outbox(filled_replica) == before + 1


def test_open_instead_shows_the_existing_customer_and_saves_nothing(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    existing = _existing(filled_replica)
    before = _outbox(filled_replica)
    dialog = _new_customer_dialog(window)
    dialog.name.setText("某某科技有限公司")
    dialog._save()
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible(), timeout=5000)
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000) as loaded:
        dialog.duplicates.open_requested.emit(dialog.duplicates.candidates[0].account_id)
    assert loaded.args[0] == existing.meta.id
    assert not [d for d in window.findChildren(AccountDialog) if d.isVisible()]
    assert _outbox(filled_replica) == before


def test_a_changed_name_is_checked_again(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    _existing(filled_replica)
    dialog = _new_customer_dialog(window)
    dialog.name.setText("北京某某科技")
    dialog._save()
    qtbot.waitUntil(lambda: dialog.duplicates.isVisible(), timeout=5000)
    dialog.name.setText("完全不同的新客户名称")
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        dialog._save()  # no similar customer for the new name: saved at once
    assert window.account_view.title.text() == "完全不同的新客户名称"
