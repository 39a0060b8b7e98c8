"""Views refresh from what changed: a change reaches the views that show it, and no others."""

from __future__ import annotations

from typing import Any

from desktop_crm.client.changes import Changes
from desktop_crm.domain.records import Entity
from desktop_crm.ui.main_window import MainWindow


def _count_calls(monkeypatch: Any, owner: object, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def _open_customer(qtbot: Any, window: MainWindow, row: int) -> str:
    account_id = window.accounts_model.account_id(row)
    with qtbot.waitSignal(window.account_view.loaded, timeout=5000):
        window.show_account(account_id)
    return account_id


def _changed(qtbot: Any, window: MainWindow, changes: Changes) -> None:
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.edited(changes)


def test_a_change_to_another_customer_leaves_the_open_one_alone(
    qtbot: Any, window: MainWindow, monkeypatch: Any
) -> None:
    shown = _open_customer(qtbot, window, 0)
    other = window.accounts_model.account_id(1)
    customer = _count_calls(monkeypatch, window.account_view, "refresh")
    account_list = _count_calls(monkeypatch, window.accounts_model, "invalidate")
    today = _count_calls(monkeypatch, window.today, "refresh")

    _changed(qtbot, window, Changes.of(Entity.CONTACT, "contact-x", other))
    assert customer == [] and account_list == []
    assert today == [1]  # follow-ups name the contact beside each activity

    _changed(qtbot, window, Changes.of(Entity.OPPORTUNITY, "deal-y", shown))
    assert customer == [1] and account_list == []
    assert window.pipeline in window._stale  # the hidden pipeline reloads when next shown

    _changed(qtbot, window, Changes.of(Entity.ACCOUNT, other, other))
    assert customer == [1] and account_list == [1]


def test_a_burst_of_changes_refreshes_once_with_all_of_them(
    qtbot: Any, window: MainWindow, monkeypatch: Any
) -> None:
    shown = _open_customer(qtbot, window, 2)
    customer = _count_calls(monkeypatch, window.account_view, "refresh")
    account_list = _count_calls(monkeypatch, window.accounts_model, "invalidate")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.edited(Changes.of(Entity.ACTIVITY, "call-1", shown))
        window.session.edited(Changes.of(Entity.ACCOUNT, "acct-z", "acct-z"))
    assert customer == [1] and account_list == [1]


def test_a_sync_that_brought_many_records_refreshes_what_shows_them(
    qtbot: Any, window: MainWindow, monkeypatch: Any
) -> None:
    _open_customer(qtbot, window, 3)
    customer = _count_calls(monkeypatch, window.account_view, "refresh")
    account_list = _count_calls(monkeypatch, window.accounts_model, "invalidate")
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.data_changed.emit(Changes.of_entities([Entity.ACTIVITY]), True)
    assert customer == [1]  # any customer's timeline may have a new call
    assert account_list == []
