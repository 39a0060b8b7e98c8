"""The tabs the first window does not show are built when first shown or asked for (issue 11,
item 6): same place, same label, loaded when shown, and kept up to date after."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from desktop_crm.client import reading
from desktop_crm.client.changes import Changes
from desktop_crm.domain.records import Entity
from desktop_crm.ui.lazy_tab import LazyTab
from desktop_crm.ui.main_window import FILTER_CHOICES_WAIT_MS, MainWindow

HIDDEN = ("_pipeline_tab", "_activity_tab", "_reports_tab")


def _labels(tabs: QTabWidget) -> list[str]:
    return [tabs.tabText(i) for i in range(tabs.count())]


def test_the_first_window_builds_only_today_and_the_customer(window: MainWindow) -> None:
    assert window.tabs.currentWidget() is window.today
    assert _labels(window.tabs) == ["Today", "Customer", "Pipeline", "Activity", "Reports"]
    assert all(getattr(window, name).widget is None for name in HIDDEN)


def test_clicking_a_tab_builds_it_in_place_and_loads_it(qtbot: Any, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(2)  # as a click on "Pipeline" does
    pipeline = window._pipeline_tab.widget
    assert pipeline is not None
    assert window.tabs.currentWidget() is pipeline and window.tabs.indexOf(pipeline) == 2
    assert _labels(window.tabs) == ["Today", "Customer", "Pipeline", "Activity", "Reports"]
    qtbot.waitUntil(lambda: pipeline.summary is not None, timeout=5000)
    assert window.pipeline is pipeline  # built once
    assert window._activity_tab.widget is None  # the others still wait


def test_a_change_before_a_tab_is_built_builds_nothing_and_shows_when_opened(
    qtbot: Any, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.session.edited(Changes.of(Entity.ACTIVITY, "activity-x", "account-x"))
    assert all(getattr(window, name).widget is None for name in HIDDEN)
    window.set_owner_names({"u-1": "Wang Fang"})
    feed = window.activity  # asked for in code: built now, with the names it missed
    assert feed.names == {"u-1": "Wang Fang"}
    with qtbot.waitSignal(feed.loaded, timeout=5000):
        window.tabs.setCurrentWidget(feed)
    assert feed not in window._stale


def test_asking_for_a_tab_does_not_switch_to_it(qtbot: Any) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    first = QLabel("first")
    tabs.addTab(first, "First")
    made: list[QLabel] = []
    seen: list[QWidget | None] = []
    lazy = LazyTab(tabs, "Second", lambda: QLabel("second"), made.append)
    tabs.currentChanged.connect(lambda i: seen.append(tabs.widget(i)))
    assert lazy.widget is None and tabs.count() == 2
    second = lazy.get()
    assert made == [second] and seen == []  # built quietly, no change of tab
    assert tabs.currentWidget() is first and tabs.widget(1) is second
    assert tabs.tabText(1) == "Second" and tabs.count() == 2
    tabs.setCurrentIndex(1)
    assert seen == [second] and lazy.get() is second and made == [second]


def test_the_filters_fill_after_the_first_rows_shown_or_not(
    qtbot: Any, window: MainWindow, session: Any
) -> None:
    # Shown: the filters' lists come once the first rows are drawn.
    qtbot.waitUntil(lambda: window.status_filter.count() > 1, timeout=5000)
    assert window.accounts_model.data(window.accounts_model.index(0, 0)) != "…"
    # Never shown (no rows drawn): they come all the same, a moment later.
    hidden = MainWindow(session, "hidden")
    qtbot.addWidget(hidden)
    hidden.start()
    qtbot.waitUntil(lambda: hidden.status_filter.count() > 1, timeout=5000)


def test_slow_ids_still_come_before_the_filters_lists(
    qtbot: Any, session: Any, monkeypatch: Any
) -> None:
    # A large replica's ids take longer than the filters' wait: the first rows still go first.
    order: list[str] = []
    account_ids, accounts_by_id, list_choices = (
        reading.account_ids, reading.accounts_by_id, reading.list_choices
    )  # fmt: skip

    def slow_ids(*args: Any) -> Any:
        time.sleep(2 * FILTER_CHOICES_WAIT_MS / 1000)
        order.append("ids")
        return account_ids(*args)

    def rows(*args: Any) -> Any:
        order.append("rows")
        return accounts_by_id(*args)

    def choices(*args: Any) -> Any:
        order.append("choices")
        return list_choices(*args)

    monkeypatch.setattr(reading, "account_ids", slow_ids)
    monkeypatch.setattr(reading, "accounts_by_id", rows)
    monkeypatch.setattr(reading, "list_choices", choices)
    shown = MainWindow(session, "slow")
    qtbot.addWidget(shown)
    shown.start()
    shown.show()
    qtbot.waitUntil(lambda: shown.status_filter.count() > 1, timeout=10_000)
    assert order.index("ids") < order.index("rows") < order.index("choices")
