"""System tags in the window: beside the customer's name in the list and the customer view,
their reasons on hover, and a filter of the list by system tag. The tags are written into the
real encrypted replica as a sync writes them, and the window is told as after a sync."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop_crm.client.changes import Changes
from desktop_crm.storage import system_tags
from desktop_crm.storage.replica import Replica
from desktop_crm.ui.accounts_model import ID_ROLE
from desktop_crm.ui.main_window import MainWindow
from tests.ui.conftest import save_screenshot, wait_until

VIP = system_tags.SystemTag("VIP", "VIP: won 1,240,000 CNY in the last 12 months ≥ 100,000")
AT_RISK = system_tags.SystemTag(
    "At risk", "At risk: status is active; no activity for 97 days ≥ 90"
)


def _first_ids(window: MainWindow, count: int) -> list[str]:
    model = window.accounts_model
    return [model.data(model.index(r, 0), ID_ROLE) for r in range(count)]


def test_system_tags_show_beside_the_name_with_reasons_and_filter_the_list(
    qtbot: Any, window: MainWindow, filled_replica: Replica
) -> None:
    model = window.accounts_model
    tagged, other = _first_ids(window, 2)
    with filled_replica.writing() as conn:
        system_tags.replace(conn, [(tagged, [VIP, AT_RISK])])
    window.session.data_changed.emit(Changes.everything(), True)  # as a finished sync does
    wait_until(qtbot, lambda: window.system_tag_filter.count() == 3)
    assert [window.system_tag_filter.itemText(i) for i in range(3)] == [
        "All system tags", "At risk", "VIP"
    ]

    row = _first_ids(window, model.rowCount()).index(tagged)
    model.data(model.index(row, 0))
    wait_until(qtbot, lambda: "[VIP]" in str(model.data(model.index(row, 0))))
    assert str(model.data(model.index(row, 0))).endswith("[At risk] [VIP]")
    tip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert VIP.reason in tip and AT_RISK.reason in tip

    window.system_tag_filter.setCurrentIndex(window.system_tag_filter.findData("VIP"))
    wait_until(qtbot, lambda: model.rowCount() == 1)
    assert model.account_id(0) == tagged
    assert window.count_label.text() == "1 customers"

    with qtbot.waitSignal(window.account_view.loaded, timeout=10_000):
        window.show_account(tagged)
    label = window.account_view.system_tags
    assert label.isVisible()
    assert label.text() == "At risk  ·  VIP"
    assert VIP.reason in label.toolTip()
    model.data(model.index(0, 0))
    wait_until(qtbot, lambda: "[VIP]" in str(model.data(model.index(0, 0))))
    window.accounts_view.setColumnWidth(0, 300)
    qtbot.wait(100)  # let the layouts settle before the picture
    save_screenshot(window, "system-tags.png")
    with qtbot.waitSignal(window.account_view.loaded, timeout=10_000):
        window.show_account(other)
    assert not label.isVisible()
