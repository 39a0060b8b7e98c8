"""The lazy account list: ids only, rows fetched as they are shown, SQL-side filter and sort."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from desktop_crm.storage.queries import AccountFilter
from desktop_crm.ui.accounts_model import ID_ROLE, AccountsModel
from desktop_crm.ui.main_window import MainWindow
from desktop_crm.ui.session import Session
from tests.ui.conftest import ACCOUNTS, ME


def _loaded(qtbot: Any, model: AccountsModel) -> None:
    """Touch every row, then wait until each has arrived from the worker."""
    for row in range(model.rowCount()):
        model.data(model.index(row, 0))
    qtbot.waitUntil(
        lambda: all(model.data(model.index(r, 0)) != "…" for r in range(model.rowCount())),
        timeout=10_000,
    )


def test_model_passes_qtmodeltester(
    qtbot: Any, qtmodeltester: Any, session: Session
) -> None:
    model = AccountsModel(session)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == ACCOUNTS
    qtmodeltester.check(model, force_py=True)
    _loaded(qtbot, model)
    qtmodeltester.check(model, force_py=True)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)


def test_rows_are_fetched_lazily_and_sorted_in_sql(qtbot: Any, session: Session) -> None:
    model = AccountsModel(session)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.reload()
    assert model.data(model.index(0, 0)) == "…"  # not fetched until asked for
    assert len(model._cache) == 0
    _loaded(qtbot, model)
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert names == sorted(names)
    with qtbot.waitSignal(model.reloaded, timeout=10_000):
        model.sort(0, Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, model)
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert names == sorted(names, reverse=True)


def test_filters_by_status_owner_and_tag(qtbot: Any, window: MainWindow) -> None:
    model = window.accounts_model
    qtbot.waitUntil(lambda: window.status_filter.count() > 1, timeout=5000)
    window.status_filter.setCurrentIndex(window.status_filter.findData("active"))
    qtbot.waitUntil(lambda: model.filter.status == "active", timeout=5000)
    qtbot.waitSignal(model.reloaded, timeout=5000)
    _loaded(qtbot, model)
    active = model.rowCount()
    assert 0 < active < ACCOUNTS
    ids = [model.data(model.index(r, 0), ID_ROLE) for r in range(active)]
    assert all(model._cache[i].status == "active" for i in ids)
    with qtbot.waitSignal(model.reloaded, timeout=5000):
        model.set_filter(AccountFilter(owner_id=ME.user_id))
    _loaded(qtbot, model)
    assert all(model._cache[model.account_id(r)].owner_id == ME.user_id
               for r in range(model.rowCount()))
    tag = window.tag_filter.itemData(1)
    with qtbot.waitSignal(model.reloaded, timeout=5000):
        model.set_filter(AccountFilter(tag=tag))
    _loaded(qtbot, model)
    assert model.rowCount() > 0
    assert all(tag in model._cache[model.account_id(r)].tags for r in range(model.rowCount()))
    assert window.count_label.text().endswith("customers")
